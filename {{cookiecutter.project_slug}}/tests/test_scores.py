"""Scores of an empty batch: what every way of scoring answers for zero rows (scikit-learn and
ONNX Runtime are not asked), with the same columns as any other batch."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.scores import no_scores


@pytest.mark.parametrize("classes", [["no", "yes"], []], ids=["classifier", "regressor"])
def test_an_empty_batch_has_every_column_and_no_row(classes: list[str]) -> None:
    scores = no_scores(classes)
    assert len(scores) == 0 and scores.classes == classes
    columns = scores.columns()
    assert list(columns) == ["prediction", *(f"probability_{label}" for label in classes)]
    assert all(len(values) == 0 for values in columns.values())
    # labels are text (object), a regressor's values numbers, as in a batch with rows
    assert scores.predictions.dtype == (np.dtype(object) if classes else np.dtype(float))
    if classes:
        assert scores.probabilities is not None and scores.probabilities.shape == (0, 2)
    else:
        assert scores.probabilities is None
