"""A regressor's scores: numbers, as the model gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.scores import PREDICTION_COLUMN

from .conftest import NETWORK, predict_file_to, read_rows


def test_predictions_are_numbers_with_no_probabilities(
    trained: tuple[Settings, dict[str, Any]], bundled_csv: Path
) -> None:
    settings, _ = trained
    outputs = read_rows(predict_file_to(bundled_csv, settings.models_dir))
    assert not [name for name in outputs[0] if name.startswith("probability_")]
    written = [row[PREDICTION_COLUMN] for row in outputs]
    predictions = [float(text) for text in written]
    assert len(set(predictions)) > len(predictions) / 2
    if NETWORK:  # a network's float32 numbers, with no float64 digits added
        assert [str(np.float32(text)) for text in written] == written
