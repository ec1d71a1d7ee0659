"""Loading a classifier's table: class labels are text, kept as written."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset

from .conftest import write_csv


def test_class_labels_keep_their_text(tmp_path: Path) -> None:
    rows = [[i, ["01", "1.50", "setosa"][i % 3]] for i in range(12)]
    path = write_csv(tmp_path / "labels.csv", ["x", "y"], rows)
    dataset = load_dataset(Settings(data=path, target="y"))
    assert sorted(set(dataset.target)) == ["01", "1.50", "setosa"]
