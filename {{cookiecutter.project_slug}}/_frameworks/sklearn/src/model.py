"""scikit-learn models, saved with joblib.

They train on the output of features.py (scaled numbers, one-hot categories); which
estimator, and its arguments, is config.yaml's `model` (any scikit-learn estimator, or your
own with scikit-learn's API). The rest of the package only calls what contracts.py's
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
from sklearn.base import BaseEstimator, is_classifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning

from .configuration import ModelChoice, Training, model_class
from .errors import UserError
from .reports import FitReport

log = logging.getLogger(__name__)

MODEL_FILE = "model.joblib"
VERSION = f"scikit-learn {sklearn.__version__}"
# What config.yaml's model may be: any estimator; its arguments are its own, all set there.
MODEL_BASE = BaseEstimator
TRAINING = Training
DECIDED_BY_DATA: frozenset[str] = frozenset()
# Where scikit-learn's trees and tree ensembles live (decision trees, forests, gradient
# boosting, isolation forest): models that split on raw numbers.
TREE_MODULES = (
    "sklearn.tree.",
    "sklearn.ensemble._forest",
    "sklearn.ensemble._gb",
    "sklearn.ensemble._hist_gradient_boosting",
    "sklearn.ensemble._iforest",
)


def build_model(choice: ModelChoice, training: Training) -> BaseEstimator:
    """The estimator config.yaml names, with its arguments, checked before any data is read.

    The training seed fixes its randomness unless the config sets `random_state` itself.
    Values are refused with the estimator's own rules (scikit-learn's parameter checks).
    A classifier without probabilities (SVC) is calibrated on held-out folds, so that its
    probabilities exist and its predicted class is the most probable one.
    """
    estimator = model_class(choice.class_path)(**choice.init_args)
    if estimator.get_params().get("random_state", 0) is None:
        estimator.set_params(random_state=training.seed)
    validate = getattr(estimator, "_validate_params", None)  # fit()'s own checks, done now
    try:
        if validate is not None:
            validate()
    except ValueError as exc:  # InvalidParameterError: names the parameter and what it takes
        raise UserError(f"config key model.init_args: {exc}") from None
    if is_classifier(estimator) and not hasattr(estimator, "predict_proba"):
        return CalibratedClassifierCV(estimator, ensemble=False)
    return estimator


def wants_scaled_inputs(model: BaseEstimator) -> bool:
    """Not for trees and their ensembles: a split is the same on raw numbers, and scaling in
    the ONNX graph's float32 would move rows across splits (probabilities off by 0.005)."""
    module = type(estimator_of(model)).__module__
    return not module.startswith(TREE_MODULES)


def estimator_of(model: BaseEstimator) -> BaseEstimator:
    """The estimator config.yaml names (inside its calibration, if it has one)."""
    return model.estimator if isinstance(model, CalibratedClassifierCV) else model


def params(model: BaseEstimator) -> dict[str, Any]:
    """The estimator's arguments as set for training (for metrics.json)."""
    return dict(estimator_of(model).get_params(deep=False))


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
            raise UserError(f"{name_of(model)} could not be trained: {exc}") from None
    for warning in caught:  # recording swallowed every warning: show the others again
        if not issubclass(warning.category, ConvergenceWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    if any(issubclass(warning.category, ConvergenceWarning) for warning in caught):
        log.warning(
            "warning: %s did not converge; raise its iteration limit (in config.yaml, or "
            "--model.init_args.max_iter ...) or simplify the data",
            name_of(model),
        )
        return FitReport(converged=False)
    return FitReport(converged=True)


def name_of(model: BaseEstimator) -> str:
    return type(estimator_of(model)).__name__


def predict(model: BaseEstimator, features: np.ndarray) -> np.ndarray:
    """Class codes for a classifier, numbers for a regressor."""
    predictions: np.ndarray = model.predict(features)
    return predictions


def predict_proba(model: BaseEstimator, features: np.ndarray) -> np.ndarray | None:
    """Class probabilities, one column per class code; None for a regressor."""
    if not is_classifier(model):
        return None
    probabilities: np.ndarray = model.predict_proba(features)
    return probabilities


def save_model(model: BaseEstimator, path: Path) -> None:
    joblib.dump(model, path)


def load_model(path: Path) -> BaseEstimator:
    return joblib.load(path)
