"""What a regressor's training and scoring need: the target's numbers as they are, a random
split, R^2, MAE and RMSE, and a plot of predicted against actual values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn import metrics

from . import model as framework
from .reports import new_figure, save_figure

PLOT_FILE = "predicted_vs_actual.png"


def encode(target: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The numbers as they are, and no classes."""
    return target, []


def decode(predicted: np.ndarray, _classes: list[str]) -> np.ndarray:
    """Predicted numbers as they are (a regressor has no classes)."""
    return predicted


def predict_rows(model: Any, features: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The predicted numbers; a regressor has no class probabilities."""
    return framework.predict(model, features), None


def split_problem(_target: np.ndarray, _name: str, _item: str) -> str | None:
    """Any numbers can be split: a part needs only one row."""
    return None


def strata(_target: np.ndarray) -> np.ndarray | None:
    """What a split keeps in proportion: nothing, the rows are drawn at random."""
    return None


def rows_per_part(_target: np.ndarray) -> int:
    """The fewest rows a part of a split can hold."""
    return 1


def compute_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    return {
        "r2": round(float(metrics.r2_score(actual, predicted)), 6),
        "mae": round(float(metrics.mean_absolute_error(actual, predicted)), 6),
        "rmse": round(float(np.sqrt(metrics.mean_squared_error(actual, predicted))), 6),
    }


def save_plot(actual: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    figure, axes = new_figure()
    axes.scatter(actual, predicted, s=12, alpha=0.7)
    low = float(min(actual.min(), predicted.min()))
    high = float(max(actual.max(), predicted.max()))
    axes.plot([low, high], [low, high], color="grey", linestyle="--", label="perfect prediction")
    axes.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual (held-out data)")
    axes.legend()
    save_figure(figure, path)
