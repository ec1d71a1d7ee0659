"""What the shared table tests need to know about a classifier: its headline metric, a
baseline, how the customer table's labels are made, and the columns a prediction adds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from {{ cookiecutter.package_name }}.scores import PREDICTION_COLUMN

METRIC = "accuracy"
# A model that ignores the features: it predicts the most frequent class.
BASELINE = DummyClassifier
# The columns a prediction of the customer table adds, and those among them written as numbers.
PREDICTION_COLUMNS = [PREDICTION_COLUMN, "probability_no", "probability_yes"]
NUMBER_COLUMNS = ["probability_no", "probability_yes"]
# Test sizes a classifier cannot split (on top of those no model can): each part needs a row
# of every class.
UNSPLITTABLE = [pytest.param(10, 0.05, id="too few test rows")]


def customer_label(signal: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The labels: "yes" where the standardized signal is above zero, else "no"; 10% flipped."""
    flipped = rng.random(len(signal)) < 0.1
    return np.where((signal > 0) != flipped, "yes", "no").astype(object)
