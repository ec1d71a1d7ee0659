"""The model exported to ONNX at training: checked on the held-out rows before it is saved,
answering as the framework does, and left out, with the framework serving instead, when it
cannot be exported or fails the check."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }} import onnx_export, payloads
from {{ cookiecutter.package_name }}.config import FRAMEWORK
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.onnx_engine import OnnxEngine
from {{ cookiecutter.package_name }}.scores import Scores
from {{ cookiecutter.package_name }}.served_model import load_served_model
from {{ cookiecutter.package_name }}.train import train

from .serve_cases import agreeing_requests, quick_settings
from .serve_cases import served_models as served_models  # the fixture


def saved(models_dir: Path) -> dict[str, Any]:
    metadata: dict[str, Any] = json.loads((models_dir / "model.json").read_text())
    return metadata


def test_training_exports_one_graph_checked_on_the_held_out_rows(served_models: Path) -> None:
    metadata = saved(served_models)
    exported = metadata["onnx"]
    assert exported["checked_rows"] > 0
    assert 0 <= exported["largest_difference"] <= exported["tolerance"] == onnx_export.TOLERANCE
    session = ort.InferenceSession(served_models / metadata["files"]["onnx"])
    assert len(session.get_inputs()) == len(payloads.input_tensors(metadata))
    outputs = [output.name for output in session.get_outputs()]
    assert outputs == ["probabilities" if metadata["classes"] else "value"]


def test_onnx_runtime_answers_as_the_framework_does(served_models: Path, tmp_path: Path) -> None:
    """The same classes, and probabilities (or values) within the export's tolerance."""
    served = {engine: load_served_model(served_models, engine) for engine in ("onnx", "framework")}
    assert served["onnx"].engine.name == OnnxEngine.name
    assert served["framework"].engine.name == framework.VERSION
    for case in agreeing_requests(tmp_path):
        inputs = payloads.from_instances(case.instances, saved(served_models))
        same_scores(served["onnx"].score(inputs), served["framework"].score(inputs))


def same_scores(onnx: Scores, native: Scores) -> None:
    tolerance = onnx_export.TOLERANCE
    if native.probabilities is None:
        values = onnx.predictions.astype(float), native.predictions.astype(float)
        np.testing.assert_allclose(*values, rtol=tolerance, atol=tolerance)
        return
    assert onnx.predictions.tolist() == native.predictions.tolist()
    assert onnx.probabilities is not None
    np.testing.assert_allclose(onnx.probabilities, native.probabilities, atol=tolerance)


class WrongEngine(OnnxEngine):
    """A fault in ONNX Runtime's answers: each row another class, or a value 1% larger."""

    def score(self, inputs: Any) -> Scores:
        scores = super().score(inputs)
        if scores.probabilities is None:
            return Scores(scores.predictions * 1.01, None, [])
        labels = scores.classes
        following = {label: labels[(at + 1) % len(labels)] for at, label in enumerate(labels)}
        others = np.array([following[label] for label in scores.predictions], dtype=object)
        return Scores(others, scores.probabilities, labels)


def broken_converter(*_args: Any, **_kwargs: Any) -> Any:
    raise NotImplementedError("no converter for this estimator")


FAULTS = {  # a fault put in the export, and words of the reason training gives
    "tolerance": (("TOLERANCE", -1.0), "the tolerance is -1"),
    "answers": (("OnnxEngine", WrongEngine), "ONNX Runtime"),
    "converter": (("model_graph", broken_converter), "failed (NotImplementedError: no converter"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_model_not_exported_is_saved_without_onnx_and_served_by_the_framework(
    fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (name, value), reason = FAULTS[fault]
    monkeypatch.setattr(onnx_export, name, value)
    settings = quick_settings(tmp_path)
    with caplog.at_level(logging.INFO):
        train(settings)
    notes = [record.getMessage() for record in caplog.records if "ONNX" in record.getMessage()]
    assert len(notes) == 1 and "was not exported to ONNX" in notes[0] and reason in notes[0]
    metadata = saved(settings.models_dir)
    assert reason in metadata["onnx"]["not_exported"]
    assert "onnx" not in metadata["files"] and not list(settings.models_dir.glob("*.onnx"))
    caplog.clear()
    served = load_served_model(settings.models_dir, "onnx")
    assert served.engine.name == framework.VERSION
    note = f"note: the model has no ONNX export ({metadata['onnx']['not_exported']}): served with"
    assert [message for message in caplog.messages if "ONNX" in message] == [f"{note} {FRAMEWORK}"]


def test_a_model_saved_before_onnx_exports_is_served_by_the_framework_with_a_note(
    served_models: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    models = Path(shutil.copytree(served_models, tmp_path / "older"))
    metadata = saved(models)
    del metadata["files"]["onnx"], metadata["onnx"]
    (models / "model.json").write_text(json.dumps(metadata))
    with caplog.at_level(logging.WARNING):
        assert load_served_model(models, "onnx").engine.name == framework.VERSION
    assert [message for message in caplog.messages if "ONNX" in message] == [
        f"note: the model has no ONNX export (it was trained without one): served with {FRAMEWORK}"
    ]


def test_without_the_framework_a_model_without_onnx_is_refused_with_what_to_do(
    served_models: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The serving image has no training framework: importing its engine fails there."""
    models = Path(shutil.copytree(served_models, tmp_path / "without-onnx"))
    metadata = saved(models)
    del metadata["files"]["onnx"]
    metadata["onnx"] = {"not_exported": "a reason"}
    (models / "model.json").write_text(json.dumps(metadata))
    monkeypatch.setitem(
        sys.modules, f"{framework.__name__.rsplit('.', 1)[0]}.framework_engine", None
    )
    with pytest.raises(UserError, match=r"no ONNX export \(a reason\).*SERVE_ENGINE=framework"):
        load_served_model(models, "onnx")
    with pytest.raises(UserError, match=r"served by .*SERVE_ENGINE=framework"):
        load_served_model(served_models, "framework")
