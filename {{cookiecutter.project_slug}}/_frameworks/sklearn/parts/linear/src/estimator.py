"""The linear regression model: scikit-learn's LinearRegression (ordinary least squares)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression

from .params import Param

ESTIMATOR = LinearRegression
# Where this project's defaults differ from scikit-learn's: nowhere.
DEFAULT_PARAMS: dict[str, Param] = {}


def for_training(estimator: BaseEstimator) -> BaseEstimator:
    """What is trained and saved: the estimator itself."""
    return estimator


def estimator_of(model: BaseEstimator) -> BaseEstimator:
    return model


def predict_proba(_model: BaseEstimator, _features: np.ndarray) -> np.ndarray | None:
    """A regressor has no class probabilities."""
    return None
