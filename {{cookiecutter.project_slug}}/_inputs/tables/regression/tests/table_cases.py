"""What the shared table tests need to know about a regressor: its headline metric, a
baseline, how the customer table's target is made, and the columns a prediction adds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from {{ cookiecutter.package_name }}.scores import PREDICTION_COLUMN

METRIC = "r2"
# A model that ignores the features: it predicts the mean.
BASELINE = DummyRegressor
# The columns a prediction of the customer table adds, and those among them written as numbers.
PREDICTION_COLUMNS = [PREDICTION_COLUMN]
NUMBER_COLUMNS = [PREDICTION_COLUMN]
# Test sizes a regressor cannot split (on top of those no model can): three rows at 0.9 leave
# none to train on.
UNSPLITTABLE = [pytest.param(3, 0.9, id="a few rows")]


def customer_label(signal: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A number around 100 that follows the standardized signal, with noise."""
    return (100 + 20 * signal + rng.normal(0, 20 / 3, len(signal))).round(3).astype(object)
