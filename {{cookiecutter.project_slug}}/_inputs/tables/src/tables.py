"""Read a CSV or Parquet file into pandas DataFrames, whole or in batches of rows.

Cells are read as the text written in the file (Parquet: as stored), so values the model
does not use come back out of `predict` exactly as they went in (`01` stays `01`). Turning
text into numbers and categories is data.py's job.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from .columns import MISSING_TOKENS
from .errors import UserError

DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
PARQUET_MAGIC = b"PAR1"
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "a tab", "|": "'|'"}


@dataclass(frozen=True)
class TableFile:
    """A data file whose header has been checked: its format, delimiter and column names."""

    path: Path
    kind: Literal["csv", "parquet"]
    columns: list[str]
    delimiter: str = ","

    def where(self, row: int) -> str:
        """Where the data row numbered `row` (from 0) is, as the user would look for it."""
        return f"line {row + 2}" if self.kind == "csv" else f"row {row + 1}"

    def no_column(self, name: str, role: str = "column") -> UserError:
        """The error for a column the file lacks, with a hint when the delimiter looks wrong."""
        message = (
            f"{self.path}: no {role} named {name!r}; the columns are: {', '.join(self.columns)}"
        )
        if len(self.columns) == 1:
            seen = [DELIMITER_NAMES[d] for d in DELIMITERS if d in self.columns[0]]
            if seen:
                message += f" (read as one column: is it separated by {seen[0]}?)"
        return UserError(message)


def location(table: TableFile | None, row: int) -> str:
    """`data.csv: line 12` for a file, `row 11` for rows held in memory."""
    return f"{table.path}: {table.where(row)}" if table else f"row {row + 1}"


def open_table(path: Path) -> TableFile:
    """Check that `path` is a CSV or Parquet file with a usable header, and describe it."""
    if not path.is_file():
        kind = "a directory" if path.is_dir() else "not found"
        raise UserError(f"data file {kind}: {path} (expected a CSV or Parquet file)")
    with path.open("rb") as handle:
        start = handle.read(SNIFF_BYTES)
    if start.startswith(PARQUET_MAGIC):
        try:
            columns = [str(name) for name in pq.ParquetFile(path).schema_arrow.names]
        except (pyarrow.ArrowException, OSError) as exc:
            raise unreadable_parquet(path, exc) from None
        return checked(TableFile(path, "parquet", columns))
    try:
        text = start.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(start) - 4:  # not just a character cut at the end of the sample
            raise UserError(
                f"{path} is not UTF-8 text; expected a CSV file (save it as UTF-8) or Parquet"
            ) from None
        text = start[: exc.start].decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise UserError(f"{path} is empty; expected a header row and data rows")
    delimiter = sniff_delimiter(lines[:50])
    header = next(csv.reader(lines[:1], delimiter=delimiter))
    return checked(TableFile(path, "csv", [name.strip() for name in header], delimiter))


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter the first lines agree on; a comma when they say nothing else."""
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:  # one column, or too little text to tell
        return ","


def checked(table: TableFile) -> TableFile:
    if "" in table.columns:
        position = table.columns.index("") + 1
        raise UserError(f"{table.path}: column {position} of the header has no name")
    duplicates = sorted({name for name in table.columns if table.columns.count(name) > 1})
    if duplicates:
        raise UserError(f"{table.path}: duplicate column names: {', '.join(duplicates)}")
    return table


def read_all(table: TableFile) -> pd.DataFrame:
    """The whole table; refuses a table without data rows."""
    frame = next(read_batches(table, rows=None))  # rows=None: one batch, the whole table
    if frame.empty:
        raise UserError(f"{table.path} has a header but no data rows")
    return frame


