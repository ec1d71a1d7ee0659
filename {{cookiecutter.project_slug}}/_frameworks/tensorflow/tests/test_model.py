"""The TensorFlow model file: a `.keras` file that Keras alone loads, scale layer included."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import load_artifact
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.features import transform

from .fixtures import configured_model
from .layer_inputs import random_inputs


def test_the_saved_file_is_a_keras_file_that_keras_loads_with_the_network_class(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, _ = trained
    path = next(settings.models_dir.glob("model-*.keras"))
    # Keras alone, from the file and the network's class
    classes = framework.network_classes(path)
    network = keras.saving.load_model(path, compile=False, custom_objects=classes)
    artifact = load_artifact(settings.models_dir)
    matrix = transform(artifact.preprocessing, load_dataset(settings).features, None)
    expected = framework.outputs(artifact.model, matrix)
    inputs = np.asarray(matrix, dtype=np.float32)
    # The same numbers up to float32 rounding, which changes with the batch size.
    np.testing.assert_allclose(network.predict(inputs, verbose=0), expected, rtol=1e-5, atol=1e-5)


def test_training_runs_in_float32_on_the_cpu() -> None:
    model = configured_model(epochs=1, seed=0)
    framework.fit(model, random_inputs(40, seed=0), np.arange(40) % 2)
    assert keras.mixed_precision.global_policy().name == "float32"
    assert model.model is not None
    assert {weight.dtype for weight in model.model.weights} == {"float32"}


def test_saving_the_same_weights_later_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = configured_model(epochs=1, seed=0)
    framework.fit(model, random_inputs(40, seed=0), np.arange(40) % 2)
    framework.save_model(model, tmp_path / "now.keras")

    class Tomorrow(datetime.datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> Tomorrow:
            return cls.fromtimestamp(time.time(), tz)

    later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: later)  # the zip entries' clock
    monkeypatch.setattr(datetime, "datetime", Tomorrow)  # Keras' date_saved
    framework.save_model(model, tmp_path / "tomorrow.keras")
    assert (tmp_path / "now.keras").read_bytes() == (tmp_path / "tomorrow.keras").read_bytes()
    loaded = framework.load_model(tmp_path / "tomorrow.keras")
    inputs = random_inputs(3, seed=1)
    expected = framework.outputs(model, inputs)
    np.testing.assert_array_equal(framework.outputs(loaded, inputs), expected)
