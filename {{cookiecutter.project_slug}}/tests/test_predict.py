"""Scoring a file: one output row per input row, input columns kept, nothing half-written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import TASK, Settings
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.predict import PREDICTION_COLUMN, predict_file

from .conftest import write_csv


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_predictions_keep_input_columns_and_add_scores(
    trained: tuple[Settings, dict], bundled_csv: Path, tmp_path: Path
) -> None:
    settings, _ = trained
    output = tmp_path / "out" / "scored.csv"
    count = predict_file(bundled_csv, output, settings.models_dir)
    inputs, outputs = read_rows(bundled_csv), read_rows(output)
    assert count == len(inputs) == len(outputs)
    for given, scored in zip(inputs, outputs, strict=True):
        assert {key: scored[key] for key in given} == given
        float(scored[PREDICTION_COLUMN])
    probability_columns = [name for name in outputs[0] if name.startswith("probability_")]
    if TASK == "classification":
        assert probability_columns
        total = sum(float(outputs[0][name]) for name in probability_columns)
        assert total == pytest.approx(1.0, abs=1e-4)
        accuracy = sum(row["label"] == row[PREDICTION_COLUMN] for row in outputs) / len(outputs)
        assert accuracy > 0.9
    else:
        assert not probability_columns


def test_missing_feature_column_fails_and_writes_nothing(
    trained: tuple[Settings, dict], tmp_path: Path
) -> None:
    settings, _ = trained
    source = write_csv(tmp_path / "in.csv", ["unrelated"], [[1.0], [2.0]])
    output = tmp_path / "out.csv"
    with pytest.raises(UserError, match="missing feature column"):
        predict_file(source, output, settings.models_dir)
    assert list(tmp_path.iterdir()) == [source]


def test_a_failure_keeps_the_previous_output_whole(
    trained: tuple[Settings, dict], bundled_csv: Path, tmp_path: Path
) -> None:
    settings, _ = trained
    output = tmp_path / "out.csv"
    predict_file(bundled_csv, output, settings.models_dir)
    before = output.read_bytes()
    broken = tmp_path / "broken.csv"
    lines = bundled_csv.read_text().splitlines()
    broken.write_text("\n".join([*lines[:50], "x" + lines[50], *lines[51:]]) + "\n")
    with pytest.raises(UserError, match="line 51"):
        predict_file(broken, output, settings.models_dir)
    assert output.read_bytes() == before
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_predict_without_a_model_says_to_train_first(bundled_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="run `train` first"):
        predict_file(bundled_csv, tmp_path / "out.csv", tmp_path / "no-models")
