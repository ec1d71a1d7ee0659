"""Class labels as the user wrote them, and the numbers 0..K-1 every framework trains on.

The codes follow the sorted labels, which model.json keeps as `classes`: a model predicts
codes (and one probability column per code), and `decode` gives the user's labels back.
"""

from __future__ import annotations

import numpy as np

from .config import TASK


def encode(target: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes for a classifier's labels, and the labels in code order; regressors pass through."""
    if TASK == "regression":
        return target, []
    classes, codes = np.unique(target.astype(str), return_inverse=True)
    return codes.astype(np.int64), [str(label) for label in classes]


def decode(predicted: np.ndarray, classes: list[str]) -> np.ndarray:
    """A classifier's predicted codes as labels; a regressor's numbers as they are."""
    if not classes:
        return predicted
    return np.asarray(classes, dtype=object)[predicted.astype(np.int64)]
