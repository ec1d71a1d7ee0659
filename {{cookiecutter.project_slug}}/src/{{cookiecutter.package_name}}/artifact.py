"""The trained model on disk: the fitted preprocessing, the framework's model file, and a
JSON file that describes them.

The description (input columns and their types, target, classes, seed) is what `predict`
and `evaluate` need to check their input and repeat the training split, without the
training data. Load it once with `load_artifact` and score as many tables as needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
from sklearn.compose import ColumnTransformer

from . import model as framework
from .data import FeatureTypes
from .errors import UserError
from .files import atomic_path, write_json

MODEL_FILE = framework.MODEL_FILE
PREPROCESSING_FILE = "preprocessing.joblib"
METADATA_FILE = "model.json"


@dataclass(frozen=True)
class Artifact:
    preprocessing: ColumnTransformer
    model: Any
    metadata: dict[str, Any]

    @property
    def feature_types(self) -> FeatureTypes:
        return self.metadata["feature_types"]

    @property
    def classes(self) -> list[str]:
        return self.metadata["classes"]


def save_artifact(models_dir: Path, artifact: Artifact) -> Path:
    model_path = models_dir / MODEL_FILE
    with atomic_path(models_dir / PREPROCESSING_FILE) as temporary:
        joblib.dump(artifact.preprocessing, temporary)
    with atomic_path(model_path) as temporary:
        framework.save_model(artifact.model, temporary)
    write_json(models_dir / METADATA_FILE, artifact.metadata)
    return model_path


def load_artifact(models_dir: Path) -> Artifact:
    paths = [models_dir / name for name in (MODEL_FILE, PREPROCESSING_FILE, METADATA_FILE)]
    if not all(path.is_file() for path in paths):
        raise UserError(f"no trained model in {models_dir}/: run `train` first (make train)")
    model_path, preprocessing_path, metadata_path = paths
    return Artifact(
        preprocessing=joblib.load(preprocessing_path),
        model=framework.load_model(model_path),
        metadata=json.loads(metadata_path.read_text(encoding="utf-8")),
    )
