"""The parts of a training loop that PyTorch and TensorFlow share, so that both train by the
same rules and report alike: the hyper-parameters, the validation rows held out of the
training split, early stopping on a plateau of the validation loss, one progress line per
epoch, and what `fit` reports.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from .configuration import Training
from .errors import UserError
from .reports import FitReport
from .task import strata

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkTraining(Training):
    """How a network trains (config.yaml's `training`): the seed and held-out fraction, the
    AdamW optimizer's settings, the batches, and when to stop."""

    epochs: int = 200  # the most epochs: training stops earlier on a plateau
    batch_size: int = 32
    learning_rate: float = 0.01  # of the AdamW optimizer
    weight_decay: float = 0.0  # AdamW's decoupled weight decay
    patience: int = 10  # epochs without a better validation loss before stopping
    validation_fraction: float = 0.2  # of the training rows, held out for early stopping

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, accept, expected in LIMITS:
            if not accept(getattr(self, name)):
                raise ValueError(f"{name}: expected {expected}")


# What each setting must be, in the words of the message that refuses another.
LIMITS: tuple[tuple[str, Callable[[float], bool], str], ...] = (
    ("epochs", lambda value: value >= 1, "a whole number of at least 1"),
    ("batch_size", lambda value: value >= 1, "a whole number of at least 1"),
    ("learning_rate", lambda value: 0 < value < math.inf, "a finite number above 0"),
    ("weight_decay", lambda value: 0 <= value < math.inf, "a finite number of at least 0"),
    ("patience", lambda value: value >= 1, "a whole number of at least 1"),
    ("validation_fraction", lambda value: 0 < value <= 0.5, "a number above 0, at most 0.5"),
)


def check_conv_settings(filters: int, dropout: float) -> None:
    """The convolutional network's own arguments (layers.py): a value it cannot take is a
    ValueError, which training reports in one line."""
    if filters < 1:
        raise ValueError(f"filters: expected a whole number of at least 1, got {filters}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout: expected a number from 0 up to 1 (not 1), got {dropout}")


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

    def __init__(self, training: NetworkTraining, name: str) -> None:
        self.training, self.name = training, name
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
                f"{self.name} diverged at epoch {self.epoch + 1} (the loss is not a finite "
                "number): lower training.learning_rate, or check the data for extreme values"
            )
        self.train_loss.append(train_loss)
        self.validation_loss.append(validation_loss)
        improved = validation_loss < self.best_loss * (1 - self.MIN_IMPROVEMENT)  # losses are >= 0
        if improved:
            self.best_loss, self.best_epoch = validation_loss, self.epoch
        log.info(
            "epoch %d/%d: loss %.4f, validation loss %.4f%s",
            self.epoch,
            self.training.epochs,
            train_loss,
            validation_loss,
            " (best)" if improved else "",
        )
        return improved

    @property
    def should_stop(self) -> bool:
        return self.epoch - self.best_epoch >= self.training.patience

    def report(self, device: str) -> FitReport:
        """Converged when it stopped on a plateau; says so in one line when it did not."""
        converged = self.should_stop
        if not converged:
            log.warning(
                "warning: %s did not converge: the validation loss was still falling after "
                "%d epochs; raise training.epochs",
                self.name,
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
