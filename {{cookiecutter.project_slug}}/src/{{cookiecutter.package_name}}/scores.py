"""What the model says of a batch of rows: the prediction, and each class's probability.

Every way of scoring (`predict` on a file, and the service's routes where there is one)
ends here, so they give the same answers for the same rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .artifact import Artifact
from .task import decode, predict_rows

PREDICTION_COLUMN = "prediction"
PROBABILITY_PREFIX = "probability_"
DECIMALS = 6  # probabilities are written rounded: the same digits from every path


def output_columns(artifact: Artifact) -> list[str]:
    """The prediction, then one probability column per class (none for a regressor)."""
    return [PREDICTION_COLUMN, *(PROBABILITY_PREFIX + label for label in artifact.classes)]


def score_matrix(artifact: Artifact, matrix: Any, index: pd.Index | None = None) -> pd.DataFrame:
    """The prediction and each class's probability for every row of the preprocessed
    `matrix`, from one pass of the model."""
    predicted, probabilities = predict_rows(artifact.model, matrix)
    columns = {PREDICTION_COLUMN: decode(predicted, artifact.classes)}
    if probabilities is not None:  # built at once: adding columns one by one costs more
        rounded = np.round(probabilities, DECIMALS)
        columns |= {
            PROBABILITY_PREFIX + label: rounded[:, at] for at, label in enumerate(artifact.classes)
        }
    return pd.DataFrame(columns, index=index)
