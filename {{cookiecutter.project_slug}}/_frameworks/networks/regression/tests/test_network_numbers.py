"""A network regressor: the target's own scale, whatever it is."""

from __future__ import annotations

import numpy as np

from {{ cookiecutter.package_name }} import model as framework

from .fixtures import configured_model
from .test_network_training import inputs


def test_the_model_learns_a_target_far_from_zero() -> None:
    """Regressors learn a standardized target and give predictions in its own scale."""
    features, signal = inputs(400, seed=0)
    target = 5000.0 + 300.0 * signal[:, 0] - 200.0 * signal[:, 2]
    model = configured_model(epochs=40, learning_rate=0.05, seed=0)
    framework.fit(model, features, target)
    predicted = framework.predict(model, features)
    assert np.abs(predicted - target).max() < 50.0
