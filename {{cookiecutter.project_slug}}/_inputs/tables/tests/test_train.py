"""Training: real metrics on held-out data, better than a baseline, and reproducible."""

from __future__ import annotations

import json
import platform
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }} import model as framework
from {{ cookiecutter.package_name }}.artifact import METADATA_FILE, load_artifact
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.features import transform
from {{ cookiecutter.package_name }}.targets import target_values
from {{ cookiecutter.package_name }}.task import PLOT_FILE
from {{ cookiecutter.package_name }}.train import evaluate, split_dataset, train

from .conftest import (
    CLEARLY_BETTER,
    QUICK,
    baseline_score,
    customer_table,
    dataset_of,
    write_csv,
)
from .fixtures import skip_unless_the_model_scales
from .table_cases import METRIC, UNSPLITTABLE


def test_training_writes_model_metrics_and_plot(trained: tuple[Settings, dict[str, Any]]) -> None:
    settings, metrics = trained
    metadata = json.loads((settings.models_dir / METADATA_FILE).read_text())
    assert metadata["feature_types"]
    assert metadata["versions"] == {
        "python": platform.python_version(),
        "framework": framework.VERSION,
        "project": __version__,
    }
    assert metadata["target_name"] == "target" and metadata["data_file"] is None
    assert all((settings.models_dir / name).is_file() for name in metadata["files"].values())
    assert json.loads(settings.metrics_path.read_text()) == metrics
    assert isinstance(metrics["converged"], bool)
    assert (settings.reports_dir / PLOT_FILE).read_bytes().startswith(b"\x89PNG")
    assert {METRIC, "dataset", "model", "n_train", "n_test", "seed"} <= metrics.keys()


def test_model_beats_a_baseline_that_ignores_the_features(
    fully_trained: tuple[Settings, dict[str, Any]],
) -> None:
    _, metrics = fully_trained
    split = split_dataset(load_dataset(Settings()), metrics["seed"], metrics["test_size"])
    assert metrics[METRIC] > baseline_score(split.train_target, split.test_target) + CLEARLY_BETTER


def test_the_split_holds_out_the_test_size() -> None:
    data = dataset_of(["0"] * 90 + ["1"] * 10)
    for seed in range(5):
        split = split_dataset(data, seed, 0.2)
        assert len(split.test_target) == 20


@pytest.mark.parametrize(
    ("rows", "test_size"),
    [
        pytest.param(10, 0.95, id="no training row"),
        pytest.param(1001, 0.9995, id="many rows"),
        *UNSPLITTABLE,  # and those this task cannot split
    ],
)
def test_a_test_size_the_data_cannot_split_names_one_that_can(rows: int, test_size: float) -> None:
    data = dataset_of([str(i % 2) for i in range(rows)])  # two classes, or numbers
    with pytest.raises(UserError) as raised:
        split_dataset(data, 42, test_size)
    found = re.fullmatch(
        rf"cannot split d with test size {test_size}: .*; training.test_size (\S+) would work",
        str(raised.value),
    )
    assert found, str(raised.value)
    size = float(found[1])
    split = split_dataset(data, 42, size)
    assert len(split.train_target) and len(split.test_target)
    assert abs(size - test_size) < 0.5 and len(str(size)) <= len(str(rows)) + 2


def test_evaluate_repeats_the_held_out_score(trained: tuple[Settings, dict[str, Any]]) -> None:
    settings, metrics = trained
    assert evaluate(settings)[METRIC] == metrics[METRIC]


