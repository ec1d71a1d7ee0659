"""What a classifier network learns and outputs: one score per class, trained with cross
entropy on the class codes; the most probable class, and softmax probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


def target_config(target: np.ndarray) -> dict[str, Any]:
    """`target`: the class codes 0..K-1 (see task.py); one output per class."""
    return {"outputs": int(target.max()) + 1}


def with_head(layers: nn.Module, _config: dict[str, Any]) -> nn.Module:
    """The scores are the layers' outputs as they are."""
    return layers


def loss_function() -> nn.Module:
    return nn.CrossEntropyLoss()


def as_targets(target: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(target, dtype=torch.long)


def predictions(scores: np.ndarray) -> np.ndarray:
    """The class codes with the highest score."""
    codes: np.ndarray = scores.argmax(axis=1)
    return codes


def probabilities(scores: np.ndarray) -> np.ndarray | None:
    """One column per class code."""
    return torch.softmax(torch.as_tensor(scores), dim=1).numpy().astype(np.float64)
