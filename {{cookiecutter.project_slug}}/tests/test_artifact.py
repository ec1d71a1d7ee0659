"""The model on disk: saved as one unit, so a failed save leaves the previous model whole."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }} import artifact as artifact_module
from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import (
    METADATA_FILE,
    load_artifact,
    save_artifact,
)
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.predict import score


@pytest.fixture
def models(trained: tuple[Settings, dict[str, Any]]) -> Path:
    return trained[0].models_dir


def test_model_json_names_the_files_it_was_saved_with(models: Path) -> None:
    metadata = json.loads((models / METADATA_FILE).read_text())
    assert sorted(path.name for path in models.iterdir()) == sorted(
        [METADATA_FILE, *metadata["files"].values()]
    )
    suffix = re.escape(Path(framework.MODEL_FILE).suffix)
    assert re.fullmatch(r"model-[0-9a-f]{12}" + suffix, metadata["files"]["model"])
    assert re.fullmatch(r"preprocessing-[0-9a-f]{12}\.joblib", metadata["files"]["preprocessing"])


def test_saving_makes_the_folders_it_needs(models: Path, tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "models"
    save_artifact(nested, load_artifact(models))
    saved, original = load_artifact(nested).metadata, load_artifact(models).metadata
    assert {**saved, "files": None} == {**original, "files": None}


def test_files_are_written_in_the_models_folder_then_renamed(
    models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written elsewhere (the system's temporary folder), a file could be on another file
    # system than models/ (a mounted volume), and could not be renamed into it in one step.
    written: list[Path] = []
    save_model = framework.save_model

    def recording(model: Any, path: Path) -> None:
        written.append(path)
        save_model(model, path)

    monkeypatch.setattr(framework, "save_model", recording)
    save_artifact(tmp_path / "other", load_artifact(models))
    [path] = written
    assert path.parent.parent == tmp_path / "other" and not path.exists()


def half_written_model(model: object, path: Path) -> None:
    path.write_bytes(b"half a model")
    raise KeyboardInterrupt  # as a kill would stop it


def killed(path: Path, data: dict[str, Any]) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("target", "replacement"),
    [
        (framework, ("save_model", half_written_model)),
        (artifact_module, ("write_json", killed)),
    ],
    ids=["while writing the model", "before model.json is replaced"],
)
def test_a_save_that_is_killed_leaves_the_previous_model_whole(
    models: Path, target: object, replacement: tuple[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = load_dataset(Settings()).features[:20]
    previous = load_artifact(models)
    expected = score(previous, inputs)
    before = {path.name: path.read_bytes() for path in models.iterdir()}
    changed = artifact_module.Artifact(
        previous.preprocessing, previous.model, {**previous.metadata, "seed": 1}
    )
    monkeypatch.setattr(target, *replacement)
    with pytest.raises(KeyboardInterrupt):
        save_artifact(models, changed)
    monkeypatch.undo()
    after = {path.name: path.read_bytes() for path in models.iterdir() if path.name in before}
    assert after == before
    assert score(load_artifact(models), inputs).equals(expected)
    save_artifact(models, changed)  # the next save clears what the killed one left
    metadata = json.loads((models / METADATA_FILE).read_text())
    assert metadata["seed"] == 1
    assert {path.name for path in models.iterdir()} == {METADATA_FILE, *metadata["files"].values()}


def test_a_model_from_another_framework_version_warns(
    models: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = models / METADATA_FILE
    metadata = json.loads(path.read_text())
    metadata["versions"]["framework"] = "scikit-learn 0.1"
    path.write_text(json.dumps(metadata))
    with caplog.at_level(logging.WARNING):
        load_artifact(models)
    assert (
        f"warning: the model was trained with scikit-learn 0.1 and is loaded with "
        f"{framework.VERSION}; its predictions may differ: train it again"
    ) in caplog.text
    del metadata["versions"]  # a model.json from before versions were recorded
    path.write_text(json.dumps(metadata))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        load_artifact(models)
    assert f"trained with None and is loaded with {framework.VERSION}" in caplog.text


def test_a_damaged_description_is_one_clear_error(models: Path) -> None:
    (models / METADATA_FILE).write_text("{not json")
    with pytest.raises(UserError, match="is not a model description; train again"):
        load_artifact(models)
