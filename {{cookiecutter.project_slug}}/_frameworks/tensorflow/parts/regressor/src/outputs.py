"""What a regressor network learns and outputs: one number, learnt standardized (mean squared
error) and brought back to the target's scale by its last layer."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np


def target_config(target: np.ndarray) -> dict[str, Any]:
    """One output, and the target's mean and spread that the last layer restores."""
    std = float(target.std())
    return {
        "outputs": 1,
        "target_mean": float(target.mean()),
        "target_std": std if std > 0 else 1.0,
    }


def head_layers(config: dict[str, Any]) -> list[Any]:
    """The layer that brings the standardized output back to the target's scale."""
    scale, offset = config["target_std"], config["target_mean"]
    return [keras.layers.Rescaling(scale, offset=offset, dtype="float32")]


def loss_function() -> Any:
    return keras.losses.MeanSquaredError()


def as_targets(target: np.ndarray) -> np.ndarray:
    """One column of numbers in the target's scale, which the last layer's output is in (its
    loss is in the target's units squared)."""
    return target.astype(np.float32).reshape(-1, 1)


def predictions(scores: np.ndarray) -> np.ndarray:
    """The numbers in float32, the precision the network computes in, so they are written with
    the digits they hold (204.55417, not 204.55416870117188)."""
    return scores[:, 0].astype(np.float32)


def probabilities(_scores: np.ndarray) -> np.ndarray | None:
    """A regressor has no class probabilities."""
    return None
