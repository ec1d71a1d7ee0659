"""scikit-learn models, saved with joblib.

They train on the output of features.py (scaled numbers, one-hot categories). The rest
of the package only calls the functions below, so another framework can provide the
same functions without touching data loading, preprocessing, training or reports.
"""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import SVC

from .config import MODEL
from .errors import UserError

Params = dict[str, float | int | str]

MODEL_FILE = "model.joblib"

# Hyper-parameters of each model, overridable with `train --param NAME=VALUE`.
DEFAULT_PARAMS: dict[str, Params] = {
    "logistic": {"C": 1.0, "max_iter": 1000},
    "linear": {},
    "svm": {"C": 10.0, "gamma": "scale", "kernel": "rbf"},
}


def build_model(params: Params, seed: int) -> BaseEstimator:
    """The chosen estimator with its parameters; `seed` fixes any randomness."""
    unknown = sorted(set(params) - set(DEFAULT_PARAMS[MODEL]))
    if unknown:
        allowed = ", ".join(DEFAULT_PARAMS[MODEL]) or "none"
        raise UserError(
            f"unknown parameter(s) for {MODEL}: {', '.join(unknown)}; allowed: {allowed}"
        )
    settings = {**DEFAULT_PARAMS[MODEL], **params}
    estimator: BaseEstimator
    if MODEL == "logistic":
        estimator = LogisticRegression(random_state=seed, **settings)
    elif MODEL == "svm":
        # SVC(probability=True) is deprecated, and its probabilities can disagree with its
        # predictions; calibrated on held-out folds, the predicted class is the most probable.
        estimator = CalibratedClassifierCV(SVC(random_state=seed, **settings), ensemble=False)
    else:
        estimator = LinearRegression(**settings)
    return estimator


def fit(model: BaseEstimator, features: np.ndarray, target: np.ndarray) -> BaseEstimator:
    try:
        return model.fit(features, target)
    except ValueError as exc:  # e.g. a hyper-parameter value the estimator rejects
        raise UserError(f"{MODEL} could not be trained: {exc}") from None


def predict(model: BaseEstimator, features: np.ndarray) -> np.ndarray:
    return model.predict(features)


def predict_proba(model: BaseEstimator, features: np.ndarray) -> np.ndarray | None:
    """Class probabilities (columns in the order of `classes`), or None for a regressor."""
    return model.predict_proba(features) if hasattr(model, "predict_proba") else None


def classes(model: BaseEstimator) -> list:
    return model.classes_.tolist() if hasattr(model, "classes_") else []


def save_model(model: BaseEstimator, path: Path) -> None:
    joblib.dump(model, path)


def load_model(path: Path) -> BaseEstimator:
    return joblib.load(path)
