"""Training: real metrics on held-out data, better than a baseline, and reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier, DummyRegressor

from {{ cookiecutter.package_name }}.artifact import (
    METADATA_FILE,
    MODEL_FILE,
    PREPROCESSING_FILE,
    load_artifact,
)
from {{ cookiecutter.package_name }}.config import TASK, Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.reports import compute_metrics, plot_name
from {{ cookiecutter.package_name }}.train import evaluate, split_dataset, train

from .conftest import customer_table

METRIC = "accuracy" if TASK == "classification" else "r2"


def test_training_writes_model_metrics_and_plot(trained: tuple[Settings, dict]) -> None:
    settings, metrics = trained
    assert (settings.models_dir / MODEL_FILE).is_file()
    assert json.loads((settings.models_dir / METADATA_FILE).read_text())["feature_types"]
    assert (settings.models_dir / PREPROCESSING_FILE).is_file()
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
    assert list(metadata["feature_types"]) == list(load_dataset(Settings()).feature_types)
    assert np.isfinite(metrics[METRIC])


# The customer table's target is 90% signal (see conftest.customer_table): a model that
# uses its numbers and categories reaches these bars, one that ignores them does not.
CUSTOMER_BAR = {"classification": 0.8, "regression": 0.8}


def test_training_on_categories_and_missing_values_reaches_the_bar(
    customers_csv: Path, tmp_path: Path
) -> None:
    settings = Settings(
        data=customers_csv, target="label", drop=("customer_id",), models_dir=tmp_path / "m"
    )
    metrics = train(settings)
    assert metrics[METRIC] >= CUSTOMER_BAR[TASK]
    assert metrics["n_features"] == 4
    # Without --data, evaluate re-reads the training file and repeats the split.
    assert evaluate(Settings(models_dir=tmp_path / "m"))[METRIC] == metrics[METRIC]
    table = customer_table(300, seed=9)
    table.to_parquet(tmp_path / "holdout.parquet")
    holdout = evaluate(Settings(data=tmp_path / "holdout.parquet", models_dir=tmp_path / "m"))
    assert holdout["n_rows"] == 300 and holdout[METRIC] >= CUSTOMER_BAR[TASK] - 0.05


def test_preprocessing_is_learned_from_the_training_rows_only(
    customers_csv: Path, tmp_path: Path
) -> None:
    settings = Settings(
        data=customers_csv, target="label", drop=("customer_id",), models_dir=tmp_path / "m"
    )
    train(settings)
    dataset = load_dataset(settings)
    split = split_dataset(dataset, settings.seed, settings.test_size)
    numbers = load_artifact(settings.models_dir).preprocessing.named_transformers_["numeric"]
    imputer, scaler = numbers[0], numbers[-1]
    np.testing.assert_allclose(
        imputer.statistics_, split.train_features[["tenure", "monthly_charges"]].median()
    )
    assert not np.allclose(
        imputer.statistics_, dataset.features[["tenure", "monthly_charges"]].median()
    )
    assert scaler.mean_ == pytest.approx(
        imputer.transform(split.train_features[["tenure", "monthly_charges"]]).mean(axis=0)
    )


def test_values_too_large_to_scale_are_refused(tmp_path: Path) -> None:
    table = pd.DataFrame({"x": [str(i) for i in range(40)], "y": [str(i % 2) for i in range(40)]})
    table.loc[5:9, "x"] = "1e308"  # some of these rows land in the training split
    table.to_csv(tmp_path / "big.csv", index=False)
    settings = Settings(data=tmp_path / "big.csv", target="y", models_dir=tmp_path / "m")
    with pytest.raises(
        UserError, match=r"big.csv: line \d+: column 'x' has 1e\+308, too large to scale"
    ):
        train(settings)
    assert not (tmp_path / "m").exists()
