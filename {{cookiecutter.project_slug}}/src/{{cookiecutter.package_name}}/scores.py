"""What the model says of a batch of rows: the prediction, and each class's probability.

Every way of scoring (`predict` on a file, and the service's routes where there is one)
ends here, so they give the same answers for the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .artifact import Artifact
from .task import decode, predict_rows

PREDICTION_COLUMN = "prediction"
PROBABILITY_PREFIX = "probability_"
DECIMALS = 6  # probabilities are written rounded: the same digits from every path


@dataclass(frozen=True)
class Scores:
    """The prediction for each row (a label, or a number for a regressor) and, for a
    classifier, each class's probability: plain arrays, which a service answers from directly
    (a data frame costs more than the model for a few rows)."""

    predictions: np.ndarray
    probabilities: np.ndarray | None  # rows x classes, rounded to DECIMALS
    classes: list[str]

    def __len__(self) -> int:
        return len(self.predictions)

    def frame(self, index: pd.Index | None = None) -> pd.DataFrame:
        """The prediction column, then one probability column per class."""
        columns = {PREDICTION_COLUMN: self.predictions}
        if self.probabilities is not None:  # built at once: adding columns one by one costs more
            columns |= {
                PROBABILITY_PREFIX + label: self.probabilities[:, at]
                for at, label in enumerate(self.classes)
            }
        return pd.DataFrame(columns, index=index)


def score_matrix(artifact: Artifact, matrix: Any) -> Scores:
    """The prediction and each class's probability for every row of the preprocessed
    `matrix`, from one pass of the model."""
    predicted, probabilities = predict_rows(artifact.model, matrix)
    rounded = None if probabilities is None else np.round(probabilities, DECIMALS)
    return Scores(decode(predicted, artifact.classes), rounded, artifact.classes)


def no_scores(artifact: Artifact) -> Scores:
    """The scores of an empty batch: the model is not asked (scikit-learn refuses zero rows)."""
    width = len(artifact.classes)
    return Scores(
        np.empty(0, dtype=object if width else np.float64),
        np.empty((0, width)) if width else None,
        artifact.classes,
    )
