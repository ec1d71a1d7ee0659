"""The parts of a training loop that PyTorch and TensorFlow share, so that both train by the
same rules and report alike: the hyper-parameters, the validation rows held out of the
training split, early stopping on a plateau of the validation loss, one progress line per
epoch, and what `fit` reports.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split

from .config import MODEL
from .errors import UserError
from .params import Param, convert_params
from .reports import FitReport
from .task import strata

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkParams:
    """Hyper-parameters of a network; each one can be set with `train --param NAME=VALUE`."""

    epochs: int = 200  # the most epochs: training stops earlier on a plateau
    batch_size: int = 32
    learning_rate: float = 0.01  # of the AdamW optimizer
    weight_decay: float = 0.0  # AdamW's decoupled weight decay
    patience: int = 10  # epochs without a better validation loss before stopping
    validation_fraction: float = 0.2  # of the training rows, held out for early stopping
    layers: dict[str, Param] = field(default_factory=dict)  # the layers' own (see layers.py)

    def as_dict(self) -> dict[str, Param]:
        values = {name: value for name, value in asdict(self).items() if name != "layers"}
        return {**values, **self.layers}


# This model's defaults where they differ from NetworkParams', and its layers' own parameters.
{%- set defaults = frameworks[cookiecutter.framework].models[cookiecutter.model].hyperparameters %}
{%- if defaults %}
MODEL_DEFAULTS: dict[str, Param] = {
{%- for name, value in defaults.items() %}
    "{{ name }}": {{ value }},
{%- endfor %}
}
{%- else %}
MODEL_DEFAULTS: dict[str, Param] = {}
{%- endif %}
# What each value must be, in the words of the message that refuses another.
LIMITS: dict[str, tuple[Callable[[float], bool], str]] = {
    "epochs": (lambda value: value >= 1, "a whole number of at least 1"),
    "batch_size": (lambda value: value >= 1, "a whole number of at least 1"),
    "learning_rate": (lambda value: value > 0, "a number above 0"),
    "weight_decay": (lambda value: value >= 0, "a number of at least 0"),
    "patience": (lambda value: value >= 1, "a whole number of at least 1"),
    "validation_fraction": (lambda value: 0 < value <= 0.5, "a number above 0, at most 0.5"),
    "filters": (lambda value: value >= 1, "a whole number of at least 1"),
    "dropout": (lambda value: 0 <= value < 1, "a number from 0 up to (not including) 1"),
}


def network_params(given: dict[str, str]) -> NetworkParams:
    """The defaults with `given` (text from --param) converted and checked; one clear error."""
    defaults = {**NetworkParams().as_dict(), **MODEL_DEFAULTS}
    values = {**defaults, **convert_params(given, defaults)}
    for name, value in values.items():
        accept, expected = LIMITS[name]
        kind = int if isinstance(defaults[name], int) else float
        if not isinstance(value, kind) or not accept(value):
            raise UserError(f"--param {name}={given[name]}: expected {expected}")
    shared = {name: values.pop(name) for name in NetworkParams().as_dict()}
    return NetworkParams(**shared, layers=values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Validation:
    """The training rows left to fit on, and the validation rows (`features`, `target`)."""

    train_features: np.ndarray
    features: np.ndarray
    train_target: np.ndarray
    target: np.ndarray


def hold_out(features: np.ndarray, target: np.ndarray, fraction: float, seed: int) -> Validation:
    """Rows of the training split kept for the validation loss (stratified for classifiers)."""
    try:
        parts = train_test_split(
            features, target, test_size=fraction, random_state=seed, stratify=strata(target)
        )
    except ValueError as exc:  # too few rows of some class to hold out
        raise UserError(
            f"cannot hold out validation_fraction={fraction} of the training rows: {exc}"
        ) from None
    return Validation(*parts)


class EarlyStopping:
    """Keep the best epoch by validation loss; stop after `patience` epochs without a better one.

    Each framework asks `update` after every epoch and, when it answers True, keeps a copy
    of the weights; at the end it restores them, so the model saved is the best one seen.
    """

    MIN_IMPROVEMENT = 1e-4  # relative: a smaller gain counts as no gain

    def __init__(self, params: NetworkParams) -> None:
        self.params = params
        self.best_loss = math.inf
        self.best_epoch = 0
        self.train_loss: list[float] = []
        self.validation_loss: list[float] = []

    @property
    def epoch(self) -> int:
        return len(self.validation_loss)

    def update(self, train_loss: float, validation_loss: float) -> bool:
        """Record an epoch's losses and log them; returns whether it is the best so far."""
        if not (math.isfinite(train_loss) and math.isfinite(validation_loss)):
            raise UserError(
                f"{MODEL} diverged at epoch {self.epoch + 1} (the loss is not a finite number): "
                "lower --param learning_rate, or check the data for extreme values"
            )
        self.train_loss.append(train_loss)
        self.validation_loss.append(validation_loss)
        improved = validation_loss < self.best_loss * (1 - self.MIN_IMPROVEMENT)  # losses are >= 0
        if improved:
            self.best_loss, self.best_epoch = validation_loss, self.epoch
        log.info(
            "epoch %d/%d: loss %.4f, validation loss %.4f%s",
            self.epoch,
            self.params.epochs,
            train_loss,
            validation_loss,
            " (best)" if improved else "",
        )
        return improved

    @property
    def should_stop(self) -> bool:
        return self.epoch - self.best_epoch >= self.params.patience

    def report(self, device: str) -> FitReport:
        """Converged when it stopped on a plateau; says so in one line when it did not."""
        converged = self.should_stop
        if not converged:
            log.warning(
                "warning: %s did not converge: the validation loss was still falling after "
                "%d epochs; raise --param epochs=...",
                MODEL,
                self.epoch,
            )
        log.info("Best validation loss %.4f at epoch %d", self.best_loss, self.best_epoch)
        return FitReport(
            converged,
            epochs=self.epoch,
            best_epoch=self.best_epoch,
            device=device,
            train_loss=list(self.train_loss),
            validation_loss=list(self.validation_loss),
        )
