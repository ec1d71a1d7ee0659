"""What a regressor network learns and outputs: one number, learnt standardized (mean squared
error) and brought back to the target's scale by its last layer."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


class Rescale(nn.Module):
    """A regressor learns its standardized target; this last layer restores the target's scale."""

    def __init__(self, mean: float, std: float) -> None:
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, values: torch.Tensor) -> torch.Tensor:
        return values * self.std + self.mean


def target_config(target: np.ndarray) -> dict[str, Any]:
    """One output, and the target's mean and spread that the last layer restores."""
    std = float(target.std())
    return {
        "outputs": 1,
        "target_mean": float(target.mean()),
        "target_std": std if std > 0 else 1.0,
    }


def with_head(layers: nn.Module, config: dict[str, Any]) -> nn.Module:
    return nn.Sequential(layers, Rescale(config["target_mean"], config["target_std"]))


def loss_function() -> nn.Module:
    return nn.MSELoss()


def as_targets(target: np.ndarray) -> torch.Tensor:
    """One column of numbers in the target's scale, which the last layer's output is in (its
    loss is in the target's units squared)."""
    return torch.as_tensor(target, dtype=torch.float32).unsqueeze(1)


def predictions(scores: np.ndarray) -> np.ndarray:
    """The numbers in float32, the precision the network computes in, so they are written with
    the digits they hold (204.55417, not 204.55416870117188)."""
    return scores[:, 0].astype(np.float32)


def probabilities(_scores: np.ndarray) -> np.ndarray | None:
    """A regressor has no class probabilities."""
    return None
