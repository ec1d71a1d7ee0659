"""Training a regressor: any rows can be split, so long as each part gets one."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.train import split_dataset

from .conftest import dataset_of


def test_one_test_row_is_enough_for_a_regressor() -> None:
    split = split_dataset(dataset_of([str(i % 2) for i in range(10)]), 42, 0.05)
    assert (len(split.train_target), len(split.test_target)) == (9, 1)


def test_rows_too_few_for_any_test_size_are_named() -> None:
    message = r"test size 0\.2: .*; too few rows \(1\) for a training and a test part$"
    with pytest.raises(UserError, match=message):
        split_dataset(dataset_of(["1"]), 42, 0.2)
