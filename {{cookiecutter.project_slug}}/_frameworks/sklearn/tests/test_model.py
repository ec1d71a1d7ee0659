"""scikit-learn models: the estimator config.yaml names, with its arguments checked before
training; any estimator, including one that gives no probabilities of its own."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from sklearn.base import is_classifier
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning

from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import load_artifact
from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.configuration import (
    ModelChoice,
    Training,
    model_class,
)
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.model import estimator_of
from {{ cookiecutter.package_name }}.train import train

from .fixtures import CONFIG

OWN = yaml.safe_load(CONFIG.read_text())["model"]  # the project's model, as config.yaml names it
ESTIMATOR = model_class(OWN["class_path"])


def built(**init_args: Any) -> Any:
    choice = ModelChoice(OWN["class_path"], {**(OWN.get("init_args") or {}), **init_args})
    return framework.build_model(choice, Training())


def test_the_model_is_the_estimator_config_yaml_names_with_its_arguments() -> None:
    estimator = estimator_of(built())
    assert type(estimator) is ESTIMATOR
    for name, value in (OWN.get("init_args") or {}).items():
        assert estimator.get_params()[name] == value


def test_an_override_reaches_the_trained_estimator_and_the_saved_config(tmp_path: Path) -> None:
    name = next(
        name for name, value in ESTIMATOR().get_params().items() if type(value) in (int, float)
    )  # the estimator's first numeric argument (C, alpha, n_estimators, ...)
    value = ESTIMATOR().get_params()[name] * 2 or 1  # another value, whatever it was
    settings = Settings(
        models_dir=tmp_path / "m",
        reports_dir=tmp_path / "r",
        overrides=(f"--model.init_args.{name}", str(value)),
    )
    metrics = train(settings)
    assert metrics["params"][name] == value
    assert estimator_of(load_artifact(settings.models_dir).model).get_params()[name] == value
    saved = yaml.safe_load((settings.reports_dir / "config.yaml").read_text())
    assert saved["model"]["init_args"][name] == value


def test_a_bad_value_is_refused_before_any_data_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = next(iter(ESTIMATOR().get_params()))
    missing = tmp_path / "missing.csv"  # would fail on reading, after the arguments
    args = ["train", "--data", str(missing), "--target", "y", f"--model.init_args.{name}"]
    assert main([*args, "nonsense-value"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: config key model") and "\n" not in err
    assert name in err and "missing.csv" not in err


def test_another_estimator_is_one_override_and_the_metrics_name_it(tmp_path: Path) -> None:
    kind = "Classifier" if is_classifier(ESTIMATOR()) else "Regressor"
    other = f"sklearn.ensemble.RandomForest{kind}"
    settings = Settings(
        models_dir=tmp_path / "m",
        reports_dir=tmp_path / "r",
        overrides=("--model", other, "--model.init_args.n_estimators", "20"),
    )
    metrics = train(settings)
    assert metrics["model"] == other.rpartition(".")[2] and metrics["class_path"] == other
    assert metrics["params"]["n_estimators"] == 20


def test_the_seed_reaches_the_trained_estimator(tmp_path: Path) -> None:
    settings = Settings(
        models_dir=tmp_path / "m", reports_dir=tmp_path / "r", overrides=("--training.seed", "123")
    )
    train(settings)
    estimator = estimator_of(load_artifact(settings.models_dir).model)
    assert estimator.get_params().get("random_state", 123) == 123  # some estimators have none


def test_a_classifier_without_probabilities_is_calibrated_and_agrees_with_them() -> None:
    model = framework.build_model(ModelChoice("sklearn.svm.SVC", {}), Training())
    assert isinstance(model, CalibratedClassifierCV)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(120, 3))
    target = (features[:, 0] + 0.3 * rng.normal(size=120) > 0).astype(int)
    framework.fit(model, features, target)
    probabilities = framework.predict_proba(model, features)
    assert probabilities is not None
    np.testing.assert_array_equal(probabilities.argmax(axis=1), framework.predict(model, features))
    logistic = ModelChoice("sklearn.linear_model.LogisticRegression", {})
    assert not isinstance(framework.build_model(logistic, Training()), CalibratedClassifierCV)


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
        "warning: Noisy did not converge; raise its iteration limit (in config.yaml, or "
        "--model.init_args.max_iter ...) or simplify the data"
    ]


def test_a_fit_the_estimator_refuses_is_one_clear_error() -> None:
    class Refusing:
        def fit(self, features: object, target: object) -> None:
            raise ValueError("penalty and solver do not go together")

    with pytest.raises(UserError) as raised:
        framework.fit(Refusing(), None, None)  # type: ignore[arg-type]
    assert (
        str(raised.value) == "Refusing could not be trained: penalty and solver do not go together"
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
    assert f"{ESTIMATOR.__name__} did not converge; raise its iteration limit" in caplog.text
