"""Training on images: better than guessing on held-out images, reproducible, on the user's
images too."""

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

# How much more accurate than guessing the most frequent class a trained model must be on
# held-out images whose class shows in them.
CLEARLY_BETTER = 0.2


def guessing_accuracy(train_labels: np.ndarray, test_labels: np.ndarray) -> float:
    """The accuracy on `test_labels` of always guessing the most frequent of `train_labels`."""
    values, counts = np.unique(train_labels, return_counts=True)
    return float(np.mean(test_labels == values[counts.argmax()]))


def test_the_trained_model_beats_guessing_the_most_frequent_class(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    _, metrics = trained
    split = split_dataset(load_dataset(Settings()), metrics["seed"], metrics["test_size"])
    guess = guessing_accuracy(split.train_target, split.test_target)
    assert metrics["accuracy"] > guess + CLEARLY_BETTER, metrics


def test_training_on_the_digits_writes_the_model_and_reports(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, metrics = trained
    assert metrics["n_features"] == 64 and metrics["dataset"] == "digits"
    metadata = json.loads((settings.models_dir / METADATA_FILE).read_text())
    assert metadata["image_shape"] == [8, 8, 1] and metadata["target_name"] == "label"
    assert metadata["classes"] == [str(digit) for digit in range(10)]
    assert metadata["versions"]["framework"] == framework.VERSION
    for name in ("confusion_matrix.png", LOSS_CURVE_FILE):
        assert (settings.reports_dir / name).read_bytes().startswith(b"\x89PNG")


def test_evaluate_repeats_the_held_out_score(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, metrics = trained
    assert evaluate(settings)["accuracy"] == metrics["accuracy"]


def test_evaluate_scores_an_npz_file(
    trained: tuple[Settings, dict[str, Any]], digits_npz: Path
) -> None:
    settings, metrics = trained
    scored = evaluate(Settings(**{**vars(settings), "data": digits_npz}))
    assert scored["n_rows"] == 1797 and scored["accuracy"] >= metrics["accuracy"] - 0.05


def test_the_scaling_is_learned_from_the_training_images_only(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, metrics = trained
    scaling = load_artifact(settings.models_dir).preprocessing
    dataset = load_dataset(Settings())
    split = split_dataset(dataset, metrics["seed"], metrics["test_size"])
    assert scaling.mean == pytest.approx([np.asarray(split.train_features).mean()], rel=1e-5)
    assert scaling.mean != pytest.approx([np.asarray(dataset.features).mean()], rel=1e-5)


def test_same_seed_gives_the_same_model(
    bundled_training: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, first = bundled_training  # the same settings, trained once already
    settings = Settings(models_dir=tmp_path / "m", reports_dir=tmp_path / "r", overrides=QUICK)
    assert train(settings) == first
    artifacts = [load_artifact(folder / "models"), load_artifact(settings.models_dir)]
    images = transform(artifacts[0].preprocessing, load_dataset(Settings()).features, None)
    scores = [framework.predict_proba(artifact.model, images) for artifact in artifacts]
    np.testing.assert_array_equal(scores[0], scores[1])


def test_training_on_a_folder_of_images(image_folder: Path, tmp_path: Path) -> None:
    settings = Settings(
        data=image_folder, models_dir=tmp_path / "m", reports_dir=tmp_path / "r", overrides=QUICK
    )
    metrics = train(settings)
    assert metrics["dataset"] == "shapes" and metrics["n_test"] == 24
    repeated = evaluate(Settings(models_dir=settings.models_dir, reports_dir=tmp_path / "r"))
    assert repeated["accuracy"] == metrics["accuracy"]  # the folder is read again, and split
    metadata = json.loads((settings.models_dir / METADATA_FILE).read_text())
    assert metadata["image_shape"] == [16, 16, 1] and metadata["classes"] == ["cross", "ring"]
    assert metadata["data_file"] == "shapes"  # relative to the project (here, the working folder)
    held_out = write_image_folder(tmp_path / "more", per_class=20, seed=5)
    scored = evaluate(Settings(**{**vars(settings), "data": held_out}))
    assert scored["n_rows"] == 40 and scored["dataset"] == "more"


def test_evaluate_refuses_images_of_another_size(
    trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    settings, _ = trained
    np.savez(tmp_path / "big.npz", X=np.zeros((12, 16, 16)), y=np.zeros(12))
    message = r"big\.npz: X holds images of 16x16x1 \(H x W x C\); the model takes 8x8x1"
    with pytest.raises(UserError, match=message):
        evaluate(Settings(**{**vars(settings), "data": tmp_path / "big.npz"}))
