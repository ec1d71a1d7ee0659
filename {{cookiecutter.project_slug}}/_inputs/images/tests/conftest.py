"""Shared fixtures: every test runs in its own folder, so runs never touch models/ or reports/."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.train import train

Scope = Literal["session", "package", "module", "class", "function"]


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    """One full training on the bundled digits (training is deterministic): its folder, metrics."""
    folder = tmp_path_factory.mktemp("trained")
    return folder, train(Settings(models_dir=folder / "models", reports_dir=folder / "reports"))


@pytest.fixture
def trained(
    bundled_training: tuple[Path, dict[str, Any]], tmp_path: Path
) -> tuple[Settings, dict[str, Any]]:
    """A model trained on the bundled digits, for the tests of how good it is."""
    return copied(*bundled_training, tmp_path)


# Enough epochs for a model far better than chance, in about a second: for the tests of
# what happens around a model, not of how good it is.
QUICK = {"epochs": "3"}


@pytest.fixture(scope=once_per_session)
def quick_training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("quick")
    settings = Settings(models_dir=folder / "models", reports_dir=folder / "reports", params=QUICK)
    return folder, train(settings)


@pytest.fixture
def quickly_trained(
    quick_training: tuple[Path, dict[str, Any]], tmp_path: Path
) -> tuple[Settings, dict[str, Any]]:
    return copied(*quick_training, tmp_path)


@pytest.fixture
def digits_npz(tmp_path: Path) -> Path:
    """The bundled digits as a user's .npz file: X is N x 8 x 8, y the digit."""
    dataset = load_dataset(Settings())
    path = tmp_path / "digits.npz"
    np.savez(path, X=np.asarray(dataset.features)[..., 0], y=dataset.target.astype(int))
    return path


def shape_image(
    kind: str, size: int, rng: np.random.Generator, colour: bool = False
) -> Image.Image:
    """A noisy drawing of a square ring or a cross, placed at random: easy for a CNN, not
    for a model that looks at single pixels."""
    pixels = rng.integers(0, 60, (size, size)).astype(np.uint8)
    side = size // 2
    top, left = (int(n) for n in rng.integers(0, size - side, 2))
    if kind == "ring":
        pixels[top : top + side, left : left + side] = 220
        pixels[top + 2 : top + side - 2, left + 2 : left + side - 2] = 30
    else:
        pixels[top + side // 2 - 1 : top + side // 2 + 1, left : left + side] = 220
        pixels[top : top + side, left + side // 2 - 1 : left + side // 2 + 1] = 220
    image = Image.fromarray(pixels, mode="L")
    return image.convert("RGB") if colour else image


def write_image_folder(folder: Path, per_class: int, seed: int = 0, size: int = 16) -> Path:
    """A folder of PNG files with one sub-folder per class, as people keep their images."""
    rng = np.random.default_rng(seed)
    for kind in ("cross", "ring"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            shape_image(kind, size, rng).save(folder / kind / f"{kind}-{number:03d}.png")
    return folder


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    return write_image_folder(tmp_path / "shapes", per_class=60)
