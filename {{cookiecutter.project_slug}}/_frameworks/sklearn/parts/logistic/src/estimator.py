"""The logistic regression model: scikit-learn's LogisticRegression."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from .params import Param

ESTIMATOR = LogisticRegression
# Where this project's defaults differ from scikit-learn's.
DEFAULT_PARAMS: dict[str, Param] = {"max_iter": 1000}


def for_training(estimator: BaseEstimator) -> BaseEstimator:
    """What is trained and saved: the estimator itself."""
    return estimator


def estimator_of(model: BaseEstimator) -> BaseEstimator:
    return model


def predict_proba(model: BaseEstimator, features: np.ndarray) -> np.ndarray | None:
    """Class probabilities, one column per class code."""
    probabilities: np.ndarray = model.predict_proba(features)
    return probabilities
