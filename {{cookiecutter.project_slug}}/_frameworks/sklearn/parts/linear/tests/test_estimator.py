"""The linear regression's own rules: fit_intercept is true or false; it is trained as it is
and, a regressor, gives no class probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.estimator import predict_proba


@pytest.mark.parametrize(("text", "value"), [("false", False), ("no", False), ("true", True)])
def test_fit_intercept_is_read_as_true_or_false(text: str, value: bool) -> None:
    params = framework.params(framework.build_model({"fit_intercept": text}, 0))
    assert params["fit_intercept"] is value


@pytest.mark.parametrize("text", ["maybe", "2"])
def test_other_words_for_fit_intercept_are_refused(text: str) -> None:
    with pytest.raises(UserError, match=f"fit_intercept={text}: expected true or false"):
        framework.build_model({"fit_intercept": text}, 0)


def test_it_is_trained_as_it_is_and_gives_no_probabilities() -> None:
    model = framework.build_model({}, 0)
    assert type(model) is LinearRegression
    features = np.arange(20.0).reshape(10, 2)
    framework.fit(model, features, features.sum(axis=1))
    assert predict_proba(model, features) is None
