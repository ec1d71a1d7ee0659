"""Inputs of the kind these layers take, for the tests that train on noise."""

from __future__ import annotations

import numpy as np


def random_inputs(rows: int, seed: int) -> np.ndarray:
    """`rows` small single-channel images of noise (rows x height x width x channels)."""
    return np.random.default_rng(seed).normal(size=(rows, 4, 4, 1))
