"""The fixtures of a model of tables: users' tables (customers, the bundled data as a CSV file),
trainings on them, reading and writing CSV files; and those every project shares (fixtures.py)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import Dataset, load_dataset
from {{ cookiecutter.package_name }}.predict import predict_file
from {{ cookiecutter.package_name }}.task import compute_metrics
from {{ cookiecutter.package_name }}.train import train

from .fixtures import QUICK as QUICK
from .fixtures import _in_tmp_path as _in_tmp_path
from .fixtures import bundled_training as bundled_training
from .fixtures import fully_trained as fully_trained
from .fixtures import once_per_session
from .fixtures import trained as trained
from .table_cases import BASELINE, METRIC, customer_label

# Whether the framework trains a network (epochs, float32 outputs): its facts file says.
NETWORK = {{ frameworks[cookiecutter.framework].network }}

# How much better than a model that ignores the features (table_cases.BASELINE) a trained
# model must score on held-out rows of a table whose target follows its columns.
CLEARLY_BETTER = 0.2


def baseline_score(train_target: np.ndarray, test_target: np.ndarray) -> float:
    """The task's metric, on `test_target`, of a model that ignores the features: fitted on
    `train_target` alone (the most frequent class, or the mean)."""
    baseline = BASELINE().fit(np.zeros((len(train_target), 1)), train_target)
    predicted = baseline.predict(np.zeros((len(test_target), 1)))
    return compute_metrics(test_target, predicted)[METRIC]


# Bad input of a table model's command line, and the words of the one line that says so.
CLI_USER_ERRORS = [
    (["train", "--data", "missing.csv", "--target", "y"], "data file not found: missing.csv"),
    (["train", "--target", "y"], "--target needs --data"),
    (["train", "--columns", "none.toml"], "columns file not found: none.toml"),
    (["predict", "--input", "in.csv", "--output", "o.csv"], "run `train` first"),
]


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], delimiter: str = ","
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def dataset_of(labels: list[str]) -> Dataset:
    """One numeric feature, and these targets (class labels, or numbers as text)."""
    return Dataset(
        name="d",
        features=pd.DataFrame({"x": [float(i) for i in range(len(labels))]}),
        target=np.array(labels, dtype=object),
        feature_types={"x": "numeric"},
        target_name="y",
    )


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def predict_file_to(source: Path, models_dir: Path) -> Path:
    """Score `source` into a CSV file next to it; returns that file."""
    output = source.with_name(f"{source.stem}-scored.csv")
    predict_file(source, output, models_dir)
    return output


@pytest.fixture
def bundled_csv(tmp_path: Path) -> Path:
    """The bundled dataset written as a user's CSV file, with the target in column `label`."""
    dataset = load_dataset(Settings())
    frame = dataset.features.assign(label=dataset.target)
    frame.to_csv(tmp_path / "bundled.csv", index=False)
    return tmp_path / "bundled.csv"


def customer_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """A table like real customer data, as text cells: an id, numbers with empty and "NA"
    cells, text categories with gaps, and a target that depends on both kinds of column.

    The target is `label`, made by the task's `table_cases.customer_label`: about 10% of it
    is noise, which no model can predict.
    """
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 72, rows)
    charges = rng.uniform(20, 120, rows).round(2)
    contract = rng.choice(["month-to-month", "one year", "two year"], rows)
    payment = rng.choice(["card", "bank transfer", "cheque"], rows)
    effect = {"month-to-month": 1.5, "one year": 0.0, "two year": -1.5}
    signal = -0.05 * tenure + 0.03 * charges + np.array([effect[c] for c in contract])
    signal = (signal - signal.mean()) / signal.std()
    label = customer_label(signal, rng)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(rows)],
            "tenure": tenure.astype(str).astype(object),
            "monthly_charges": charges.astype(str).astype(object),
            "contract": contract.astype(object),
            "payment": payment.astype(object),
            "label": label,
        }
    )
    gaps = rng.random((rows, 4)) < 0.05
    frame.loc[gaps[:, 0], "tenure"] = ""
    frame.loc[gaps[:, 1], "monthly_charges"] = "NA"
    frame.loc[gaps[:, 2], "contract"] = ""
    frame.loc[gaps[:, 3], "payment"] = "NA"
    return frame


@pytest.fixture
def customers_csv(tmp_path: Path) -> Path:
    path = tmp_path / "customers.csv"
    customer_table(600).to_csv(path, index=False)
    return path


@pytest.fixture(scope=once_per_session)
def customers_training(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One training on the customers_csv table, its id dropped; its folder and metrics."""
    folder = tmp_path_factory.mktemp("customers")
    customer_table(600).to_csv(folder / "customers.csv", index=False)
    settings = Settings(
        data=folder / "customers.csv",
        target="label",
        drop=("customer_id",),
        models_dir=folder / "models",
        reports_dir=folder / "reports",
    )
    return folder, train(settings)


@pytest.fixture
def customers_model(customers_training: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    """A model trained on the customer table: a copy of its models folder, for this test."""
    return Path(shutil.copytree(customers_training[0] / "models", tmp_path / "customers-model"))
