"""The network config.yaml names by default: one dense layer, which is logistic or linear
regression on the preprocessed columns. Any Keras layer or model can take its place:
config.yaml's `model.class_path` names the class and `model.init_args` its arguments; it is
built with those plus, by keyword, what the data decides: `input_shape` (of one row: the number
of model inputs) and `num_outputs` (the classes, or 1 value). It returns one score per output;
the loss and the probabilities are added around it (outputs.py). Its `get_config` returns its
arguments and its `build` builds its layer, so that the saved model rebuilds it with its weights
(Keras' rules for a layer made of layers).
"""

from __future__ import annotations

from typing import Any

import keras


class LinearModel(keras.layers.Layer):  # type: ignore[misc]  # Keras ships no types
    """One dense layer from the inputs to the outputs."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arguments = {"input_shape": list(input_shape), "num_outputs": num_outputs}
        self.dense = keras.layers.Dense(num_outputs)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.dense.build(input_shape)

    def call(self, inputs: Any) -> Any:
        return self.dense(inputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.arguments}
