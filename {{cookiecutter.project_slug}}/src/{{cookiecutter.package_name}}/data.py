"""Load training data: a dataset bundled with scikit-learn, or the user's CSV file.

Nothing is downloaded: the bundled datasets ship inside the scikit-learn wheel.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn import datasets

from .config import DEFAULT_DATASET, TASK, Settings, Task
from .errors import UserError

MIN_ROWS = 10


@dataclass(frozen=True)
class Dataset:
    """Features as a float matrix, one target per row, and the names that describe them."""

    name: str
    features: np.ndarray
    target: np.ndarray
    feature_names: list[str]
    target_name: str

    @property
    def n_rows(self) -> int:
        return int(self.features.shape[0])


@dataclass(frozen=True)
class Table:
    """A CSV file as text: its header and its rows, each row as long as the header."""

    path: Path
    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> list[str]:
        index = self.header.index(name)
        return [row[index].strip() for row in self.rows]


def load_dataset(settings: Settings) -> Dataset:
    """The bundled default dataset, or `settings.data` with `settings.target` as the target."""
    if settings.data is None:
        if settings.target is not None:
            raise UserError("--target needs --data: name the CSV file the target column is in")
        return load_bundled(DEFAULT_DATASET)
    if not settings.target:
        raise UserError(f"--data {settings.data} needs --target: the name of the column to predict")
    return load_csv(settings.data, settings.target, TASK)


def load_bundled(name: str) -> Dataset:
    bunch = getattr(datasets, f"load_{name}")()
    return Dataset(
        name=name,
        features=np.asarray(bunch.data, dtype=float),
        target=np.asarray(bunch.target),
        feature_names=[str(feature) for feature in bunch.feature_names],
        target_name="target",
    )


def load_csv(path: Path, target: str, task: Task) -> Dataset:
    """Every column but `target` is a numeric feature; the target is numeric for regression."""
    table = read_table(path)
    if target not in table.header:
        raise UserError(
            f"{path}: no column named {target!r}; the columns are: {', '.join(table.header)}"
        )
    if len(table.rows) < MIN_ROWS:
        raise UserError(
            f"{path} has {len(table.rows)} data rows; training needs at least {MIN_ROWS}"
        )
    feature_names = [name for name in table.header if name != target]
    if not feature_names:
        raise UserError(f"{path} has no feature columns besides the target {target!r}")
    if task == "regression":
        values = numeric_column(table, target, "target")
    else:
        values = class_labels(table.column(target))
    return Dataset(
        name=path.name,
        features=numeric_matrix(table, feature_names),
        target=values,
        feature_names=feature_names,
        target_name=target,
    )


def read_table(path: Path) -> Table:
    """Read a CSV file with a header row, rejecting what cannot be a table of data."""
    if not path.is_file():
        raise UserError(f"data file not found: {path} (expected a CSV file with a header row)")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text; expected a CSV file") from None
    except csv.Error as exc:
        raise UserError(f"{path} is not a valid CSV file: {exc}") from None
    if not lines:
        raise UserError(f"{path} is empty; expected a header row and data rows")
    header, *rows = lines
    header = [name.strip() for name in header]
    if "" in header:
        raise UserError(f"{path}: column {header.index('') + 1} of the header has no name")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise UserError(f"{path}: duplicate column names: {', '.join(duplicates)}")
    if not rows:
        raise UserError(f"{path} has a header but no data rows")
    for line_number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise UserError(
                f"{path}: line {line_number} has {len(row)} values, the header has {len(header)}"
            )
    return Table(path=path, header=header, rows=rows)


def numeric_matrix(table: Table, columns: list[str]) -> np.ndarray:
    """The named columns as a float matrix; names the first cell that is not a finite number."""
    return np.column_stack([numeric_column(table, name, "feature") for name in columns])


def numeric_column(table: Table, name: str, role: str) -> np.ndarray:
    values = table.column(name)
    for line_number, value in enumerate(values, start=2):
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not np.isfinite(number):
            shown = repr(value) if value else "an empty value"
            raise UserError(
                f"{table.path}: {role} column {name!r} has {shown} on line {line_number}; "
                f"{role} columns must hold numbers"
            )
    return np.asarray(values, dtype=float)


def class_labels(labels: list[str]) -> np.ndarray:
    """Integer labels stay integers (so outputs read 0/1, not '0'/'1'); others stay text."""
    if "" in labels:
        raise UserError(f"target column has an empty value on line {labels.index('') + 2}")
    try:
        numbers = np.asarray(labels, dtype=float)
    except ValueError:
        return np.asarray(labels)
    if np.all(numbers == np.round(numbers)):
        return numbers.astype(int)
    return np.asarray(labels)
