"""scikit-learn hyper-parameters: every one the estimator has, typed, checked before training.

What differs by model (its own parameters' rules, how it is trained) is tested beside its
estimator, in test_estimator.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from sklearn.exceptions import ConvergenceWarning

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import load_artifact
from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import MODEL, PARAM_EXAMPLE, Settings
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.estimator import ESTIMATOR, estimator_of
from {{ cookiecutter.package_name }}.train import train

# The `--param` example the help and the README show: a parameter this model has.
NAME, _, TEXT = PARAM_EXAMPLE.partition("=")


def test_the_example_parameter_is_converted_to_its_type_and_used(tmp_path: Path) -> None:
    default = framework.params(framework.build_model({}, 0))[NAME]
    value = framework.params(framework.build_model({NAME: TEXT}, 0))[NAME]
    assert value != default and not isinstance(value, str)  # the text became a number or a flag
    metrics = train(
        Settings(models_dir=tmp_path / "m", reports_dir=tmp_path / "r", params={NAME: TEXT})
    )
    assert metrics["params"][NAME] == value
    assert type(metrics["params"][NAME]) is type(value)


def test_a_bad_value_is_refused_before_any_data_is_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"  # would fail on reading, after the parameters
    with pytest.raises(UserError, match=f"'?{NAME}'?[= ]") as raised:
        train(Settings(data=missing, target="y", params={NAME: "nonsense"}))
    assert "nonsense" in str(raised.value)


def test_the_model_is_its_estimator() -> None:
    assert isinstance(estimator_of(framework.build_model({}, 0)), ESTIMATOR)


def test_an_iteration_limit_of_zero_is_refused() -> None:
    if "max_iter" not in framework.params(framework.build_model({}, 0)):
        with pytest.raises(UserError, match="unknown parameter"):
            framework.build_model({"max_iter": "0"}, 0)
        return
    with pytest.raises(UserError, match="max_iter=0: expected at least 1 iteration"):
        framework.build_model({"max_iter": "0"}, 0)


def test_unknown_names_list_the_estimators_own_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["train", "--param", "no_such_param=1"]) == 1
    err = capsys.readouterr().err
    expected = ", ".join(sorted(framework.params(framework.build_model({}, 0))))
    assert f"unknown parameter(s): no_such_param; the parameters are: {expected}" in err
    assert "random_state" not in err  # the seed has its own flag


def test_the_seed_reaches_the_trained_estimator(tmp_path: Path) -> None:
    settings = Settings(models_dir=tmp_path / "m", reports_dir=tmp_path / "r", seed=123)
    train(settings)
    estimator = estimator_of(load_artifact(settings.models_dir).model)
    assert estimator.get_params().get("random_state", 123) == 123  # some estimators have none


class Noisy:
    """An estimator stand-in whose fit warns, as solvers do."""

    def __init__(self, *warnings_to_raise: Warning) -> None:
        self.warnings_to_raise = warnings_to_raise

    def fit(self, features: object, target: object) -> Noisy:
        for warning in self.warnings_to_raise:
            warnings.warn(warning, stacklevel=1)
        return self


def test_fit_reports_non_convergence_in_one_line_and_keeps_other_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert framework.fit(Noisy(), None, None).converged is True  # type: ignore[arg-type]
    noisy = Noisy(ConvergenceWarning("lbfgs failed"), UserWarning("something else"))
    with pytest.warns(UserWarning, match="something else"):
        report = framework.fit(noisy, None, None)  # type: ignore[arg-type]
    assert report.converged is False
    assert caplog.messages == [
        f"warning: {MODEL} did not converge; raise the iteration limit (--param max_iter=...) "
        "or simplify the data"
    ]


def test_a_fit_the_estimator_refuses_is_one_clear_error() -> None:
    class Refusing:
        def fit(self, features: object, target: object) -> None:
            raise ValueError("penalty and solver do not go together")

    with pytest.raises(UserError) as raised:
        framework.fit(Refusing(), None, None)  # type: ignore[arg-type]
    assert (
        str(raised.value) == f"{MODEL} could not be trained: penalty and solver do not go together"
    )


def test_a_model_that_does_not_converge_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a fit stopped before converging is the estimator's to say: a ConvergenceWarning.
    Which parameters make it stop differs by estimator (LogisticRegression's max_iter does,
    Ridge's is ignored by its default solver), so here every fit of ESTIMATOR warns."""
    settings = Settings(models_dir=tmp_path / "m", reports_dir=tmp_path / "r")
    assert train(settings)["converged"] is True  # the defaults converge on the bundled data
    fit = ESTIMATOR.fit

    def fit_stopped_early(estimator: Any, *args: Any, **kwargs: Any) -> Any:
        warnings.warn(ConvergenceWarning("stopped at its iteration limit"), stacklevel=1)
        return fit(estimator, *args, **kwargs)

    monkeypatch.setattr(ESTIMATOR, "fit", fit_stopped_early)
    metrics = train(settings)
    assert metrics["converged"] is False
    assert json.loads(settings.metrics_path.read_text())["converged"] is False
    assert "did not converge; raise the iteration limit (--param max_iter=...)" in caplog.text
