"""The fitted image scaling as an ONNX graph: raw pixels [N, H, W, C] in, standardized per
channel as features.py does it ((pixel - mean) / std, in float32), to the model's input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .features import ImageScaling
from .image_rows import ImageRows

CHECKED_IMAGES = 256  # held-out images checked at a time (fewer when large)


def preprocessing_graph(
    preprocessing: ImageScaling, metadata: dict[str, Any], opset: int
) -> onnx.ModelProto:
    shape = ["N", *metadata["image_shape"]]
    mean = numpy_helper.from_array(preprocessing.mean.astype(np.float32), "mean")
    std = numpy_helper.from_array(preprocessing.std.astype(np.float32), "std")
    graph = helper.make_graph(
        [
            helper.make_node("Sub", ["images", "mean"], ["centred"]),
            helper.make_node("Div", ["centred", "std"], ["scaled"]),
        ],
        "image_scaling",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("scaled", TensorProto.FLOAT, shape)],
        [mean, std],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def model_input_shape(preprocessing: ImageScaling) -> list[int]:
    """One image: height, width, channels."""
    return list(preprocessing.shape)


def held_out_batches(images: ImageRows) -> Iterator[np.ndarray]:
    """The held-out images as a request's pixels, a batch at a time."""
    yield from images.batches(CHECKED_IMAGES)
