"""What a fit reports, a network's loss per epoch as a plot, and how plots are drawn and saved
(the task's own metrics and plot are in task.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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
