"""The fixtures every project's tests share, whatever the model reads: each test runs in its
own folder (so runs never touch models/ or reports/), and one training on the bundled dataset
per session. conftest.py (the inputs kind's) makes them visible to the tests."""

from __future__ import annotations

import copy
import dataclasses
import os
import shutil
from pathlib import Path
from typing import Any, Literal

import pytest

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.configuration import read_config
from {{ cookiecutter.package_name }}.train import train

Scope = Literal["session", "package", "module", "class", "function"]

# The project's config.yaml: the tests train the model it names, with its settings.
CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"
# A network trains a few epochs in the tests: enough to beat guessing if it learns at all.
QUICK: tuple[str, ...] = {{ '("--training.epochs", "3")' if frameworks[cookiecutter.framework].network else '()' }}


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test in a folder of its own, with a copy of the project's config.yaml."""
    shutil.copy(CONFIG, tmp_path / "config.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODELS_DIR", raising=False)
    monkeypatch.delenv("REPORTS_DIR", raising=False)


def once_per_session(fixture_name: str, config: pytest.Config) -> Scope:
    """Session, but one per test under mutation testing (make mutation, which sets
    MUTANT_UNDER_TEST): mutmut picks the tests to run by the code each one was seen to run."""
    return "function" if "MUTANT_UNDER_TEST" in os.environ else "session"


def copied(
    folder: Path, metrics: dict[str, Any], tmp_path: Path
) -> tuple[Settings, dict[str, Any]]:
    """A training's models/ and reports/ copied into this test's own folders: a test may
    change or damage them."""
    settings = Settings(models_dir=tmp_path / "models", reports_dir=tmp_path / "reports")
    shutil.copytree(folder / "models", settings.models_dir)
    shutil.copytree(folder / "reports", settings.reports_dir)
    return settings, copy.deepcopy(metrics)


@pytest.fixture(scope=once_per_session)
def bundled_training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One training on the bundled dataset (deterministic; quick for a network, see QUICK):
    its folder and metrics."""
    folder = tmp_path_factory.mktemp("trained")
    settings = Settings(
        models_dir=folder / "models", reports_dir=folder / "reports", overrides=QUICK
    )
    return folder, train(settings)


@pytest.fixture
def trained(
    bundled_training: tuple[Path, dict[str, Any]], tmp_path: Path
) -> tuple[Settings, dict[str, Any]]:
    """A model trained on the bundled dataset, in this test's own models/ and reports/."""
    return copied(*bundled_training, tmp_path)


@pytest.fixture(scope=once_per_session)
def fully_trained(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, dict[str, Any]]:
    """The model trained on the bundled dataset with the project's settings, as `make train`
    does (read-only: shared by the tests). For the tests of what a model of tables learned: a
    few epochs teach a network's regressor too little."""
    if not QUICK:  # the quick training is the whole one
        folder, metrics = request.getfixturevalue("bundled_training")
    else:
        folder = tmp_path_factory.mktemp("fully-trained")
        metrics = train(Settings(models_dir=folder / "models", reports_dir=folder / "reports"))
    return Settings(models_dir=folder / "models", reports_dir=folder / "reports"), metrics


def configured_model(**training: Any) -> Any:
    """An untrained model as config.yaml says, with these training settings changed."""
    run = read_config(CONFIG, framework.MODEL_BASE, framework.TRAINING, framework.DECIDED_BY_DATA)
    return framework.build_model(run.model, dataclasses.replace(run.training, **training))


def skip_unless_the_model_scales() -> None:
    """For the tests of scaling numbers: a model that takes them raw (a tree) scales none."""
    if not framework.wants_scaled_inputs(configured_model()):
        pytest.skip("config.yaml's model takes raw numbers (a tree): nothing is scaled")


def one_error_line(err: str) -> str:
    """The one line a command printed for a problem: an `error:` line and no traceback."""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: ")
    assert "Traceback" not in "\n".join(lines)
    return lines[-1]
