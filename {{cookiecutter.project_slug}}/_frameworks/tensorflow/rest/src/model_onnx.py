"""The trained network as an ONNX graph (Keras' own ONNX export, which drives tf2onnx): the
preprocessed rows (or images) in, the class probabilities (softmax of its scores) or the value
out."""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras
import onnx
import tensorflow as tf

from .model import Network

CONVERTER = f"keras {keras.__version__} (tf2onnx)"
# The exporter's loggers, quiet while it runs: its progress and notes are not the user's concern.
LOGGERS = ("tf2onnx",)


def model_graph(
    model: Network, input_shape: list[int], opset: int, classifies: bool
) -> onnx.ModelProto:
    if model.model is None:
        raise RuntimeError("the model has not been trained")
    network = model.model
    if classifies:
        network = keras.Sequential(
            [keras.Input(shape=input_shape), network, keras.layers.Softmax()]
        )
    signature = [tf.TensorSpec([None, *input_shape], tf.float32, name="features")]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.onnx"
        network.export(
            str(path), format="onnx", verbose=False, input_signature=signature, opset_version=opset
        )
        return onnx.load(path)
