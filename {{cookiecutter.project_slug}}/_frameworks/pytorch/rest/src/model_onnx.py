"""The trained network as an ONNX graph (torch.onnx, the torch.export-based exporter): the
preprocessed rows (or images) in, the class probabilities (softmax of its scores) or the
value out."""

from __future__ import annotations

import copy

import onnx
import torch
from torch import nn

from .model import Network

CONVERTER = f"torch.onnx {torch.__version__}"
# The exporter's loggers, quiet while it runs: its progress and notes are not the user's concern.
LOGGERS = ("torch.onnx", "onnxscript", "onnx_ir")


def model_graph(
    model: Network, input_shape: list[int], opset: int, classifies: bool
) -> onnx.ModelProto:
    if model.module is None:
        raise RuntimeError("the model has not been trained")
    module = copy.deepcopy(model.module).cpu()  # the trained one stays where it is
    if classifies:
        module = nn.Sequential(module, nn.Softmax(dim=1))
    program = torch.onnx.export(
        module.eval(),
        (torch.zeros(2, *input_shape),),
        input_names=["features"],
        dynamic_shapes=({0: torch.export.Dim("rows")},),
        opset_version=opset,
        dynamo=True,
        verbose=False,
    )
    if program is None:
        raise RuntimeError("torch.onnx.export gave no program")
    graph: onnx.ModelProto = program.model_proto
    return graph
