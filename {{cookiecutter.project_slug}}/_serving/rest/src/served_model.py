"""The model a service answers with: loaded once at start-up, with the name and version it is
served under, the tensors it takes and gives (Open Inference Protocol metadata), and its
answers to a batch of rows.

What the rows are (a table's columns, images) is the inputs kind's: payloads.py turns a
request's instances, tensors or files into the model's inputs, under the contract below.
Scoring is predict.py's `score_features`, the function `make predict` scores with, so the
service and a batch file give the same answers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from . import model as framework
from . import payloads, predict
from .artifact import METADATA_FILE, Artifact, load_artifact
from .config import FRAMEWORK, MODEL, TASK
from .errors import UserError
from .protocol import Tensor
from .scores import Scores

MODEL_NAME = "{{ cookiecutter.project_slug }}"
LABEL, PROBABILITIES, VALUE = "label", "probabilities", "value"  # the output tensors


class Payloads(Protocol):
    """payloads.py: what a request's rows become, for one kind of inputs."""

    INSTANCES: str  # what /predict's instances are, for its OpenAPI description

    def input_tensors(self, metadata: dict[str, Any], /) -> list[dict[str, Any]]:
        """The V2 metadata of the inputs the model takes: name, datatype, shape."""

    def from_instances(self, instances: list[Any], metadata: dict[str, Any], /) -> Any:
        """/predict's `instances` as the model's inputs (what predict.score_features takes)."""

    def from_tensors(self, tensors: list[Tensor], metadata: dict[str, Any], /) -> Any:
        """V2 input tensors as the model's inputs."""

    def from_files(self, files: list[tuple[str, bytes]], metadata: dict[str, Any], /) -> Any:
        """Uploaded files (name, content) as the model's inputs."""


@dataclass(frozen=True)
class ServedModel:
    artifact: Artifact
    version: str  # the saved model's content hash: a new training is a new version
    name: str = MODEL_NAME

    @property
    def classes(self) -> list[str]:
        return self.artifact.classes

    def score(self, inputs: Any) -> Scores:
        """The prediction and each class's probability for the inputs payloads.py made."""
        return predict.score_features(self.artifact, inputs, None)

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
        metadata = self.artifact.metadata
        shown = ("task", "dataset", "classes", "image_shape", "pixel_range", "target_name")
        return {
            "framework": FRAMEWORK,
            "model": MODEL,
            "task": TASK,
            "engine": framework.VERSION,
            **{key: metadata[key] for key in shown if key in metadata},
        }


def load_served_model(models_dir: Path) -> ServedModel:
    """The trained model in `models_dir`; a missing or unreadable one is one clear UserError."""
    try:
        artifact = load_artifact(models_dir)
    except UserError:
        raise
    except Exception as exc:  # a damaged file: whatever its reader raises, in one line
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise UserError(
            f"the model in {models_dir}/ could not be read ({type(exc).__name__}: {reason}); "
            "train it again: make train"
        ) from None
    digest = hashlib.sha256((models_dir / METADATA_FILE).read_bytes()).hexdigest()[:12]
    return ServedModel(artifact, version=digest)


if TYPE_CHECKING:  # checked by mypy, never run
    _payloads: Payloads = payloads