def read_batches(table: TableFile, rows: int | None) -> Iterator[pd.DataFrame]:
    """The table in batches of `rows` rows (all at once for None), indexed by row from 0.

    Memory stays bounded by the batch size, however long the file. No batch is empty: a
    table without data rows gives none (for None: one empty DataFrame).
    """
    try:
        with warnings.catch_warnings():
            # pandas only warns when every row has more cells than the header has names.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            if table.kind == "parquet":
                yield from _parquet_batches(table, rows)
            else:
                yield from _csv_batches(table, rows)
    except pd.errors.ParserWarning:
        raise UserError(
            f"{table.path}: the rows have more cells than the header has names (a delimiter "
            "at the end of each line?): remove the extra cells, or name them in the header"
        ) from None
    except UnicodeDecodeError:
        raise UserError(f"{table.path} is not UTF-8 text; save it as UTF-8") from None
    except (pd.errors.ParserError, csv.Error) as exc:
        raise UserError(f"{table.path} is not a valid CSV file: {str(exc).strip()}") from None
    except (pyarrow.ArrowException, OSError) as exc:
        if table.kind != "parquet":
            raise  # the system could not read the file: the CLI says so, with its name
        # pyarrow reports a corrupt data page as an OSError that names no file
        raise unreadable_parquet(table.path, exc) from None


def unreadable_parquet(path: Path, exc: Exception) -> UserError:
    # pyarrow's messages can hold line breaks; the CLI prints an error as one line
    return UserError(f"{path} is not a readable Parquet file: {' '.join(str(exc).split())}")


def _csv_batches(table: TableFile, rows: int | None) -> Iterator[pd.DataFrame]:
    reader = pd.read_csv(
        table.path,
        sep=table.delimiter,
        header=0,
        names=table.columns,  # stripped names; pandas would rename duplicates otherwise
        index_col=False,  # a row with more cells than the header is an error, not an index
        dtype=str,
        na_filter=False,  # keep "NA" as written; data.py decides what is missing
        encoding="utf-8-sig",
        chunksize=rows,
    )
    if isinstance(reader, pd.DataFrame):  # rows=None: the whole file at once
        yield reader
        return
    with reader:
        # pandas gives a file with a header only one empty chunk; pyarrow gives no batch
        yield from (chunk for chunk in reader if not chunk.empty)


def _parquet_batches(table: TableFile, rows: int | None) -> Iterator[pd.DataFrame]:
    parquet = pq.ParquetFile(table.path)
    if rows is None:
        yield parquet.read().to_pandas()
        return
    offset = 0
    for batch in parquet.iter_batches(batch_size=rows):
        frame = batch.to_pandas()
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        offset += len(frame)
        yield frame


def missing_mask(column: pd.Series) -> pd.Series:
    """Empty cells and the MISSING_TOKENS, in text of any dtype (a Parquet category column too)."""
    text = column.dtype == object or isinstance(column.dtype, pd.CategoricalDtype)
    if text or pd.api.types.is_string_dtype(column.dtype):
        return column.isna() | column.astype(str).str.strip().isin(MISSING_TOKENS)
    return column.isna()


def numeric_column(table: TableFile | None, column: pd.Series) -> pd.Series:
    """Floats, NaN where missing; names the first cell that is text or infinite."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        numbers = column.astype("float64")
        bad: pd.Series = pd.Series(np.isinf(numbers.to_numpy()), index=column.index)
    else:
        missing = missing_mask(column)
        numbers = pd.to_numeric(column.mask(missing), errors="coerce").astype("float64")
        infinite = pd.Series(np.isinf(numbers.to_numpy()), index=column.index)
        bad = (numbers.isna() & ~missing) | infinite
    if bad.any():
        row = first_row(bad)
        raise UserError(
            f"{location(table, row)}: column {column.name!r} has {str(column.loc[row])!r}; "
            "expected a finite number (or an empty cell for a missing value)"
        )
    return numbers


def first_row(mask: pd.Series) -> int:
    """The row number (index label) of the first True cell of `mask`."""
    return int(mask.index[int(mask.to_numpy().argmax())])
