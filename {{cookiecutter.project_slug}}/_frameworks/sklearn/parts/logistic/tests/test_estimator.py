"""The logistic regression's own rules: C (the inverse of the regularization strength) is a
positive, finite float; its iteration limit is raised, and a fit that reaches it has not
converged; it is trained and saved as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.train import train


def test_c_is_read_as_a_float() -> None:
    value = framework.params(framework.build_model({"C": "2"}, 0))["C"]
    assert value == 2.0 and type(value) is float


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1", "must be a float in the range (0.0, inf]"),
        ("0", "must be a float in the range (0.0, inf]"),
        ("inf", "expected a finite number"),
    ],
)
def test_c_must_be_positive_and_finite(text: str, message: str) -> None:
    with pytest.raises(UserError, match=r"'C'|C=") as raised:
        framework.build_model({"C": text}, 0)
    assert message in str(raised.value)


def test_its_iteration_limit_is_1000_unless_given() -> None:
    assert framework.params(framework.build_model({}, 0))["max_iter"] == 1000
    assert framework.params(framework.build_model({"max_iter": "50"}, 0))["max_iter"] == 50


def test_one_iteration_is_too_few_to_converge(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        models_dir=tmp_path / "m", reports_dir=tmp_path / "r", params={"max_iter": "1"}
    )
    assert train(settings)["converged"] is False
    assert "did not converge; raise the iteration limit (--param max_iter=...)" in caplog.text


def test_it_is_trained_as_it_is() -> None:
    assert type(framework.build_model({}, 0)) is LogisticRegression
