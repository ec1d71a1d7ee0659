"""The fitted preprocessing of tables as an ONNX graph (skl2onnx): one [N, 1] input per column
in the trained order (float for numbers, NaN where missing; text for categories, "" where
missing), to the model's input matrix. payloads.onnx_inputs makes those inputs from a request.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import onnx
import pandas as pd
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer

from .columns import Columns
from .features import fitted

ML_OPSET = 3  # of the ai.onnx.ml domain (imputers, scaler, one-hot), as ONNX Runtime runs it
CHECKED_ROWS = 4096  # held-out rows checked at a time


def preprocessing_graph(
    preprocessing: ColumnTransformer, metadata: dict[str, Any], opset: int
) -> onnx.ModelProto:
    inputs = [
        (name, FloatTensorType([None, 1]) if kind == "numeric" else StringTensorType([None, 1]))
        for name, kind in metadata["feature_types"].items()
    ]
    exported = copy.deepcopy(preprocessing)
    # ONNX text cannot be NaN: a missing category arrives as "" and is imputed as NaN was.
    exported.named_transformers_["categorical"][0].missing_values = ""
    graph: onnx.ModelProto = convert_sklearn(
        exported, initial_types=inputs, target_opset={"": opset, "ai.onnx.ml": ML_OPSET}
    )
    return graph


def model_input_shape(preprocessing: ColumnTransformer) -> list[int]:
    """One row of the model's input: its width."""
    return [fitted(preprocessing).width]


def held_out_batches(features: pd.DataFrame) -> Iterator[Columns]:
    """The held-out rows as a request's columns, a batch at a time."""
    for start in range(0, len(features), CHECKED_ROWS):
        part = features.iloc[start : start + CHECKED_ROWS]
        yield Columns({str(name): column.to_numpy() for name, column in part.items()}, len(part))
