"""Training the CNN: real accuracy on held-out images, reproducible, on the user's images too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import METADATA_FILE, load_artifact
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.features import transform
from {{ cookiecutter.package_name }}.reports import LOSS_CURVE_FILE
from {{ cookiecutter.package_name }}.train import evaluate, split_dataset, train

from .conftest import QUICK, write_image_folder

# The bar the issue sets for the default CNN on the bundled digits (seed 42, CPU).
DIGITS_ACCURACY = 0.95


def test_training_on_the_digits_reaches_the_bar_and_writes_reports(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, metrics = trained
    assert metrics["accuracy"] >= DIGITS_ACCURACY, metrics
    assert metrics["n_features"] == 64 and metrics["dataset"] == "digits"
    metadata = json.loads((settings.models_dir / METADATA_FILE).read_text())
    assert metadata["image_shape"] == [8, 8, 1] and metadata["target_name"] == "label"
    assert metadata["classes"] == [str(digit) for digit in range(10)]
    assert metadata["versions"]["framework"] == framework.VERSION
    for name in ("confusion_matrix.png", LOSS_CURVE_FILE):
        assert (settings.reports_dir / name).read_bytes().startswith(b"\x89PNG")


def test_evaluate_repeats_the_held_out_score(
    quickly_trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, metrics = quickly_trained
    assert evaluate(settings)["accuracy"] == metrics["accuracy"]


def test_evaluate_scores_an_npz_file(
    quickly_trained: tuple[Settings, dict[str, Any]], digits_npz: Path
) -> None:
    settings, metrics = quickly_trained
    scored = evaluate(Settings(**{**vars(settings), "data": digits_npz}))
    assert scored["n_rows"] == 1797 and scored["accuracy"] >= metrics["accuracy"] - 0.05


def test_the_scaling_is_learned_from_the_training_images_only(
    quickly_trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, _ = quickly_trained
    scaling = load_artifact(settings.models_dir).preprocessing
    dataset = load_dataset(Settings())
    split = split_dataset(dataset, settings.seed, settings.test_size)
    assert scaling.mean == pytest.approx([np.asarray(split.train_features).mean()], rel=1e-5)
    assert scaling.mean != pytest.approx([np.asarray(dataset.features).mean()], rel=1e-5)


def test_same_seed_gives_the_same_model(
    quick_training: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, first = quick_training  # the same settings, trained once already
    settings = Settings(models_dir=tmp_path / "m", reports_dir=tmp_path / "r", params=QUICK)
    assert train(settings) == first
    artifacts = [load_artifact(folder / "models"), load_artifact(settings.models_dir)]
    images = transform(artifacts[0].preprocessing, load_dataset(Settings()).features, None)
    scores = [framework.predict_proba(artifact.model, images) for artifact in artifacts]
    np.testing.assert_array_equal(scores[0], scores[1])


def test_training_on_a_folder_of_images(image_folder: Path, tmp_path: Path) -> None:
    settings = Settings(data=image_folder, models_dir=tmp_path / "m", reports_dir=tmp_path / "r")
    metrics = train(settings)
    assert metrics["accuracy"] >= 0.9 and metrics["dataset"] == "shapes"
    repeated = evaluate(Settings(models_dir=settings.models_dir, reports_dir=tmp_path / "r"))
    assert repeated["accuracy"] == metrics["accuracy"]  # the folder is read again, and split
    metadata = json.loads((settings.models_dir / METADATA_FILE).read_text())
    assert metadata["image_shape"] == [16, 16, 1] and metadata["classes"] == ["cross", "ring"]
    assert metadata["data_file"] == "shapes"  # relative to the project (here, the working folder)
    held_out = write_image_folder(tmp_path / "more", per_class=20, seed=5)
    scored = evaluate(Settings(**{**vars(settings), "data": held_out}))
    assert scored["n_rows"] == 40 and scored["accuracy"] >= 0.85


def test_evaluate_refuses_images_of_another_size(
    quickly_trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    settings, _ = quickly_trained
    np.savez(tmp_path / "big.npz", X=np.zeros((12, 16, 16)), y=np.zeros(12))
    message = r"big\.npz: X holds images of 16x16x1 \(H x W x C\); the model takes 8x8x1"
    with pytest.raises(UserError, match=message):
        evaluate(Settings(**{**vars(settings), "data": tmp_path / "big.npz"}))
