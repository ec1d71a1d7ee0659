"""The support vector machine's own rules: C is a positive, finite float (10 unless given), and
the SVC is trained inside a calibration, so that its class probabilities agree with its
predictions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import SVC

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.estimator import predict_proba


def test_c_is_10_unless_given_and_read_as_a_float() -> None:
    assert framework.params(framework.build_model({}, 0))["C"] == 10.0
    value = framework.params(framework.build_model({"C": "5"}, 0))["C"]
    assert value == 5.0 and type(value) is float


@pytest.mark.parametrize(
    ("text", "message"),
    [("0", "must be a float in the range (0.0, inf]"), ("nan", "expected a finite number")],
)
def test_c_must_be_positive_and_finite(text: str, message: str) -> None:
    with pytest.raises(UserError, match=r"'C'|C=") as raised:
        framework.build_model({"C": text}, 0)
    assert message in str(raised.value)


def test_the_svc_is_calibrated_and_its_most_probable_class_is_its_prediction() -> None:
    # Calibration costs a fit per fold and changes the probabilities: the SVC needs it.
    model = framework.build_model({}, 0)
    assert isinstance(model, CalibratedClassifierCV) and isinstance(model.estimator, SVC)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(120, 3))
    target = (features[:, 0] + 0.3 * rng.normal(size=120) > 0).astype(int)
    framework.fit(model, features, target)
    probabilities = predict_proba(model, features)
    assert probabilities is not None
    np.testing.assert_array_equal(probabilities.argmax(axis=1), framework.predict(model, features))
