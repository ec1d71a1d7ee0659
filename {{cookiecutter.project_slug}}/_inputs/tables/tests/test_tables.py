"""Reading tables: what the file says, cell for cell, in batches of bounded size."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.predict import predict_file
from {{ cookiecutter.package_name }}.tables import (
    PARQUET_MAGIC,
    SNIFF_BYTES,
    location,
    open_table,
    read_all,
    read_batches,
)

from .conftest import customer_table


def test_cells_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(" x , y \n01,NA\n1.50,\n")
    table = open_table(path)
    assert table.columns == ["x", "y"]  # spaces around names are dropped
    frame = read_all(table)
    assert frame.to_dict("list") == {"x": ["01", "1.50"], "y": ["NA", ""]}


def test_batches_are_bounded_and_numbered_across_the_file(tmp_path: Path) -> None:
    table = customer_table(25)
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        batches = list(read_batches(open_table(tmp_path / name), rows=10))
        assert [len(batch) for batch in batches] == [10, 10, 5]
        assert list(pd.concat(batches).index) == list(range(25))
        assert list(pd.concat(batches)["customer_id"]) == list(table["customer_id"])


def test_rows_longer_than_the_header_are_refused_not_shifted(tmp_path: Path) -> None:
    path = tmp_path / "trailing.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i % 2},\n" for i in range(12)))
    with pytest.raises(UserError, match=r"trailing\.csv: the rows have more cells than the header"):
        read_all(open_table(path))


def test_a_character_cut_by_the_sample_is_not_an_encoding_error(tmp_path: Path) -> None:
    path = tmp_path / "accents.csv"
    header = "name,y\n"
    filler = "a" * (SNIFF_BYTES - len(header) - 1)  # "é" (2 bytes) straddles the sample's end
    path.write_text(f"{header}{filler}é,1\n" + "é,0\n" * 10, encoding="utf-8")
    table = open_table(path)
    assert table.columns == ["name", "y"] and table.delimiter == ","


def test_bytes_that_are_not_utf8_after_the_sample_are_named_when_read(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    late = "café,1\n".encode("latin-1") + b"1,0\n" * 10
    path.write_bytes(b"x,y\n" + b"1,0\n" * (SNIFF_BYTES // 4) + late)
    table = open_table(path)  # reads the sample only, however long the file
    assert table.columns == ["x", "y"]
    with pytest.raises(UserError, match=r"late\.csv is not UTF-8 text; save it as UTF-8"):
        read_all(table)


def test_a_parquet_file_with_unreadable_data_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pd.DataFrame({"x": [str(i) for i in range(100)]}).to_parquet(path)
    size = pq.ParquetFile(path).metadata.row_group(0).column(0).total_compressed_size
    start = len(PARQUET_MAGIC)  # the column's pages, then the footer, which stays whole
    data = path.read_bytes()
    path.write_bytes(data[:start] + bytes(size) + data[start + size :])
    table = open_table(path)
    for rows in (None, 10):  # read whole (train, evaluate) and in batches (predict)
        with pytest.raises(
            UserError, match=r"t\.parquet is not a readable Parquet file: \w"
        ) as raised:
            list(read_batches(table, rows))
        assert "\n" not in str(raised.value)  # the CLI prints it as one line


@pytest.mark.parametrize(
    ("header", "row", "delimiter"),
    [
        ("start,end", "{h}:15,{h}:45", ","),
        ("start time|end time", "{h}:15 am|{h}:45 pm", "|"),
        ("note;y", '"{h}; {h}";{h}', ";"),
    ],
    ids=["colons in the cells", "spaces in the cells", "semicolons in quotes"],
)
def test_the_delimiter_is_a_usual_one_and_not_inside_quotes(
    tmp_path: Path, header: str, row: str, delimiter: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(header + "\n" + "".join(row.format(h=h) + "\n" for h in range(10, 20)))
    table = open_table(path)
    assert table.delimiter == delimiter and table.columns == header.split(delimiter)


def test_duplicate_names_are_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("a,b,a,b,c\n1,2,3,4,5\n")
    with pytest.raises(UserError, match=r"dup\.csv: duplicate column names: a, b$"):
        open_table(path)


def test_rows_are_named_by_line_in_csv_and_by_row_in_parquet(tmp_path: Path) -> None:
    table = pd.DataFrame({"x": [str(i) for i in range(20)], "y": ["a", "b"] * 10})
    table.loc[4, "x"] = "oops"
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_parquet(tmp_path / "t.parquet")
    for name, where in (("t.csv", "line 6"), ("t.parquet", "row 5")):
        with pytest.raises(UserError, match=rf"{name}: {where}: column 'x' has 'oops'"):
            load_dataset(Settings(data=tmp_path / name, target="y", numeric=("x",)))
    assert location(None, 4) == "row 5"


def test_missing_markers_are_written_back_as_they_were(
    customers_csv: Path, customers_model: Path, tmp_path: Path
) -> None:
    predict_file(customers_csv, tmp_path / "out.csv", customers_model)
    given = pd.read_csv(customers_csv, dtype=str, keep_default_na=False)
    scored = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert (given["payment"] == "NA").any()
    pd.testing.assert_frame_equal(scored[given.columns], given)
