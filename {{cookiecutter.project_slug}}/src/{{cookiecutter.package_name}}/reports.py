"""Metrics and plots of a trained model on held-out data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn import metrics

from .config import Task
from .files import atomic_path


def compute_metrics(task: Task, actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """`accuracy` (+ macro F1) for classifiers; `r2` (+ MAE, RMSE) for regressors."""
    if task == "classification":
        return {
            "accuracy": round(float(metrics.accuracy_score(actual, predicted)), 6),
            "f1_macro": round(float(metrics.f1_score(actual, predicted, average="macro")), 6),
        }
    return {
        "r2": round(float(metrics.r2_score(actual, predicted)), 6),
        "mae": round(float(metrics.mean_absolute_error(actual, predicted)), 6),
        "rmse": round(float(np.sqrt(metrics.mean_squared_error(actual, predicted))), 6),
    }


def plot_name(task: Task) -> str:
    return "confusion_matrix.png" if task == "classification" else "predicted_vs_actual.png"


def save_plot(task: Task, actual: np.ndarray, predicted: np.ndarray, path: Path) -> None:
    """A confusion matrix for classifiers, predicted against actual values for regressors."""
    import matplotlib

    matplotlib.use("Agg")  # no display in containers or CI
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 5), dpi=100)
    if task == "classification":
        metrics.ConfusionMatrixDisplay.from_predictions(actual, predicted, ax=axes, colorbar=False)
        axes.set_title("Confusion matrix (held-out data)")
    else:
        axes.scatter(actual, predicted, s=12, alpha=0.7)
        low, high = (
            float(min(actual.min(), predicted.min())),
            float(max(actual.max(), predicted.max())),
        )
        axes.plot(
            [low, high], [low, high], color="grey", linestyle="--", label="perfect prediction"
        )
        axes.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual (held-out data)")
        axes.legend()
    figure.tight_layout()
    with atomic_path(path) as temporary:
        # No version stamp in the file: the same run gives the same bytes.
        figure.savefig(temporary, format="png", metadata={"Software": None})
    plt.close(figure)
