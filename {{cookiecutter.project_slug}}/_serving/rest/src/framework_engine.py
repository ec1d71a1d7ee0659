"""Scoring with the training framework (SERVE_ENGINE=framework, in the training image): the
saved model and preprocessing, scored by predict.py's `score_features`, the function
`make predict` scores with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import model as framework
from .artifact import load_artifact
from .config import FRAMEWORK
from .predict import score_features
from .scores import Scores


class FrameworkEngine:
    name = framework.VERSION
    platform = FRAMEWORK

    def __init__(self, models_dir: Path) -> None:
        self.artifact = load_artifact(models_dir)

    def score(self, inputs: Any) -> Scores:
        return score_features(self.artifact, inputs, None)
