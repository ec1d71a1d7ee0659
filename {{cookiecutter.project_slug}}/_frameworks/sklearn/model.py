"""scikit-learn models: a scaling + estimator Pipeline, saved with joblib.

The rest of the package only calls the functions below, so another framework can
provide the same five functions without touching data loading, training or reports.
"""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
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


def build_model(params: Params, seed: int) -> Pipeline:
    """Scale the features, then fit the chosen estimator; `seed` fixes any randomness."""
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
        estimator = SVC(probability=True, random_state=seed, **settings)
    else:
        estimator = LinearRegression(**settings)
    return make_pipeline(StandardScaler(), estimator)


def fit(model: Pipeline, features: np.ndarray, target: np.ndarray) -> Pipeline:
    try:
        return model.fit(features, target)
    except ValueError as exc:  # e.g. a hyper-parameter value the estimator rejects
        raise UserError(f"{MODEL} could not be trained: {exc}") from None


def predict(model: Pipeline, features: np.ndarray) -> np.ndarray:
    return model.predict(features)


def predict_proba(model: Pipeline, features: np.ndarray) -> np.ndarray | None:
    """Class probabilities (columns in the order of `classes`), or None for a regressor."""
    return model.predict_proba(features) if hasattr(model, "predict_proba") else None


def classes(model: Pipeline) -> list:
    return model.classes_.tolist() if hasattr(model, "classes_") else []


def save_model(model: Pipeline, path: Path) -> None:
    joblib.dump(model, path)


def load_model(path: Path) -> Pipeline:
    return joblib.load(path)
