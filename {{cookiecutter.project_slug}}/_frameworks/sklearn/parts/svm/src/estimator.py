"""The support vector machine: scikit-learn's SVC (RBF kernel), calibrated on held-out folds
so that its class probabilities agree with its predictions."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import SVC

from .params import Param

ESTIMATOR = SVC
# Where this project's defaults differ from scikit-learn's.
DEFAULT_PARAMS: dict[str, Param] = {"C": 10.0}


def for_training(estimator: BaseEstimator) -> BaseEstimator:
    """SVC(probability=True) is deprecated, and its probabilities can disagree with its
    predictions; calibrated on held-out folds, the predicted class is the most probable."""
    return CalibratedClassifierCV(estimator, ensemble=False)


def estimator_of(model: BaseEstimator) -> BaseEstimator:
    """The SVC inside the calibration (its parameters are the ones set)."""
    estimator: BaseEstimator = model.estimator
    return estimator


def predict_proba(model: BaseEstimator, features: np.ndarray) -> np.ndarray | None:
    """Class probabilities, one column per class code."""
    probabilities: np.ndarray = model.predict_proba(features)
    return probabilities