def test_same_seed_gives_the_same_model(
    trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    """A training again, in a process that trained before (the shared `trained` model)."""
    again = Settings(models_dir=tmp_path / "b", reports_dir=tmp_path / "b", overrides=QUICK)
    runs = [trained[0], again]
    first, second = trained[1], train(runs[1])
    assert first == second
    assert saved(runs[0].models_dir) == saved(runs[1].models_dir)
    artifacts = [load_artifact(settings.models_dir) for settings in runs]
    matrix = transform(artifacts[0].preprocessing, load_dataset(Settings()).features, None)
    for scores in (framework.predict, framework.predict_proba):  # the latter: None, or classes'
        earlier, later = (scores(artifact.model, matrix) for artifact in artifacts)
        np.testing.assert_array_equal(earlier, later)
    third = train(
        Settings(
            models_dir=tmp_path / "c",
            reports_dir=tmp_path / "c",
            overrides=(*QUICK, "--training.seed", "7"),
        )
    )
    assert third["seed"] == 7 and third != first  # the seed reaches the split and the model


def saved(models_dir: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """model.json, and the bytes of each file it names (named after their content)."""
    metadata = json.loads((models_dir / METADATA_FILE).read_text())
    contents = {name: (models_dir / name).read_bytes() for name in metadata["files"].values()}
    return metadata, contents


def test_training_on_a_csv_file_uses_its_columns(bundled_csv: Path, tmp_path: Path) -> None:
    settings = Settings(
        data=bundled_csv, target="label", models_dir=tmp_path / "m", overrides=QUICK
    )
    metrics = train(settings)
    assert metrics["dataset"] == "bundled.csv"
    metadata = json.loads((settings.models_dir / METADATA_FILE).read_text())
    assert metadata["target_name"] == "label"
    assert list(metadata["feature_types"]) == list(load_dataset(Settings()).feature_types)
    assert np.isfinite(metrics[METRIC])


# The customer table's target is 90% signal (see conftest.customer_table): a model that
# uses its numbers and categories scores clearly better than one that ignores them.


def test_training_on_categories_and_missing_values_beats_the_baseline(
    customers_training: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    folder, metrics = customers_training
    shutil.copytree(folder / "models", tmp_path / "m")
    settings = Settings(data=folder / "customers.csv", target="label", drop=("customer_id",))
    split = split_dataset(load_dataset(settings), metrics["seed"], metrics["test_size"])
    assert metrics[METRIC] > baseline_score(split.train_target, split.test_target) + CLEARLY_BETTER
    assert metrics["n_features"] == 4
    # Without --data, evaluate re-reads the training file and repeats the split.
    assert evaluate(Settings(models_dir=tmp_path / "m"))[METRIC] == metrics[METRIC]
    table = customer_table(300, seed=9)
    table.to_parquet(tmp_path / "holdout.parquet")
    holdout = evaluate(Settings(data=tmp_path / "holdout.parquet", models_dir=tmp_path / "m"))
    labels = [target_values(None, frame["label"]) for frame in (customer_table(600), table)]
    assert holdout["n_rows"] == 300
    assert holdout[METRIC] > baseline_score(*labels) + CLEARLY_BETTER


def test_preprocessing_is_learned_from_the_training_rows_only(
    customers_csv: Path, tmp_path: Path
) -> None:
    settings = Settings(
        data=customers_csv,
        target="label",
        drop=("customer_id",),
        models_dir=tmp_path / "m",
        overrides=QUICK,
    )
    metrics = train(settings)
    dataset = load_dataset(settings)
    split = split_dataset(dataset, metrics["seed"], metrics["test_size"])
    numbers = load_artifact(settings.models_dir).preprocessing.named_transformers_["numeric"]
    imputer, scaler = numbers[0], numbers[-1]
    np.testing.assert_allclose(
        imputer.statistics_, split.train_features[["tenure", "monthly_charges"]].median()
    )
    assert not np.allclose(
        imputer.statistics_, dataset.features[["tenure", "monthly_charges"]].median()
    )
    if scaler.with_mean:  # not for a model that takes raw numbers (trees)
        assert scaler.mean_ == pytest.approx(
            imputer.transform(split.train_features[["tenure", "monthly_charges"]]).mean(axis=0)
        )


@pytest.mark.parametrize(
    "value", ["1e308", "1e200"], ids=["the mean overflows", "only the variance overflows"]
)
def test_values_too_large_to_scale_are_refused(value: str, tmp_path: Path) -> None:
    skip_unless_the_model_scales()
    table = pd.DataFrame({"x": [str(i) for i in range(40)], "y": [str(i % 2) for i in range(40)]})
    table.loc[5:9, "x"] = value  # some of these rows land in the training split
    table.to_csv(tmp_path / "big.csv", index=False)
    settings = Settings(data=tmp_path / "big.csv", target="y", models_dir=tmp_path / "m")
    with pytest.raises(
        UserError,
        match=rf"big.csv: line \d+: column 'x' has {re.escape(repr(float(value)))}, too large "
        r"to scale \(the values must stay well inside \+-1e150\)",
    ):
        train(settings)
    assert not (tmp_path / "m").exists()


def test_a_value_too_large_to_scale_in_evaluation_is_named_by_line(tmp_path: Path) -> None:
    skip_unless_the_model_scales()
    # x is 0 or 0.5: scaling multiplies it by 4, so 1e308 overflows
    rows: list[list[object]] = [[(i % 2) * 0.5, i % 2] for i in range(40)]
    data = write_csv(tmp_path / "train.csv", ["x", "y"], rows)
    train(Settings(data=data, target="y", models_dir=tmp_path / "m", overrides=QUICK))
    source = write_csv(tmp_path / "in.csv", ["x", "y"], [[0.5, 1], [0.0, 0], ["1e308", 1]])
    with pytest.raises(
        UserError, match=r"in\.csv: line 4: column 'x' has 1e\+308, too large to scale"
    ):
        evaluate(Settings(data=source, models_dir=tmp_path / "m"))


def test_evaluate_finds_the_training_file_from_any_folder(
    customers_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The training file is recorded relative to the project (the folder with pyproject.toml)."""
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "notebooks").mkdir()
    (project / "pyproject.toml").write_text("")
    shutil.copy("config.yaml", project)
    customers_csv.replace(project / "data" / "customers.csv")
    monkeypatch.chdir(project)
    settings = Settings(
        data=Path("data/customers.csv"), target="label", drop=("customer_id",), overrides=QUICK
    )
    metrics = train(settings)
    assert json.loads(Path("models/model.json").read_text())["data_file"] == "data/customers.csv"
    monkeypatch.chdir(project / "notebooks")
    assert evaluate(Settings(models_dir=project / "models"))[METRIC] == metrics[METRIC]
    (project / "data" / "customers.csv").unlink()
    with pytest.raises(UserError, match=r"the training data data/customers\.csv is not there"):
        evaluate(Settings(models_dir=project / "models"))


def test_evaluate_refuses_to_overwrite_its_input(trained: tuple[Settings, dict[str, Any]]) -> None:
    settings, _ = trained
    output = settings.reports_dir / "evaluation.json"
    output.write_text("{}")
    with pytest.raises(UserError, match="is where the evaluation is written"):
        evaluate(
            Settings(data=output, models_dir=settings.models_dir, reports_dir=settings.reports_dir)
        )
    assert output.read_text() == "{}"


def test_a_model_with_non_finite_predictions_is_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def diverged(model: object, features: np.ndarray) -> np.ndarray:
        return np.full(len(features), np.inf)

    monkeypatch.setattr(framework, "predict", diverged)
    monkeypatch.setattr(framework, "predict_proba", lambda model, features: None)
    with pytest.raises(UserError, match="diverged: some of its predictions are not finite"):
        train(Settings(models_dir=tmp_path / "m", reports_dir=tmp_path / "r", overrides=QUICK))
    assert not (tmp_path / "m").exists() and not (tmp_path / "r").exists()


def test_evaluate_on_a_file_names_what_is_wrong_in_it(customers_csv: Path, tmp_path: Path) -> None:
    settings = Settings(
        data=customers_csv,
        target="label",
        drop=("customer_id",),
        models_dir=tmp_path / "m",
        overrides=QUICK,
    )
    train(settings)
    table = customer_table(40, seed=12)
    cases = {
        "no_target.csv": (table.drop(columns=["label"]), r"no target column named 'label'"),
        "no_tenure.csv": (table.drop(columns=["tenure"]), r"no_tenure\.csv: missing feature"),
        "bad_cell.csv": (
            table.assign(tenure=["x"] * 40),
            r"bad_cell\.csv: line 2: column 'tenure'",
        ),
        "no_label.csv": (
            table.assign(label=["", *table["label"][1:]]),
            r"no_label\.csv: line 2: the target column 'label' is empty",
        ),
    }
    for name, (frame, message) in cases.items():
        frame.to_csv(tmp_path / name, index=False)
        with pytest.raises(UserError, match=message):
            evaluate(Settings(data=tmp_path / name, models_dir=tmp_path / "m"))
    table.to_csv(tmp_path / "good.csv", index=False)
    reports = tmp_path / "reports"
    metrics = evaluate(
        Settings(data=tmp_path / "good.csv", models_dir=tmp_path / "m", reports_dir=reports)
    )
    assert metrics["dataset"] == "good.csv" and metrics["n_rows"] == 40
    assert json.loads((reports / "evaluation.json").read_text()) == metrics


def test_a_training_file_that_is_gone_says_what_to_do(customers_csv: Path, tmp_path: Path) -> None:
    settings = Settings(
        data=customers_csv,
        target="label",
        drop=("customer_id",),
        models_dir=tmp_path / "m",
        overrides=QUICK,
    )
    train(settings)
    customers_csv.unlink()
    with pytest.raises(UserError) as raised:
        evaluate(Settings(models_dir=tmp_path / "m"))
    assert str(raised.value).endswith(
        "(or the model was trained in a container on a file from outside the project): "
        "pass --data FILE"
    )
