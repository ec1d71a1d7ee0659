"""Fit the preprocessing and the model on a training split, score them on held-out data,
save the model and reports."""

from __future__ import annotations

import logging
import math
import platform
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from . import __version__
from . import model as framework
from .artifact import Artifact, load_artifact, save_artifact
from .config import (
    EVALUATION_FILE,
    FRAMEWORK,
    TASK,
    Settings,
    project_relative,
    project_root,
)
from .configuration import CONFIG_FILE, RunConfig, read_config
from .data import ITEMS, Dataset, Features, load_bundled, load_dataset, load_labelled
from .errors import UserError
from .features import Matrix, build_preprocessing, fit_preprocessing, transform
from .files import same_file, write_json, write_text
{%- if cookiecutter.serving == "rest" %}
from .onnx_export import export_onnx
{%- endif %}
from .reports import LOSS_CURVE_FILE, save_loss_curve
from .task import (
    PLOT_FILE,
    compute_metrics,
    decode,
    encode,
    rows_per_part,
    save_plot,
    split_problem,
    strata,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Split:
    train_features: Features
    test_features: Features
    train_target: np.ndarray
    test_target: np.ndarray


def split_dataset(dataset: Dataset, seed: int, test_size: float) -> Split:
    """A seeded train/test split, stratified by class for classifiers."""
    item = ITEMS.removesuffix("s")  # "row", "image"
    problem = split_problem(dataset.target, dataset.target_name, item)
    if problem is not None:
        raise UserError(f"{dataset.name}: {problem}")
    try:
        parts = train_test_split(
            dataset.features,
            dataset.target,
            test_size=test_size,
            random_state=seed,
            stratify=strata(dataset.target),
        )
    except ValueError as exc:  # e.g. a test split too small to hold every class
        size = working_test_size(dataset.target, seed, test_size)
        advice = (
            f"training.test_size {size} would work"
            if size is not None
            else f"too few {ITEMS} ({len(dataset.target)}) for a training and a test part"
        )
        raise UserError(
            f"cannot split {dataset.name} with test size {test_size}: {exc}; {advice}"
        ) from None
    return Split(*parts)


def working_test_size(target: np.ndarray, seed: int, wanted: float) -> float | None:
    """The test size nearest `wanted` that splits rows of this target, in few decimals.

    Each part needs a row of every class (a regressor: one row); scikit-learn gives the
    test part ceil(size * rows) rows. None when no test size can split them.
    """
    rows, fewest = len(target), rows_per_part(target)
    if rows < 2 * fewest:
        return None
    test_rows = min(max(math.ceil(wanted * rows), fewest), rows - fewest)
    middle = (test_rows - 0.5) / rows  # half a row from either neighbour: safe to round
    for decimals in range(1, len(str(rows)) + 3):
        size = round(middle, decimals)
        try:
            train_test_split(
                np.arange(rows), test_size=size, random_state=seed, stratify=strata(target)
            )
        except ValueError:
            continue
        return size
    return None


def train(settings: Settings) -> dict[str, Any]:
    """Train, evaluate on the held-out split, and write the model and reports; returns metrics.

    Of the processes of a distributed training (README: Scaling out), only the first writes them.
    """
    if not framework.is_chief():  # of a distributed training's processes, the first reports
        logging.getLogger().setLevel(logging.ERROR)
    run = run_config(settings)
    name, training = run.model.name, run.training
    trained = framework.build_model(run.model, training)  # a bad setting fails first
    dataset = load_dataset(settings)
    log.info("Loaded %s: %s", dataset.name, dataset.summary())
    split = split_dataset(dataset, training.seed, training.test_size)
    preprocessing = build_preprocessing(dataset, framework.wants_scaled_inputs(trained))
    train_matrix = fit_preprocessing(preprocessing, split.train_features, dataset.source)
    test_matrix = transform(preprocessing, split.test_features, dataset.source)
    log.info(
        "Training %s (%s) on %d %s, %d model inputs ...",
        name,
        FRAMEWORK,
        len(split.train_target),
        ITEMS,
        int(np.prod(train_matrix.shape[1:])),
    )
    codes, classes = encode(split.train_target)
    started = time.perf_counter()
    fitted = framework.fit(trained, train_matrix, codes)
    log.info("Trained in %.3f s", time.perf_counter() - started)
    check_predictions_finite(name, trained, train_matrix, test_matrix)

    predicted = decode(framework.predict(trained, test_matrix), classes)
    metrics: dict[str, Any] = {
        **compute_metrics(split.test_target, predicted),
        "framework": FRAMEWORK,
        "model": name,
        "class_path": run.model.class_path,
        "task": TASK,
        "dataset": dataset.name,
        "n_train": len(split.train_target),
        "n_test": len(split.test_target),
        "n_features": dataset.n_features,
        "seed": training.seed,
        "test_size": training.test_size,
        "params": framework.params(trained),
        "training": training.as_dict(),
        "converged": fitted.converged,
    }
    if fitted.epochs is not None:
        metrics |= {"epochs": fitted.epochs, "device": fitted.device}
    metadata: dict[str, Any] = {
        key: metrics[key]
        for key in ("framework", "model", "class_path", "task", "dataset", "seed", "test_size")
    }
    metadata |= {
        **dataset.description(),
        "classes": classes,
        "data_file": project_relative(settings.data) if settings.data else None,
        "versions": versions(),
        "config": run.text,  # config.yaml as this training resolved it
    }
    if not framework.is_chief():
        return metrics
    artifact = Artifact(preprocessing, trained, metadata)
{%- if cookiecutter.serving == "rest" %}
    exported = export_onnx(artifact, split.test_features)  # what the serving image runs
    metadata["onnx"] = exported.facts
    artifact = Artifact(preprocessing, trained, metadata, exported.graph)
{%- endif %}
    model_path = save_artifact(settings.models_dir, artifact)
    write_json(settings.metrics_path, metrics)
    config_path = settings.reports_dir / CONFIG_FILE.name
    write_text(config_path, run.text)
    plots = [config_path, settings.reports_dir / PLOT_FILE]
    save_plot(split.test_target, predicted, plots[1])
    if fitted.epochs is not None:
        plots.append(settings.reports_dir / LOSS_CURVE_FILE)
        save_loss_curve(fitted, plots[2])
    log.info("Saved %s", ", ".join(map(str, (model_path, settings.metrics_path, *plots))))
    return metrics


def run_config(settings: Settings) -> RunConfig:
    """config.yaml (at the project's root) with this run's overrides, checked."""
    return read_config(
        project_root() / CONFIG_FILE,
        framework.MODEL_BASE,
        framework.TRAINING,
        framework.DECIDED_BY_DATA,
        settings.overrides,
    )


def check_predictions_finite(name: str, model: Any, *matrices: Matrix) -> None:
    """Refuse a model that diverged: nothing is saved when any prediction is not finite."""
    for matrix in matrices:
        scores = framework.predict_proba(model, matrix)
        if scores is None:
            scores = framework.predict(model, matrix)
        if not np.all(np.isfinite(scores)):
            raise UserError(
                f"{name} diverged: some of its predictions are not finite numbers, so it was "
                "not saved; check the data for extreme values, or change its settings in "
                "config.yaml"
            )


def versions() -> dict[str, str]:
    """What trained the model: loading it under other versions warns (see artifact.py)."""
    return {
        "python": platform.python_version(),
        "framework": framework.VERSION,
        "project": __version__,
    }


def evaluate(settings: Settings) -> dict[str, Any]:
    """Score the saved model on all rows of `settings.data`, else on the held-out split."""
    output = settings.reports_dir / EVALUATION_FILE
    if settings.data is not None and same_file(settings.data, output):
        raise UserError(f"--data {settings.data} is where the evaluation is written; move it")
    artifact = load_artifact(settings.models_dir)
    metadata = artifact.metadata
    if settings.data is not None:
        target = settings.target or metadata["target_name"]
        dataset = load_labelled(settings.data, target, metadata)
        features, actual = dataset.features, dataset.target
    else:  # repeat the training's seeded split and score its held-out rows
        dataset = training_data(metadata)
        split = split_dataset(dataset, metadata["seed"], metadata["test_size"])
        features, actual = split.test_features, split.test_target
    matrix = transform(artifact.preprocessing, features, dataset.source)
    predicted = decode(framework.predict(artifact.model, matrix), artifact.classes)
    metrics = {
        **compute_metrics(actual, predicted),
        "dataset": dataset.name,
        "n_rows": len(actual),
    }
    write_json(output, metrics)
    return metrics


def training_data(metadata: dict[str, Any]) -> Dataset:
    """The data the model was trained on, read with the column types training chose."""
    if metadata["data_file"] is None:
        return load_bundled(metadata["dataset"])
    path = project_root() / metadata["data_file"]
    if not path.exists():  # a file, or a folder of images
        raise UserError(
            f"the training data {metadata['data_file']} is not there any more (or the model was "
            "trained in a container on a file from outside the project): pass --data FILE"
        )
    return load_labelled(path, metadata["target_name"], metadata)
