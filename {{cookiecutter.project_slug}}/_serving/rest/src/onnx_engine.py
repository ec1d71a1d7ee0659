"""Scoring with ONNX Runtime: the fitted preprocessing and the model, exported together at
training (onnx_export.py) as one graph, which the serving image runs without the training
framework. It takes the inputs payloads.py makes, as the framework's engine does, and gives the
same Scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from . import payloads
from .scores import DECIMALS, Scores, no_scores

PLATFORM = "onnxruntime_onnx"  # the Open Inference Protocol's name for it (Triton's)


class OnnxEngine:
    """One ONNX Runtime session on the CPU, computing with `threads` threads."""

    name = f"onnxruntime {ort.__version__}"
    platform = PLATFORM

    def __init__(self, model: Path | bytes, metadata: dict[str, Any], threads: int = 1) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: its warnings speak of graph internals
        source = model if isinstance(model, bytes) else str(model)
        self.session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        self.inputs = [tensor.name for tensor in self.session.get_inputs()]
        self.metadata = metadata

    def score(self, inputs: Any) -> Scores:
        classes: list[str] = self.metadata["classes"]
        if len(inputs) == 0:
            return no_scores(classes)
        arrays = payloads.onnx_inputs(inputs, self.metadata)
        (output,) = self.session.run(None, dict(zip(self.inputs, arrays, strict=True)))
        return of_probabilities(output, classes) if classes else of_values(output)


def of_probabilities(probabilities: np.ndarray, classes: list[str]) -> Scores:
    """A classifier's scores: the most probable class of each row, and every probability."""
    labels = np.asarray(classes, dtype=object)[probabilities.argmax(axis=1)]
    return Scores(labels, np.round(probabilities.astype(np.float64), DECIMALS), classes)


def of_values(values: np.ndarray) -> Scores:
    """A regressor's scores: one number per row."""
    return Scores(values.reshape(len(values)), None, [])
