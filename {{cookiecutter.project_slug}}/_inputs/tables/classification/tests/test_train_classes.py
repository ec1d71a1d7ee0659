"""Training a classifier: the split keeps each class in proportion, and labels a split
cannot hold are refused with what is wrong."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.train import split_dataset, train

from .conftest import dataset_of


def test_the_split_holds_out_the_test_size_in_proportion_to_each_class() -> None:
    data = dataset_of(["0"] * 90 + ["1"] * 10)
    for seed in range(5):
        split = split_dataset(data, seed, 0.2)
        assert len(split.test_target) == 20
        assert list(split.test_target).count("1") == 2  # 10% of the test rows, as of all rows


def test_a_class_of_two_rows_can_be_split() -> None:
    split = split_dataset(dataset_of(["a", "b"] * 10 + ["c", "c"]), 42, 0.2)
    assert set(split.train_target) == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["a"] * 20, "labels.csv: target 'y' has one class; a classifier needs two or more"),
        (["a", "b"] * 10 + ["c"], "labels.csv: class 'c' of 'y' has one row; each class needs 2"),
        (  # a test part of 3 rows for 6 classes
            list("abcdef") * 2,
            r"cannot split labels.csv with test size 0.2: .*; training.test_size 0.5 would work",
        ),
    ],
)
def test_classes_a_split_cannot_hold_are_refused(
    labels: list[str], message: str, tmp_path: Path
) -> None:
    rows = pd.DataFrame({"x": range(len(labels)), "y": labels})
    rows.to_csv(tmp_path / "labels.csv", index=False)
    with pytest.raises(UserError, match=message):
        train(Settings(data=tmp_path / "labels.csv", target="y", models_dir=tmp_path / "m"))
