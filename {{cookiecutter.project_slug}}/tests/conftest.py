"""Shared fixtures: every test runs in its own folder, so runs never touch models/ or reports/."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.train import train


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MODELS_DIR", raising=False)
    monkeypatch.delenv("REPORTS_DIR", raising=False)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict]:
    """One training on the bundled dataset, shared by the tests that need a model."""
    root = tmp_path_factory.mktemp("trained")
    settings = Settings(models_dir=root / "models", reports_dir=root / "reports")
    return settings, train(settings)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def bundled_csv(tmp_path: Path) -> Path:
    """The bundled dataset written as a user's CSV file, with the target in column `label`."""
    dataset = load_dataset(Settings())
    rows = [
        [*features, target]
        for features, target in zip(dataset.features, dataset.target, strict=True)
    ]
    return write_csv(tmp_path / "bundled.csv", [*dataset.feature_names, "label"], rows)
