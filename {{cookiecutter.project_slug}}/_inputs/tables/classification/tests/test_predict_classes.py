"""A classifier's scores: the most probable class, its probabilities, and labels as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.predict import predict_file
from {{ cookiecutter.package_name }}.scores import PREDICTION_COLUMN
from {{ cookiecutter.package_name }}.train import train

from .conftest import predict_file_to, read_rows, write_csv


def test_the_prediction_is_the_most_probable_class(
    trained: tuple[Settings, dict[str, Any]], bundled_csv: Path, tmp_path: Path
) -> None:
    settings, _ = trained
    output = tmp_path / "out" / "scored.csv"
    predict_file(bundled_csv, output, settings.models_dir)
    outputs = read_rows(output)
    probability_columns = [name for name in outputs[0] if name.startswith("probability_")]
    assert probability_columns
    total = sum(float(outputs[0][name]) for name in probability_columns)
    assert total == pytest.approx(1.0, abs=1e-4)
    decimals = {len(row[name].partition(".")[2]) for row in outputs for name in probability_columns}
    assert max(decimals) <= 6  # rounded to 6 decimals, not written in full
    for row in outputs:  # the predicted class is the most probable one, on every row
        best = max(probability_columns, key=lambda name: float(row[name]))
        assert best == f"probability_{row[PREDICTION_COLUMN]}"


def test_predicted_labels_are_written_as_in_the_training_file(tmp_path: Path) -> None:
    rows = [[i, i % 4, ["01", "1.50"][i % 2]] for i in range(40)]
    data = write_csv(tmp_path / "labels.csv", ["x", "z", "y"], rows)
    train(Settings(data=data, target="y", models_dir=tmp_path / "m"))
    scored = read_rows(predict_file_to(data, tmp_path / "m"))
    assert {row[PREDICTION_COLUMN] for row in scored} <= {"01", "1.50"}
    assert {"probability_01", "probability_1.50"} <= set(scored[0])
