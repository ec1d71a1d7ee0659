"""Whichever estimator config.yaml names is exported to ONNX for the serving image: trees and
their ensembles too. They take the numbers unscaled (a split is the same on raw numbers, and
scaling in float32 moves rows across splits), and a row whose two most probable classes tie
may go either way."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from sklearn.base import is_classifier

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import load_artifact
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.configuration import (
    ModelChoice,
    Training,
    model_class,
)
from {{ cookiecutter.package_name }}.onnx_engine import OnnxEngine
from {{ cookiecutter.package_name }}.onnx_export import TOLERANCE, tied
from {{ cookiecutter.package_name }}.served_model import load_served_model
from {{ cookiecutter.package_name }}.train import train

from .fixtures import CONFIG

OWN = yaml.safe_load(CONFIG.read_text())["model"]["class_path"]  # the project's estimator
KIND = "Classifier" if is_classifier(model_class(OWN)()) else "Regressor"


@pytest.mark.parametrize(
    "class_path",
    [f"sklearn.ensemble.RandomForest{KIND}", f"sklearn.ensemble.ExtraTrees{KIND}"],
)
def test_a_tree_ensemble_is_exported_and_served_by_onnx_runtime(
    class_path: str, tmp_path: Path
) -> None:
    settings = Settings(
        models_dir=tmp_path / "m",
        reports_dir=tmp_path / "r",
        overrides=("--model", class_path, "--model.init_args.max_depth", "6"),
    )
    train(settings)
    metadata = json.loads((settings.models_dir / "model.json").read_text())
    assert "not_exported" not in metadata["onnx"], metadata["onnx"]
    assert metadata["onnx"]["largest_difference"] <= TOLERANCE
    assert load_served_model(settings.models_dir, "onnx").engine.name == OnnxEngine.name
    scaler = load_artifact(settings.models_dir).preprocessing.named_transformers_["numeric"][-1]
    assert (scaler.with_mean, scaler.with_std) == (False, False)  # raw numbers


def test_trees_take_raw_numbers_and_other_estimators_scaled_ones() -> None:
    def built(class_path: str) -> object:
        return framework.build_model(ModelChoice(class_path, {}), Training())

    assert not framework.wants_scaled_inputs(built("sklearn.tree.DecisionTreeClassifier"))
    assert not framework.wants_scaled_inputs(built("sklearn.ensemble.ExtraTreesRegressor"))
    assert framework.wants_scaled_inputs(built("sklearn.linear_model.LogisticRegression"))
    assert framework.wants_scaled_inputs(built("sklearn.svm.SVC"))  # inside its calibration


def test_a_tie_between_the_two_most_probable_classes_is_either_class() -> None:
    two = np.array([[0.5, 0.5], [0.5 + TOLERANCE / 4, 0.5 - TOLERANCE / 4], [0.6, 0.4]])
    np.testing.assert_array_equal(tied(two), [True, True, False])
    three = np.array([[0.2, 0.4, 0.4], [0.1, 0.3, 0.6]])
    np.testing.assert_array_equal(tied(three), [True, False])
    assert tied(np.ones((3, 1))).tolist() == [False, False, False]
