"""Inputs of the kind this layer takes, for the tests that train on noise."""

from __future__ import annotations

import numpy as np


def random_inputs(rows: int, seed: int) -> np.ndarray:
    """`rows` rows of three columns of noise."""
    return np.random.default_rng(seed).normal(size=(rows, 3))
