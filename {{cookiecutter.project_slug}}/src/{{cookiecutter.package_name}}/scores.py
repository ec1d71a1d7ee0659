"""What the model says of a batch of rows, as plain arrays: the prediction for each row and,
for a classifier, each class's probability.

Every way of scoring (`predict` on a file, the service's routes with the framework or with
ONNX Runtime) ends in one of these, so they give the same answers for the same rows. NumPy
alone: the serving image, which has no training framework, builds them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PREDICTION_COLUMN = "prediction"
PROBABILITY_PREFIX = "probability_"
DECIMALS = 6  # probabilities are given rounded: the same digits from every path


@dataclass(frozen=True)
class Scores:
    """The prediction for each row (a label, or a number for a regressor) and, for a
    classifier, each class's probability (rows x classes, rounded to DECIMALS)."""

    predictions: np.ndarray
    probabilities: np.ndarray | None
    classes: list[str]

    def __len__(self) -> int:
        return len(self.predictions)

    def columns(self) -> dict[str, np.ndarray]:
        """The prediction column, then one probability column per class."""
        columns = {PREDICTION_COLUMN: self.predictions}
        if self.probabilities is not None:
            columns |= {
                PROBABILITY_PREFIX + label: self.probabilities[:, at]
                for at, label in enumerate(self.classes)
            }
        return columns


def no_scores(classes: list[str]) -> Scores:
    """The scores of an empty batch (the model is not asked: scikit-learn refuses zero rows)."""
    if classes:
        return Scores(np.empty(0, dtype=object), np.empty((0, len(classes))), classes)
    return Scores(np.empty(0), None, [])
