"""The network config.yaml names by default: a small convolutional network for images of any
size. Any Keras layer or model can take its place: config.yaml's `model.class_path` names the
class and `model.init_args` its arguments; it is built with those plus, by keyword, what the
data decides: `input_shape` (of one image: height, width, channels) and `num_outputs` (the
classes). It returns one score per output; the loss and the probabilities are added around it
(outputs.py). Its `get_config` returns its arguments and its `build` builds its layers, so
that the saved model rebuilds it with its weights (Keras' rules for a layer made of layers).
"""

from __future__ import annotations

from typing import Any

import keras

from .network_training import check_conv_settings


class ConvNet(keras.layers.Layer):  # type: ignore[misc]  # Keras ships no types
    """Two 3x3 convolutions, a 2x2 max-pool, dropout and a dense layer, on images of any size."""

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_outputs: int,
        filters: int = 32,
        dropout: float = 0.25,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_conv_settings(filters, dropout)
        self.arguments = {
            "input_shape": list(input_shape),
            "num_outputs": num_outputs,
            "filters": filters,
            "dropout": dropout,
        }
        self.hidden = [
            keras.layers.Conv2D(filters, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(2 * filters, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Dropout(dropout),
            keras.layers.Flatten(),
            keras.layers.Dense(num_outputs),
        ]

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        shape = input_shape
        for layer in self.hidden:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        outputs = inputs
        for layer in self.hidden:
            outputs = layer(outputs, training=training)
        return outputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.arguments}
