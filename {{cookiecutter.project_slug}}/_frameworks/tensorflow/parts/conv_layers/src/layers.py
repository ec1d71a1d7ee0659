"""A small convolutional network for images of any size (`--param filters=... dropout=...`)."""

from __future__ import annotations

from typing import Any

import keras

from .params import Param


def hidden_layers(params: dict[str, Param]) -> list[Any]:
    """Two 3x3 convolutions, a 2x2 max-pool and dropout, before the output layer."""
    filters, dropout = int(params["filters"] or 0), float(params["dropout"] or 0)
    return [
        keras.layers.Conv2D(filters, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(2 * filters, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Dropout(dropout),
        keras.layers.Flatten(),
    ]
