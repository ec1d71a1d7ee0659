"""scikit-learn models, saved with joblib.

They train on the output of features.py (scaled numbers, one-hot categories); which
estimator is in estimator.py. The rest of the package only calls what contracts.py's
`Framework` lists, so another framework can provide the same functions without touching
data loading, preprocessing, training or reports.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from .config import MODEL
from .errors import UserError
from .estimator import DEFAULT_PARAMS, ESTIMATOR, estimator_of, for_training
from .estimator import predict_proba as predict_proba
from .params import convert_params
from .reports import FitReport

log = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
VERSION = f"scikit-learn {sklearn.__version__}"
# Any parameter of the estimator (estimator.py) can be set with `train --param NAME=VALUE`.
# Parameters --param does not set: the seed has its own flag, the others are deprecated.
NOT_PARAMS = {"random_state", "probability", "penalty"}


def build_model(given: dict[str, str], seed: int) -> BaseEstimator:
    """The chosen estimator with its parameters, checked before any data is read.

    `seed` fixes any randomness. Values are refused with the estimator's own rules, plus
    two it does not have: numbers must be finite and an iteration limit cannot be 0.
    """
    estimator = ESTIMATOR(**DEFAULT_PARAMS)
    defaults = {k: v for k, v in estimator.get_params().items() if k not in NOT_PARAMS}
    params = convert_params(given, defaults)
    if params.get("max_iter") == 0:
        raise UserError("--param max_iter=0: expected at least 1 iteration")
    estimator.set_params(**params)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=seed)
    try:
        estimator._validate_params()  # the checks fit() would make, before any data is read
    except ValueError as exc:  # InvalidParameterError: names the parameter and what it takes
        raise UserError(f"--param: {exc}") from None
    return for_training(estimator)


def params(model: BaseEstimator) -> dict[str, Any]:
    """The estimator's parameters as set for training (for metrics.json)."""
    return {k: v for k, v in estimator_of(model).get_params().items() if k not in NOT_PARAMS}


def is_chief() -> bool:
    """Always: scikit-learn trains in this one process."""
    return True


def fit(model: BaseEstimator, features: np.ndarray, target: np.ndarray) -> FitReport:
    """Fit in place; not converged (and says so) if the solver stopped before converging.

    `target` holds class codes 0..K-1 for a classifier (see task.py), numbers for a regressor.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            model.fit(features, target)
        except ValueError as exc:  # e.g. a combination of parameters the estimator rejects
            raise UserError(f"{MODEL} could not be trained: {exc}") from None
    for warning in caught:  # recording swallowed every warning: show the others again
        if not issubclass(warning.category, ConvergenceWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if any(issubclass(warning.category, ConvergenceWarning) for warning in caught):
        log.warning(
            "warning: %s did not converge; raise the iteration limit (--param max_iter=...) "
            "or simplify the data",
            MODEL,
        )
        return FitReport(converged=False)
    return FitReport(converged=True)


def predict(model: BaseEstimator, features: np.ndarray) -> np.ndarray:
    """Class codes for a classifier, numbers for a regressor."""
    predictions: np.ndarray = model.predict(features)
    return predictions


def save_model(model: BaseEstimator, path: Path) -> None:
    joblib.dump(model, path)


def load_model(path: Path) -> BaseEstimator:
    return joblib.load(path)
