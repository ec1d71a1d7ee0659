"""What a classifier network learns and outputs: one score per class, trained with cross
entropy on the class codes; the most probable class, and softmax probabilities."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np


def target_config(target: np.ndarray) -> dict[str, Any]:
    """`target`: the class codes 0..K-1 (see task.py); one output per class."""
    return {"outputs": int(target.max()) + 1}


def head_layers(_config: dict[str, Any]) -> list[Any]:
    """None after the output layer: its scores are the logits."""
    return []


def loss_function() -> Any:
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def as_targets(target: np.ndarray) -> np.ndarray:
    return target.astype(np.int64)


def predictions(scores: np.ndarray) -> np.ndarray:
    """The class codes with the highest score."""
    codes: np.ndarray = scores.argmax(axis=1)
    return codes


def probabilities(scores: np.ndarray) -> np.ndarray | None:
    """One column per class code (the softmax of the scores)."""
    exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities: np.ndarray = exponentials / exponentials.sum(axis=1, keepdims=True)
    return probabilities
