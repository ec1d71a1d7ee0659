"""A network classifier: validation rows held out by class, classes learned with their
probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.network_training import hold_out

from .fixtures import configured_model
from .test_network_training import inputs


def test_validation_rows_come_from_the_training_rows_by_class() -> None:
    features = np.arange(200, dtype=float).reshape(100, 2)
    validation = hold_out(features, np.array([0] * 80 + [1] * 20), 0.2, seed=0)
    assert len(validation.features) == 20 and len(validation.train_features) == 80
    assert sorted(validation.target.tolist()) == [0] * 16 + [1] * 4


def test_too_few_rows_of_a_class_to_hold_out_is_one_clear_error() -> None:
    with pytest.raises(UserError, match=r"cannot hold out validation_fraction=0\.1"):
        hold_out(np.zeros((10, 1)), np.array([0] * 9 + [1]), 0.1, seed=0)


def test_the_model_learns_classes_and_their_probabilities() -> None:
    features, signal = inputs(400, seed=0)
    target = (signal[:, 0] + signal[:, 1] > 0).astype(np.int64)
    model = configured_model(epochs=40, learning_rate=0.05, seed=0)
    framework.fit(model, features, target)
    predicted = framework.predict(model, features)
    assert (predicted == target).mean() >= 0.9  # chance is 0.5
    probabilities = framework.predict_proba(model, features)
    assert probabilities is not None and probabilities.shape == (400, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert (probabilities.argmax(axis=1) == predicted).all()
