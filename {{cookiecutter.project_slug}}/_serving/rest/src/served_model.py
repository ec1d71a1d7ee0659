"""The model a service answers with: loaded once at start-up, with the name and version it is
served under, the tensors it takes and gives (Open Inference Protocol metadata), and the
engine that computes its answers to a batch of rows.

Two engines give the same answers (a test holds them equal): ONNX Runtime on the graph
exported at training (onnx_engine.py), which the serving image runs without the training
framework, and the framework itself (framework_engine.py, in the training image), which
scores with predict.py's `score_features`, the function `make predict` uses. ONNX is the
default; SERVE_ENGINE=framework asks for the framework, and a model that has no ONNX export is
served with the framework where it is installed.

What the rows are (a table's columns, images) is the inputs kind's: payloads.py turns a
request's instances, tensors or files into the model's inputs, under the contract below.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from . import payloads
from .config import FRAMEWORK
from .errors import UserError
from .files import METADATA_FILE
from .onnx_engine import OnnxEngine
from .protocol import Tensor
from .scores import Scores

log = logging.getLogger(__name__)

MODEL_NAME = "{{ cookiecutter.project_slug }}"
LABEL, PROBABILITIES, VALUE = "label", "probabilities", "value"  # the output tensors


class Payloads(Protocol):
    """payloads.py: what a request's rows become, for one kind of inputs."""

    INSTANCES: str  # what /predict's instances are, for its OpenAPI description

    def input_tensors(self, metadata: dict[str, Any], /) -> list[dict[str, Any]]:
        """The V2 metadata of the inputs the model takes: name, datatype, shape."""

    def from_instances(self, instances: list[Any], metadata: dict[str, Any], /) -> Any:
        """/predict's `instances` as the model's inputs (what the engines score)."""

    def from_tensors(self, tensors: list[Tensor], metadata: dict[str, Any], /) -> Any:
        """V2 input tensors as the model's inputs."""

    def from_files(self, files: list[tuple[str, bytes]], metadata: dict[str, Any], /) -> Any:
        """Uploaded files (name, content) as the model's inputs."""

    def onnx_inputs(self, inputs: Any, metadata: dict[str, Any], /) -> list[np.ndarray]:
        """The model's inputs as the exported ONNX graph's input tensors, in its order."""


class Engine(Protocol):
    """What computes the answers: ONNX Runtime, or the training framework."""

    name: str  # and its version: "onnxruntime 1.32.0", "torch 2.13.0+cpu"
    platform: str  # as the Open Inference Protocol's model metadata names it

    def score(self, inputs: Any, /) -> Scores:
        """The prediction and each class's probability for the inputs payloads.py made."""


@dataclass(frozen=True)
class ServedModel:
    engine: Engine
    metadata: dict[str, Any]  # model.json
    version: str  # model.json's content hash: a new training is a new version
    name: str = MODEL_NAME

    @property
    def classes(self) -> list[str]:
        labels: list[str] = self.metadata["classes"]
        return labels

    def score(self, inputs: Any) -> Scores:
        return self.engine.score(inputs)

    def output_tensors(self) -> list[dict[str, Any]]:
        """The V2 metadata of what the model gives: the label and each class's probability
        for a classifier, the value for a regressor."""
        if self.classes:
            return [
                {"name": LABEL, "datatype": "BYTES", "shape": [-1]},
                {"name": PROBABILITIES, "datatype": "FP64", "shape": [-1, len(self.classes)]},
            ]
        return [{"name": VALUE, "datatype": "FP64", "shape": [-1]}]

    def outputs(self, scores: Scores) -> list[Tensor]:
        """`scores` (from `score`) as the output tensors `output_tensors` describes."""
        if scores.probabilities is not None:
            labels = np.array([str(label).encode() for label in scores.predictions], dtype=object)
            probabilities = scores.probabilities.astype(np.float64)
            return [Tensor(LABEL, "BYTES", labels), Tensor(PROBABILITIES, "FP64", probabilities)]
        return [Tensor(VALUE, "FP64", scores.predictions.astype(np.float64))]

    def description(self) -> dict[str, Any]:
        """What the model metadata says besides its tensors."""
        shown = ("framework", "model", "task", "dataset", "classes", "image_shape")
        more = ("pixel_range", "target_name")
        return {
            **{key: self.metadata[key] for key in (*shown, *more) if key in self.metadata},
            "engine": self.engine.name,
        }


def load_served_model(models_dir: Path, engine: str = "onnx", threads: int = 1) -> ServedModel:
    """The trained model in `models_dir`, served by `engine` ("onnx" or "framework"); a
    missing or unreadable one is one clear UserError."""
    path = models_dir / METADATA_FILE
    if not path.is_file():
        raise UserError(f"no trained model in {models_dir}/: run `train` first (make train)")
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
        chosen = start_engine(models_dir, metadata, engine, threads)
    except UserError:
        raise
    except Exception as exc:  # a damaged file: whatever its reader raises, in one line
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise UserError(
            f"the model in {models_dir}/ could not be read ({type(exc).__name__}: {reason}); "
            "train it again: make train"
        ) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return ServedModel(chosen, metadata, version=digest)


def start_engine(models_dir: Path, metadata: dict[str, Any], wanted: str, threads: int) -> Engine:
    exported = metadata["files"].get("onnx")
    if wanted == "onnx" and exported:
        return OnnxEngine(models_dir / exported, metadata, threads)
    reason = metadata.get("onnx", {}).get("not_exported", "it was trained without one")
    try:  # the serving image has no training framework
        from .framework_engine import FrameworkEngine
    except ImportError:
        why = f"has no ONNX export ({reason})" if wanted == "onnx" else "is to be served by"
        raise UserError(
            f"the model in {models_dir}/ {why} {FRAMEWORK}, which this image does not have: "
            "serve it from the training image (make docker-serve SERVE_ENGINE=framework)"
        ) from None
    if wanted == "onnx":
        log.warning("note: the model has no ONNX export (%s): served with %s", reason, FRAMEWORK)
    return FrameworkEngine(models_dir)


if TYPE_CHECKING:  # checked by mypy, never run
    _payloads: Payloads = payloads
