"""What a classifier's training and scoring need: class labels turned into the codes 0..K-1
every framework trains on and back, a split stratified by class, accuracy and F1, and a
confusion matrix.

The codes follow the sorted labels, which model.json keeps as `classes`: a model predicts
codes (and one probability column per code), and `decode` gives the user's labels back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn import metrics

from . import model as framework
from .reports import new_figure, save_figure

PLOT_FILE = "confusion_matrix.png"


def encode(target: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The labels' codes, and the labels in code order."""
    classes, codes = np.unique(target.astype(str), return_inverse=True)
    return codes.astype(np.int64), [str(label) for label in classes]


def decode(predicted: np.ndarray, classes: list[str]) -> np.ndarray:
    """Predicted codes as the labels they stand for."""
    return np.asarray(classes, dtype=object)[predicted.astype(np.int64)]


def predict_rows(model: Any, features: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The class codes and each class's probability, from one pass of the model: the
    predicted class is the most probable one."""
    probabilities = framework.predict_proba(model, features)
    if probabilities is None:
        raise TypeError("a classifier gives class probabilities")
    return probabilities.argmax(axis=1), probabilities


def split_problem(target: np.ndarray, name: str, item: str) -> str | None:
    """Why the labels of target `name` cannot be split into a training and a test part, if
    they cannot. `item`: what a row is ("row", "image")."""
    labels, counts = np.unique(target, return_counts=True)
    if len(labels) < 2:
        return f"target {name!r} has one class; a classifier needs two or more"
    if counts.min() < 2:
        rare = str(labels[counts.argmin()])
        return f"class {rare!r} of {name!r} has one {item}; each class needs 2 or more"
    return None


def strata(target: np.ndarray) -> np.ndarray | None:
    """What a split keeps in proportion: the classes."""
    return target


def rows_per_part(target: np.ndarray) -> int:
    """The fewest rows a part of a split can hold: one of each class."""
    return len(np.unique(target))


def compute_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    return {
        "accuracy": round(float(metrics.accuracy_score(actual, predicted)), 6),
        "f1_macro": round(float(metrics.f1_score(actual, predicted, average="macro")), 6),
    }


def save_plot(actual: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    figure, axes = new_figure()
    metrics.ConfusionMatrixDisplay.from_predictions(actual, predicted, ax=axes, colorbar=False)
    axes.set_title("Confusion matrix (held-out data)")
    save_figure(figure, path)
