"""The fitted preprocessing and the model exported together to one ONNX graph at the end of
training, for the serving image (ONNX Runtime, without the training framework).

The kind of inputs converts the preprocessing (preprocessing_onnx.py) and the framework its
model (model_onnx.py), each with its ecosystem's converter; here they are joined into one
graph whose one output is the class probabilities, or the value for a regressor. The export
is checked before it is saved: on every held-out row, ONNX Runtime must give the class the
framework gives (either of two equally probable classes), and the same probabilities (or
values) within TOLERANCE. A model that cannot be exported, or fails the check, is saved
without it: training says why in one line, and the service serves it with the framework.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import onnx.compose
import onnx.version_converter

from .artifact import Artifact
from .config import FRAMEWORK
from .data import ITEMS
from .model_onnx import CONVERTER, LOGGERS, model_graph
from .onnx_engine import OnnxEngine
from .predict import score_features
from .preprocessing_onnx import held_out_batches, model_input_shape, preprocessing_graph
from .scores import Scores

log = logging.getLogger(__name__)

OPSET = 18  # of the default domain: what every converter here writes, and ONNX Runtime runs
# Probabilities within this of the framework's; a regressor's values within this of the
# framework's relative to their size (float32 computing gives about 1e-7).
TOLERANCE = 1e-5


@dataclass(frozen=True)
class Export:
    """The ONNX graph (None when it was not exported) and what model.json records of it."""

    graph: bytes | None
    facts: dict[str, Any]


def export_onnx(artifact: Artifact, held_out: Any) -> Export:
    """`artifact` as one ONNX graph, checked on the `held_out` rows (the test split's)."""
    try:
        with quietly():
            joined = join(
                preprocessing_graph(artifact.preprocessing, artifact.metadata, OPSET),
                model_graph(
                    artifact.model,
                    model_input_shape(artifact.preprocessing),
                    OPSET,
                    classifies=bool(artifact.classes),
                ),
                "probabilities" if artifact.classes else "value",
            )
        graph = joined.SerializeToString()
        engine = OnnxEngine(graph, artifact.metadata)
    except Exception as exc:  # the converter's own error: an operator or version it lacks
        reason = (str(exc).strip().splitlines() or [""])[0][:200]
        return not_exported(
            artifact.metadata["model"],
            f"exporting with {CONVERTER} failed ({type(exc).__name__}: {reason})",
        )
    rows, worst = 0, 0.0
    for inputs in held_out_batches(held_out):
        expected, got = score_features(artifact, inputs, None), engine.score(inputs)
        if expected.probabilities is not None:  # a regressor's values may differ a bit
            differ = np.flatnonzero(expected.predictions != got.predictions)
            differ = differ[~tied(expected.probabilities[differ])]
            if len(differ):
                return not_exported(
                    artifact.metadata["model"],
                    f"ONNX Runtime predicts class {got.predictions[differ[0]]} for held-out row "
                    f"{rows + differ[0] + 1}, {FRAMEWORK} class {expected.predictions[differ[0]]}",
                )
        worst = max(worst, difference(expected, got))
        rows += len(inputs)
    if worst > TOLERANCE:
        return not_exported(
            artifact.metadata["model"],
            f"ONNX Runtime's answers differ from {FRAMEWORK}'s by up to {worst:.2g} on the "
            f"held-out rows (the tolerance is {TOLERANCE:g})",
        )
    facts = {
        "opset": OPSET,
        "converter": CONVERTER,
        "checked_rows": rows,
        "largest_difference": float(worst),
        "tolerance": TOLERANCE,
    }
    log.info("Exported to ONNX (%s), checked on %d held-out %s", CONVERTER, rows, ITEMS)
    return Export(graph, facts)


def not_exported(name: str, reason: str) -> Export:
    log.warning(
        "note: %s was not exported to ONNX: %s; it is served with %s", name, reason, FRAMEWORK
    )
    return Export(None, {"not_exported": reason})


def tied(probabilities: np.ndarray) -> np.ndarray:
    """Rows whose two most probable classes are equally probable, within TOLERANCE: either
    class is the prediction (a tree's leaf may give 0.5 and 0.5), and engines pick differently."""
    if probabilities.shape[1] < 2:
        return np.zeros(len(probabilities), dtype=bool)
    top = np.sort(probabilities, axis=1)[:, -2:]
    tied_rows: np.ndarray = top[:, 1] - top[:, 0] <= TOLERANCE
    return tied_rows


def difference(expected: Scores, got: Scores) -> float:
    """The largest gap between the two: in probabilities, or in values relative to their size."""
    if expected.probabilities is not None and got.probabilities is not None:
        return float(np.abs(expected.probabilities - got.probabilities).max(initial=0.0))
    values = expected.predictions.astype(np.float64)
    gaps = np.abs(values - got.predictions.astype(np.float64)) / np.maximum(np.abs(values), 1.0)
    return float(gaps.max(initial=0.0))


def join(preprocessing: onnx.ModelProto, model: onnx.ModelProto, output: str) -> onnx.ModelProto:
    """One graph: the preprocessing's output is the model's input, and the model's one output
    is named `output`. The columns (or the images) stay the graph's inputs."""
    preprocessing, model = at_opset(preprocessing), at_opset(model)
    ir_version = max(preprocessing.ir_version, model.ir_version)
    preprocessing.ir_version = model.ir_version = ir_version
    # Other domains (skl2onnx's ai.onnx.ml) at the newer of the two versions: converters write
    # the oldest their operators need, and the check below proves the result.
    newest: dict[str, int] = {}
    for entry in (*preprocessing.opset_import, *model.opset_import):
        newest[entry.domain] = max(entry.version, newest.get(entry.domain, 0))
    for entry in (*preprocessing.opset_import, *model.opset_import):
        entry.version = newest[entry.domain]
    first = onnx.compose.add_prefix(preprocessing, "preprocessing/", rename_inputs=False)
    second = onnx.compose.add_prefix(model, "model/")
    joined = onnx.compose.merge_models(
        first,
        second,
        io_map=[(first.graph.output[0].name, second.graph.input[0].name)],
        name="model",  # not the converters' random graph names: the same training, the same bytes
        doc_string="",
    )
    (last,) = joined.graph.output
    joined.graph.node.append(onnx.helper.make_node("Identity", [last.name], [output]))
    renamed = onnx.ValueInfoProto()
    renamed.CopyFrom(last)
    renamed.name = output
    joined.graph.output.remove(last)
    joined.graph.output.append(renamed)
    by_position(joined.graph)
    onnx.checker.check_model(joined)
    return joined


def by_position(graph: onnx.GraphProto) -> None:
    """Name the graph's nodes, inner tensors and symbolic sizes by their position: converters
    name them after the framework's layers, whose names count the models made before in the
    same process, and the same training must give the same bytes. Its inputs and outputs keep
    their names."""
    kept = {value.name for value in (*graph.input, *graph.output)}
    names: dict[str, str] = {}

    def renamed(name: str) -> str:
        return name if not name or name in kept else names.setdefault(name, f"t{len(names)}")

    for tensor in graph.initializer:
        tensor.name = renamed(tensor.name)
    for position, node in enumerate(graph.node):
        node.name = f"n{position}"
        inputs = [renamed(name) for name in node.input]
        outputs = [renamed(name) for name in node.output]
        del node.input[:], node.output[:]
        node.input.extend(inputs)
        node.output.extend(outputs)
    for value in graph.value_info:
        value.name = renamed(value.name)
    sizes: dict[str, str] = {}  # symbolic dimensions too (tf2onnx counts them: unk__7)
    for value in (*graph.input, *graph.output, *graph.value_info):
        for dimension in value.type.tensor_type.shape.dim:
            if dimension.dim_param:
                dimension.dim_param = sizes.setdefault(dimension.dim_param, f"d{len(sizes)}")


def at_opset(graph: onnx.ModelProto) -> onnx.ModelProto:
    """`graph` with the default domain at OPSET (a converter may write an older one), and
    importing only the domains its nodes use (tf2onnx imports ai.onnx.ml at another version
    than skl2onnx, whose graph it is joined to, though it uses none of its operators)."""
    used = {"", *(node.domain for node in graph.graph.node)}
    for function in graph.functions:
        used |= {function.domain, *(node.domain for node in function.node)}
    kept = [entry for entry in graph.opset_import if entry.domain in used]
    del graph.opset_import[:]
    graph.opset_import.extend(kept)
    versions = {entry.domain: entry.version for entry in kept}
    if versions.get("", OPSET) == OPSET:
        return graph
    return onnx.version_converter.convert_version(graph, OPSET)


@contextmanager
def quietly() -> Iterator[None]:
    """The converters' logging and warnings silenced while they run (their errors still
    raise); training runs in one thread, so changing the warning filters here is safe."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
