"""The trained model on disk: the fitted preprocessing, the framework's model file, where
the service has one the two exported together to ONNX, and `model.json`, which describes
them and names their files.

The description (input columns and their types, target, classes, seed, versions) is what
`predict` and `evaluate` need to check their input and repeat the training split, without
the training data. Load it once with `load_artifact` and score as many tables as needed.

Saving is one unit: the files are written under names made from their content, then
`model.json` is replaced in one step. Until that step the previous `model.json` still
names the previous files, so a crash or a kill while saving leaves the last model whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from . import model as framework
from .errors import UserError
from .features import Preprocessing
from .files import METADATA_FILE as METADATA_FILE
from .files import write_json
from .scores import DECIMALS, Scores
from .task import decode, predict_rows

log = logging.getLogger(__name__)

# Stems of the files model.json names, e.g. model-3fa2b1c9d4e5.joblib.
PARTS = {"preprocessing": "preprocessing.joblib", "model": framework.MODEL_FILE}
ONNX_FILE = "model.onnx"  # the preprocessing and model as one graph, where it was exported


@dataclass(frozen=True)
class Artifact:
    preprocessing: Preprocessing
    model: Any
    metadata: dict[str, Any]
    onnx: bytes | None = None  # saved with the rest; loading reads the framework's files only

    @property
    def classes(self) -> list[str]:
        labels: list[str] = self.metadata["classes"]
        return labels

    def scores(self, matrix: Any) -> Scores:
        """The prediction and each class's probability for every row of the preprocessed
        `matrix`, from one pass of the model."""
        predicted, probabilities = predict_rows(self.model, matrix)
        rounded = None if probabilities is None else np.round(probabilities, DECIMALS)
        return Scores(decode(predicted, self.classes), rounded, self.classes)


def save_artifact(models_dir: Path, artifact: Artifact) -> Path:
    """Write the artifact; returns the path of `model.json`."""
    writers: dict[str, Callable[[Path], object]] = {
        "preprocessing": lambda path: joblib.dump(artifact.preprocessing, path),
        "model": lambda path: framework.save_model(artifact.model, path),
    }
    files = {role: write_by_content(models_dir, PARTS[role], writers[role]) for role in PARTS}
    graph = artifact.onnx
    if graph is not None:
        files["onnx"] = write_by_content(models_dir, ONNX_FILE, lambda to: to.write_bytes(graph))
    metadata_path = models_dir / METADATA_FILE
    write_json(metadata_path, {**artifact.metadata, "files": files})  # the commit point
    remove_unused(models_dir, keep=set(files.values()))
    return metadata_path


def write_by_content(models_dir: Path, name: str, write: Callable[[Path], object]) -> str:
    """Write a file through `write`, named after a hash of its bytes; returns the name."""
    stem, _, suffix = name.partition(".")
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".saving-", dir=models_dir) as scratch:
        written = Path(scratch) / name
        write(written)
        digest = hashlib.sha256(written.read_bytes()).hexdigest()[:12]
        final = f"{stem}-{digest}.{suffix}"
        written.replace(models_dir / final)  # same folder, so the file appears whole
    return final


def remove_unused(models_dir: Path, keep: set[str]) -> None:
    """Files of earlier models (and of saves that were interrupted)."""
    for name in (*PARTS.values(), ONNX_FILE):
        stem, _, suffix = name.partition(".")
        for path in models_dir.glob(f"{stem}-*.{suffix}"):
            if path.name not in keep:
                path.unlink(missing_ok=True)


def load_artifact(models_dir: Path) -> Artifact:
    metadata_path = models_dir / METADATA_FILE
    missing = UserError(f"no trained model in {models_dir}/: run `train` first (make train)")
    if not metadata_path.is_file():
        raise missing
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        paths = {role: models_dir / metadata["files"][role] for role in PARTS}
    except (ValueError, KeyError, TypeError):
        raise UserError(f"{metadata_path} is not a model description; train again") from None
    if not all(path.is_file() for path in paths.values()):
        raise missing
    trained_with = metadata.get("versions", {}).get("framework")
    if trained_with != framework.VERSION:
        log.warning(
            "warning: the model was trained with %s and is loaded with %s; "
            "its predictions may differ: train it again",
            trained_with,
            framework.VERSION,
        )
    return Artifact(
        preprocessing=joblib.load(paths["preprocessing"]),
        model=framework.load_model(paths["model"]),
        metadata=metadata,
    )
