"""Training: real metrics on held-out data, better than a baseline, and reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor

from {{ cookiecutter.package_name }}.artifact import METADATA_FILE, MODEL_FILE
from {{ cookiecutter.package_name }}.config import TASK, Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.reports import compute_metrics, plot_name
from {{ cookiecutter.package_name }}.train import evaluate, split_dataset, train

METRIC = "accuracy" if TASK == "classification" else "r2"


def test_training_writes_model_metrics_and_plot(trained: tuple[Settings, dict]) -> None:
    settings, metrics = trained
    assert (settings.models_dir / MODEL_FILE).is_file()
    assert json.loads((settings.models_dir / METADATA_FILE).read_text())["feature_names"]
    assert json.loads(settings.metrics_path.read_text()) == metrics
    assert (settings.reports_dir / plot_name(TASK)).read_bytes().startswith(b"\x89PNG")
    assert {METRIC, "dataset", "model", "n_train", "n_test", "seed"} <= metrics.keys()


def test_model_beats_a_baseline_that_ignores_the_features(trained: tuple[Settings, dict]) -> None:
    settings, metrics = trained
    split = split_dataset(load_dataset(Settings()), settings.seed, settings.test_size)
    baseline = DummyClassifier() if TASK == "classification" else DummyRegressor()
    baseline.fit(split.train_features, split.train_target)
    chance = compute_metrics(TASK, split.test_target, baseline.predict(split.test_features))
    assert metrics[METRIC] > chance[METRIC] + 0.2


def test_evaluate_repeats_the_held_out_score(trained: tuple[Settings, dict]) -> None:
    settings, metrics = trained
    assert evaluate(settings)[METRIC] == metrics[METRIC]


def test_same_seed_gives_the_same_model(tmp_path: Path) -> None:
    runs = [
        Settings(models_dir=tmp_path / name, reports_dir=tmp_path / name) for name in ("a", "b")
    ]
    first, second = (train(settings) for settings in runs)
    assert first == second
    models = [(settings.models_dir / MODEL_FILE).read_bytes() for settings in runs]
    assert models[0] == models[1]


def test_training_on_a_csv_file_uses_its_columns(bundled_csv: Path, tmp_path: Path) -> None:
    settings = Settings(data=bundled_csv, target="label", models_dir=tmp_path / "m")
    metrics = train(settings)
    assert metrics["dataset"] == "bundled.csv"
    metadata = json.loads((settings.models_dir / METADATA_FILE).read_text())
    assert metadata["target_name"] == "label"
    assert np.isfinite(metrics[METRIC])
