"""Loading data: the bundled default, a user's CSV or Parquet table, and how one can be wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import DEFAULT_DATASET, Settings
from {{ cookiecutter.package_name }}.data import (
    MIN_ROWS,
    Dataset,
    load_dataset,
    model_inputs,
)
from {{ cookiecutter.package_name }}.errors import UserError

from .conftest import customer_table, write_csv


def load(path: Path, target: str = "y", **options: object) -> Dataset:
    return load_dataset(Settings(data=path, target=target, **options))  # type: ignore[arg-type]


def test_default_is_the_bundled_dataset() -> None:
    dataset = load_dataset(Settings())
    assert dataset.name == DEFAULT_DATASET
    assert dataset.features.shape == (dataset.n_rows, len(dataset.feature_types))
    assert set(dataset.feature_types.values()) == {"numeric"}


def test_csv_file_round_trips_the_bundled_dataset(bundled_csv: Path) -> None:
    bundled = load_dataset(Settings())
    loaded = load(bundled_csv, "label")
    assert loaded.feature_types == bundled.feature_types
    np.testing.assert_allclose(loaded.features, bundled.features)
    np.testing.assert_array_equal(loaded.target, bundled.target)


def test_text_columns_are_categories_and_missing_cells_are_nan(customers_csv: Path) -> None:
    dataset = load(customers_csv, "label", drop=("customer_id",))
    assert dataset.feature_types == {
        "tenure": "numeric",
        "monthly_charges": "numeric",
        "contract": "categorical",
        "payment": "categorical",
    }
    raw = pd.read_csv(customers_csv, dtype=str, keep_default_na=False)
    assert dataset.features["tenure"].isna().sum() == (raw["tenure"] == "").sum() > 0
    assert (
        dataset.features["monthly_charges"].isna().sum()
        == (raw["monthly_charges"] == "NA").sum()
        > 0
    )
    assert dataset.features["payment"].isna().sum() == (raw["payment"] == "NA").sum() > 0
    assert dataset.features["tenure"].dtype == float
    assert set(dataset.features["contract"].dropna()) == {"month-to-month", "one year", "two year"}


def test_semicolons_bom_and_parquet_read_as_the_same_table(
    customers_csv: Path, tmp_path: Path
) -> None:
    table = pd.read_csv(customers_csv, dtype=str, keep_default_na=False)
    semicolons = tmp_path / "semicolons.csv"
    table.to_csv(semicolons, sep=";", index=False, encoding="utf-8-sig")
    assert semicolons.read_bytes().startswith(b"\xef\xbb\xbfcustomer_id;")
    parquet = tmp_path / "customers.parquet"
    table.to_parquet(parquet)
    expected = load(customers_csv, "label", drop=("customer_id",))
    for path in (semicolons, parquet):
        loaded = load(path, "label", drop=("customer_id",))
        assert loaded.feature_types == expected.feature_types
        pd.testing.assert_frame_equal(loaded.features, expected.features)
        np.testing.assert_array_equal(loaded.target, expected.target)


def test_parquet_numbers_are_read_as_numbers_and_infinity_is_named(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [i / 2 for i in range(20)], "y": [i % 2 for i in range(20)]})
    frame.to_parquet(tmp_path / "n.parquet")
    dataset = load(tmp_path / "n.parquet")
    assert dataset.feature_types == {"x": "numeric"}
    assert dataset.features["x"].tolist() == frame["x"].tolist()
    frame.loc[4, "x"] = np.inf
    frame.to_parquet(tmp_path / "n.parquet")
    with pytest.raises(
        UserError, match=r"n\.parquet: row 5: column 'x' has 'inf'; expected a finite number"
    ):
        load(tmp_path / "n.parquet")


def test_missing_markers_are_missing_in_a_parquet_category_column(tmp_path: Path) -> None:
    """As in a CSV file: "NA", "?" and empty cells are gaps, not categories."""
    colours = ["red", "NA", "blue", "?", "", "red"] * 4
    frame = pd.DataFrame({"colour": pd.Categorical(colours), "y": [i % 2 for i in range(24)]})
    frame.to_parquet(tmp_path / "c.parquet")
    dataset = load(tmp_path / "c.parquet")
    assert dataset.feature_types == {"colour": "categorical"}
    assert dataset.features["colour"].isna().sum() == 12
    assert set(dataset.features["colour"].dropna()) == {"red", "blue"}


@pytest.mark.parametrize("cell", [np.inf, "inf"], ids=["number", "text"])
def test_a_bad_cell_is_named_by_its_row_whatever_the_index(cell: object) -> None:
    # As in the batches `predict` reads after the first, or a slice given to `score`.
    frame = pd.DataFrame({"x": [1.0 if cell is np.inf else "1", cell]}, index=[10, 11])
    with pytest.raises(UserError, match=r"^row 12: column 'x' has 'inf'"):
        model_inputs(None, frame, {"x": "numeric"})


def test_quoted_fields_keep_their_delimiters(tmp_path: Path) -> None:
    rows = [[f"{i}.5", f"town {i % 3}, north", i % 2] for i in range(MIN_ROWS)]
    dataset = load(write_csv(tmp_path / "q.csv", ["x", "place", "y"], rows))
    assert set(dataset.features["place"]) == {"town 0, north", "town 1, north", "town 2, north"}


def test_column_types_can_be_forced_and_columns_dropped(tmp_path: Path) -> None:
    rows = [[10000 + i % 4, i, f"id{i}", i % 2] for i in range(20)]
    path = write_csv(tmp_path / "d.csv", ["zip", "count", "ref", "y"], rows)
    dataset = load(path, categorical=("zip",), drop=("ref",))
    assert dataset.feature_types == {"zip": "categorical", "count": "numeric"}
    assert set(dataset.features["zip"]) == {"10000", "10001", "10002", "10003"}


def test_a_forced_numeric_column_names_its_first_text_cell(tmp_path: Path) -> None:
    rows = [[str(i) if i != 7 else "seven", i % 2] for i in range(20)]
    path = write_csv(tmp_path / "d.csv", ["x", "y"], rows)
    with pytest.raises(
        UserError, match=r"d.csv: line 9: column 'x' has 'seven'; expected a finite number"
    ):
        load(path, numeric=("x",))


def rows(n: int, value: object = 1.0) -> list[list[object]]:
    return [[value, index % 2] for index in range(n)]


@pytest.mark.parametrize(
    ("header", "body", "options", "message"),
    [
        (["x", "y"], rows(0), {}, "has a header but no data rows"),
        (["x", "y"], rows(MIN_ROWS - 1), {}, f"training needs at least {MIN_ROWS}"),
        (["x", "z"], rows(MIN_ROWS), {}, "no target column named 'y'; the columns are: x, z"),
        (
            ["x;y"],
            [[5]] * MIN_ROWS,
            {},
            "no target column named 'y'.*read as one column: is it separated by ';'",
        ),
        (
            ["x", "y"],
            rows(MIN_ROWS, ""),
            {},
            "column 'x' has no values, every cell is empty; .*--drop x",
        ),
        (
            ["x", "y"],
            rows(MIN_ROWS, "inf"),
            {},
            "line 2: column 'x' has 'inf'; expected a finite number",
        ),
        (["x", "x", "y"], [[1, 2, 0]] * MIN_ROWS, {}, "duplicate column names: x"),
        (["x", "", "y"], [[1, 2, 0]] * MIN_ROWS, {}, "column 2 of the header has no name"),
        (["y"], [[0]] * MIN_ROWS, {}, "no feature columns besides the target 'y'"),
        (["x", "y"], rows(MIN_ROWS), {"drop": ("x",)}, "no feature columns besides the target 'y'"),
        (["x", "y"], rows(MIN_ROWS), {"drop": ("w",)}, r"no column \(given to --drop\) named 'w'"),
        (["x", "y"], rows(MIN_ROWS), {"numeric": ("y",)}, "--numeric y: 'y' is the target column"),
        (
            ["x", "y"],
            rows(MIN_ROWS),
            {"numeric": ("x",), "categorical": ("x",)},
            "given to more than one of --categorical, --numeric, --drop: x",
        ),
        (
            ["x", "y"],
            rows(MIN_ROWS),
            {"categorical": ("x",), "drop": ("x",)},
            "given to more than one of --categorical, --numeric, --drop: x",
        ),
    ],
)
def test_bad_tables_are_refused_with_the_reason(
    tmp_path: Path,
    header: list[str],
    body: list[list[object]],
    options: dict[str, Any],
    message: str,
) -> None:
    path = write_csv(tmp_path / "bad.csv", header, body)
    with pytest.raises(UserError, match=message):
        load(path, **options)


def test_an_empty_target_cell_is_named_by_line(tmp_path: Path) -> None:
    body = rows(MIN_ROWS)
    body[4][1] = "NA"
    path = write_csv(tmp_path / "bad.csv", ["x", "y"], body)
    with pytest.raises(UserError, match=r"bad.csv: line 6: the target column 'y' is empty"):
        load(path)


def test_too_many_categories_is_refused_with_the_way_out(tmp_path: Path) -> None:
    table = customer_table(150)
    path = tmp_path / "c.csv"
    table.to_csv(path, index=False)
    with pytest.raises(
        UserError,
        match=r"'customer_id' has 150 different values, more than --max-categories 100: .*--drop",
    ):
        load(path, "label")
    with pytest.raises(UserError, match=r"more than --max-categories 2"):
        load(path, "label", drop=("customer_id",), max_categories=2)
    load(path, "label", drop=("customer_id",), max_categories=3)  # 3 values: at the limit
    table.loc[3, "tenure"] = "12 months"
    table.to_csv(path, index=False)
    with pytest.raises(
        UserError, match=r"numbers but for '12 months' on line 5: .*--numeric tenure"
    ):
        load(path, "label", drop=("customer_id",), max_categories=10)


def test_empty_missing_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(UserError, match=r"is empty"):
        load(empty)
    with pytest.raises(UserError, match=r"data file not found"):
        load(tmp_path / "missing.csv")
    with pytest.raises(UserError, match=r"data file a directory"):
        load(tmp_path)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"x,y\n" + "café,1\n".encode("latin-1") * MIN_ROWS)
    with pytest.raises(UserError, match=r"is not UTF-8 text"):
        load(latin)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1" + b"\0" * 64)
    with pytest.raises(UserError, match=r"is not a readable Parquet file"):
        load(broken)


def test_a_row_with_too_many_cells_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("x,y\n" + "1,0\n" * MIN_ROWS + "1,0,5\n")
    with pytest.raises(UserError, match=f"not a valid CSV file: .*line {MIN_ROWS + 2}"):
        load(path)


def test_target_needs_data_and_data_needs_target(bundled_csv: Path) -> None:
    with pytest.raises(UserError, match=r"--target needs --data"):
        load_dataset(Settings(target="label"))
    with pytest.raises(UserError, match=r"needs --target"):
        load_dataset(Settings(data=bundled_csv))
