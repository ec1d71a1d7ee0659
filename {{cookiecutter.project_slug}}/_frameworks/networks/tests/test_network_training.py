"""The network's training rules: its settings, validation rows, early stopping, device."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.network_training import (
    EarlyStopping,
    NetworkTraining,
    hold_out,
)
from {{ cookiecutter.package_name }}.reports import LOSS_CURVE_FILE
from {{ cookiecutter.package_name }}.train import train

from .fixtures import QUICK, configured_model
from .layer_inputs import random_inputs
from .network_cases import target_from


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("epochs", "0", "training.epochs: expected a whole number of at least 1"),
        ("epochs", "2.5", "config key training.epochs: expected int, got 2.5"),
        ("batch_size", "-8", "training.batch_size: expected a whole number of at least 1"),
        ("learning_rate", "0", "training.learning_rate: expected a finite number above 0"),
        ("learning_rate", "fast", "config key training.learning_rate: expected float, got fast"),
        ("learning_rate", "inf", "config key training.learning_rate: expected float, got inf"),
        ("weight_decay", "-0.1", "training.weight_decay: expected a finite number of at least 0"),
        ("patience", "0", "training.patience: expected a whole number of at least 1"),
        ("validation_fraction", "0", "training.validation_fraction: expected a number above 0"),
        ("validation_fraction", "0.6", "training.validation_fraction: expected a number above 0"),
    ],
)
def test_bad_settings_are_refused_in_one_line_before_any_data_is_read(
    name: str, text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.csv"  # would fail on reading, after the settings
    args = ["train", "--data", str(missing), f"--training.{name}", text]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {expected}") and "\n" not in err


def test_a_setting_from_the_command_line_reaches_the_training(tmp_path: Path) -> None:
    settings = Settings(
        models_dir=tmp_path / "m",
        reports_dir=tmp_path / "r",
        overrides=("--training.epochs", "2", "--training.batch_size", "8"),
    )
    metrics = train(settings)
    assert metrics["epochs"] == 2
    assert (metrics["training"]["epochs"], metrics["training"]["batch_size"]) == (2, 8)


def test_early_stopping_keeps_the_best_epoch_and_stops_after_patience(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopping = EarlyStopping(NetworkTraining(epochs=20, patience=2), "Net")
    answers = [stopping.update(1.0, loss) for loss in (0.5, 0.4, 0.45, 0.41)]
    assert answers == [True, True, False, False]
    assert (stopping.best_epoch, stopping.best_loss, stopping.should_stop) == (2, 0.4, True)
    assert caplog.messages[1] == "epoch 2/20: loss 1.0000, validation loss 0.4000 (best)"
    report = stopping.report("cpu")
    assert (report.converged, report.epochs, report.best_epoch) == (True, 4, 2)
    assert report.device == "cpu"
    assert report.validation_loss == [0.5, 0.4, 0.45, 0.41]


def test_a_tiny_gain_is_a_plateau() -> None:
    stopping = EarlyStopping(NetworkTraining(patience=1), "Net")
    assert stopping.update(1.0, 1.0)
    assert not stopping.update(1.0, 1.0 - 1e-6)
    assert stopping.should_stop


def test_running_out_of_epochs_is_not_convergence(caplog: pytest.LogCaptureFixture) -> None:
    stopping = EarlyStopping(NetworkTraining(epochs=2, patience=5), "Net")
    for loss in (0.5, 0.4):
        stopping.update(1.0, loss)
    assert not stopping.should_stop
    assert stopping.report("cpu").converged is False
    assert (
        "warning: Net did not converge: the validation loss was still falling after "
        "2 epochs; raise training.epochs" in caplog.messages
    )


def test_a_loss_that_is_not_finite_stops_training() -> None:
    stopping = EarlyStopping(NetworkTraining(), "Net")
    with pytest.raises(UserError, match=r"Net diverged at epoch 1 .*lower training\.learning_rate"):
        stopping.update(math.nan, 1.0)


def test_validation_rows_come_from_the_training_rows() -> None:
    features = np.arange(200, dtype=float).reshape(100, 2)
    target = target_from(np.arange(100.0) - 79.5)  # a classifier's: 80 of class 0, 20 of 1
    validation = hold_out(features, target, 0.2, seed=0)
    assert len(validation.features) == 20 and len(validation.train_features) == 80
    held = {tuple(row) for row in validation.features}
    assert not held & {tuple(row) for row in validation.train_features}


def test_training_reports_epochs_device_and_the_loss_curve(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, metrics = trained  # on the bundled data
    assert metrics["device"] == "cpu" and isinstance(metrics["converged"], bool)
    assert 1 <= metrics["epochs"] <= metrics["training"]["epochs"]
    assert (settings.reports_dir / LOSS_CURVE_FILE).read_bytes().startswith(b"\x89PNG")
    assert json.loads(settings.metrics_path.read_text())["epochs"] == metrics["epochs"]


def test_too_few_epochs_is_reported_as_not_converged(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    _, metrics = trained  # stopped by its epoch limit, before its validation loss levelled off
    epochs = int(QUICK[QUICK.index("--training.epochs") + 1])
    assert metrics["training"]["epochs"] == epochs
    assert (metrics["epochs"], metrics["converged"]) == (epochs, False)


def inputs(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random model inputs as this model's layers take them (layer_inputs.py, from its layers
    part), and three numbers per row to make targets from."""
    features = random_inputs(rows, seed)
    return features, features.reshape(rows, -1)[:, :3]


def test_the_weights_kept_are_the_best_epochs() -> None:
    """Training past the best epoch, then restoring it, equals training exactly that long."""
    features, signal = inputs(300, seed=1)
    noise = np.random.default_rng(2).normal(scale=2.0, size=300)
    noisy = signal[:, 0] + noise  # a plateau comes early
    target = target_from(noisy)
    stopped = configured_model(patience=5, seed=3)
    report = framework.fit(stopped, features, target)
    assert report.best_epoch is not None and report.epochs is not None
    assert report.best_epoch < report.epochs  # it trained on past its best epoch
    exact = configured_model(patience=5, epochs=report.best_epoch, seed=3)
    framework.fit(exact, features, target)
    for scores in (framework.predict, framework.predict_proba):  # the latter: None, or classes'
        np.testing.assert_array_equal(scores(stopped, features), scores(exact, features))


def test_the_gpu_fallback_says_so_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(framework, "USE_GPU", True)  # as in a project made with use_gpu=yes
    if "cpu" not in str(framework.pick_device()).lower():
        pytest.skip("a GPU is visible here")
    assert caplog.messages == [
        "warning: no CUDA GPU is visible (see the README's GPU section): training on the CPU"
    ]
    caplog.clear()
    monkeypatch.setattr(framework, "USE_GPU", False)
    framework.pick_device()
    assert caplog.messages == []
