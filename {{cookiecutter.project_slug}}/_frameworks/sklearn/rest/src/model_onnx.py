"""The trained estimator as an ONNX graph (skl2onnx): the preprocessed matrix in, the class
probabilities (or the value, for a regressor) out."""

from __future__ import annotations

import onnx
import skl2onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.base import BaseEstimator

CONVERTER = f"skl2onnx {skl2onnx.__version__}"
# The converter's loggers, quiet while it runs: its notes are not the user's concern.
LOGGERS = ("skl2onnx",)
ML_OPSET = 3  # of the ai.onnx.ml domain, as the preprocessing's graph


def model_graph(
    model: BaseEstimator, input_shape: list[int], opset: int, classifies: bool
) -> onnx.ModelProto:
    graph: onnx.ModelProto = skl2onnx.convert_sklearn(
        model,
        initial_types=[("features", FloatTensorType([None, *input_shape]))],
        options={id(model): {"zipmap": False}} if classifies else None,  # a plain matrix
        target_opset={"": opset, "ai.onnx.ml": ML_OPSET},
    )
    if classifies:  # it gives the label, then the probabilities: their most probable class
        graph.graph.output.remove(graph.graph.output[0])
    return graph
