"""Metrics and plots of a trained model: on held-out data, and its loss per epoch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn import metrics

from .config import Task
from .files import atomic_path

if TYPE_CHECKING:  # matplotlib is imported when a plot is made: it is slow to import
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LOSS_CURVE_FILE = "loss_curve.png"


@dataclass(frozen=True)
class FitReport:
    """`converged`: the solver finished, or the validation loss reached a plateau.

    Networks also report the epochs they ran, the device they trained on, and their loss
    per epoch (for reports/loss_curve.png); scikit-learn's solvers report convergence only.
    """

    converged: bool
    epochs: int | None = None
    best_epoch: int | None = None  # whose weights were kept
    device: str | None = None
    train_loss: list[float] = field(default_factory=list)
    validation_loss: list[float] = field(default_factory=list)


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
    figure, axes = new_figure()
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
    save_figure(figure, path)


def save_loss_curve(fitted: FitReport, path: Path) -> None:
    """A network's loss per epoch on its training and validation rows, the kept epoch marked."""
    figure, axes = new_figure()
    epochs = range(1, len(fitted.train_loss) + 1)
    axes.plot(epochs, fitted.train_loss, label="training rows")
    axes.plot(epochs, fitted.validation_loss, label="validation rows")
    best = fitted.best_epoch
    axes.axvline(best or 0, color="grey", linestyle="--", label=f"best epoch ({best}), kept")
    axes.set(xlabel="epoch", ylabel="loss", title="Loss per epoch")
    axes.legend()
    save_figure(figure, path)


def new_figure() -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("Agg")  # no display in containers or CI
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6, 5), dpi=100)


def save_figure(figure: Figure, path: Path) -> None:
    import matplotlib.pyplot as plt

    figure.tight_layout()
    with atomic_path(path) as temporary:
        # No version stamp in the file: the same run gives the same bytes.
        figure.savefig(temporary, format="png", metadata={"Software": None})
    plt.close(figure)
