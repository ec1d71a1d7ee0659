"""The trained model on disk: the framework's model file plus a JSON file that describes it.

The description (feature names, target, classes, seed) is what `predict` and `evaluate`
need to check their input and repeat the training split, without the training data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import model as framework
from .errors import UserError
from .files import atomic_path, write_json

MODEL_FILE = framework.MODEL_FILE
METADATA_FILE = "model.json"


def save_artifact(models_dir: Path, trained: Any, metadata: dict[str, Any]) -> Path:
    model_path = models_dir / MODEL_FILE
    with atomic_path(model_path) as temporary:
        framework.save_model(trained, temporary)
    write_json(models_dir / METADATA_FILE, metadata)
    return model_path


def load_artifact(models_dir: Path) -> tuple[Any, dict[str, Any]]:
    model_path, metadata_path = models_dir / MODEL_FILE, models_dir / METADATA_FILE
    if not model_path.is_file() or not metadata_path.is_file():
        raise UserError(f"no trained model in {models_dir}/: run `train` first (make train)")
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    return framework.load_model(model_path), metadata
