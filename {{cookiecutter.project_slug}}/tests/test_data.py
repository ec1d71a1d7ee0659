"""Loading data: the bundled default, a user's CSV file, and every way a file can be wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.config import DEFAULT_DATASET, TASK, Settings
from {{ cookiecutter.package_name }}.data import MIN_ROWS, load_csv, load_dataset
from {{ cookiecutter.package_name }}.errors import UserError

from .conftest import write_csv


def test_default_is_the_bundled_dataset() -> None:
    dataset = load_dataset(Settings())
    assert dataset.name == DEFAULT_DATASET
    assert dataset.features.shape == (dataset.n_rows, len(dataset.feature_names))
    assert len(dataset.target) == dataset.n_rows


def test_csv_file_round_trips_the_bundled_dataset(bundled_csv: Path) -> None:
    bundled = load_dataset(Settings())
    loaded = load_dataset(Settings(data=bundled_csv, target="label"))
    assert loaded.feature_names == bundled.feature_names
    np.testing.assert_allclose(loaded.features, bundled.features)
    np.testing.assert_array_equal(loaded.target, bundled.target)


def rows(n: int, value: object = 1.0) -> list[list[object]]:
    return [[value, index % 2] for index in range(n)]


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        (["x", "y"], rows(0), "has a header but no data rows"),
        (["x", "y"], rows(MIN_ROWS - 1), f"training needs at least {MIN_ROWS}"),
        (["x", "z"], rows(MIN_ROWS), "no column named 'y'; the columns are: x, z"),
        (["x", "y"], rows(MIN_ROWS, "abc"), "feature column 'x' has 'abc' on line 2"),
        (["x", "y"], rows(MIN_ROWS, ""), "feature column 'x' has an empty value on line 2"),
        (["x", "y"], rows(MIN_ROWS, "nan"), "feature column 'x' has 'nan' on line 2"),
        (["x", "x", "y"], [[1, 2, 0]] * MIN_ROWS, "duplicate column names: x"),
        (["y"], [[0]] * MIN_ROWS, "no feature columns besides the target 'y'"),
    ],
)
def test_bad_csv_files_are_refused_with_the_reason(
    tmp_path: Path, header: list[str], body: list[list[object]], message: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", header, body)
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        load_csv(path, "y", TASK)


def test_empty_and_missing_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(UserError, match="is empty"):
        load_csv(empty, "y", TASK)
    with pytest.raises(UserError, match="data file not found"):
        load_csv(tmp_path / "missing.csv", "y", TASK)


def test_ragged_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("x,y\n" + "1,0\n" * MIN_ROWS + "1\n")
    with pytest.raises(UserError, match=f"line {MIN_ROWS + 2} has 1 values, the header has 2"):
        load_csv(path, "y", TASK)


def test_target_needs_data_and_data_needs_target(bundled_csv: Path) -> None:
    with pytest.raises(UserError, match="--target needs --data"):
        load_dataset(Settings(target="label"))
    with pytest.raises(UserError, match="needs --target"):
        load_dataset(Settings(data=bundled_csv))
