"""The PyTorch model file: a state dict and its config, loaded without running code from it."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import load_artifact
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.features import transform

from .fixtures import configured_model
from .layer_inputs import random_inputs


def test_the_saved_file_is_a_state_dict_with_the_config_to_rebuild_it(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, _ = trained
    path = next(settings.models_dir.glob("model-*.pt"))
    saved = torch.load(path, map_location="cpu", weights_only=True)  # plain tensors and numbers
    assert set(saved) == {"config", "state_dict"}
    assert all(isinstance(value, torch.Tensor) for value in saved["state_dict"].values())
    rebuilt = framework.build_module(saved["config"])
    rebuilt.load_state_dict(saved["state_dict"])  # the same layers, name for name


def test_a_loaded_model_scores_in_evaluation_mode(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, _ = trained
    artifact = load_artifact(settings.models_dir)
    assert artifact.model.module is not None and not artifact.model.module.training  # no dropout
    matrix = transform(artifact.preprocessing, load_dataset(settings).features, None)
    first, second = (framework.predict(artifact.model, matrix) for _ in range(2))
    np.testing.assert_array_equal(first, second)


def test_training_runs_in_float32_on_the_cpu() -> None:
    model = configured_model(epochs=1, seed=0)
    framework.fit(model, random_inputs(40, seed=0), np.arange(40) % 2)
    assert model.module is not None
    assert {p.dtype for p in model.module.parameters()} == {torch.float32}
