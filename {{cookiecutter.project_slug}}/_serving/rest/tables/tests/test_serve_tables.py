"""What the service does with tables only: the FP matrix of an all-numeric model, datatypes
that do not fit a column, files instead of rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.served_model import MODEL_NAME, load_served_model
from {{ cookiecutter.package_name }}.server import create_app

INFER = f"/v2/models/{MODEL_NAME}/infer"


def tensor(
    name: str, datatype: str, values: list[Any], shape: list[int] | None = None
) -> dict[str, Any]:
    return {"name": name, "datatype": datatype, "shape": shape or [len(values)], "data": values}


def test_an_all_numeric_model_takes_one_fp_matrix_too(
    trained: tuple[Settings, dict[str, Any]],
) -> None:
    settings, _ = trained
    client = TestClient(create_app(load_served_model(settings.models_dir)))
    rows = load_dataset(Settings()).features.iloc[:5]
    columns = [tensor(name, "FP64", rows[name].tolist()) for name in rows.columns]
    by_column = client.post(INFER, json={"inputs": columns}).json()["outputs"]
    for datatype, dtype in (("FP64", np.float64), ("FP32", np.float32)):
        values = rows.to_numpy(dtype)
        matrix = tensor("features", datatype, values.tolist(), list(values.shape))
        by_matrix = client.post(INFER, json={"inputs": [matrix]}).json()["outputs"]
        assert by_matrix[0]["shape"] == by_column[0]["shape"]
        if by_column[0]["datatype"] == "BYTES":  # labels
            assert by_matrix[0]["data"] == by_column[0]["data"], datatype
        else:  # numbers: FP32 inputs are the numbers rounded to float32
            np.testing.assert_allclose(
                by_matrix[0]["data"], by_column[0]["data"], rtol=1e-6 if dtype is np.float32 else 0
            )
    predicted = client.post("/predict", json={"instances": rows.to_numpy().tolist()}).json()
    assert by_column[0]["data"] == predicted["predictions"]
    wrong = tensor("features", "FP64", [1.0, 2.0], [1, 2])
    answer = client.post(INFER, json={"inputs": [wrong]})
    assert answer.status_code == 400
    assert f"an FP matrix of [N, {len(rows.columns)}]" in answer.json()["error"]


def test_datatypes_must_fit_the_columns(customers_model: Path) -> None:
    client = TestClient(create_app(load_served_model(customers_model)))
    good = {
        "tenure": tensor("tenure", "FP64", [3.0]),
        "monthly_charges": tensor("monthly_charges", "FP64", [None]),  # missing: null
        "contract": tensor("contract", "BYTES", ["one year"]),
        "payment": tensor("payment", "BYTES", [None]),
    }
    assert client.post(INFER, json={"inputs": list(good.values())}).status_code == 200
    for name, replacement, words in [
        ("tenure", tensor("tenure", "BYTES", ["3"]), "the column is numeric: send FP64"),
        ("contract", tensor("contract", "FP64", [1.0]), "the column holds text: send BYTES"),
        ("payment", tensor("payment", "BYTES", ["a", "b"]), "different numbers of rows"),
        ("tenure", tensor("tenure", "FP64", [1.0, 2.0], [1, 2]), "expected [N] (or [N, 1])"),
        ("tenure", tensor("age", "FP64", [1.0]), "lacks tenure"),
    ]:
        answer = client.post(INFER, json={"inputs": list({**good, name: replacement}.values())})
        assert answer.status_code == 400 and words in answer.json()["error"], answer.text
    matrix = tensor("features", "FP64", [1.0] * 4, [1, 4])
    answer = client.post(INFER, json={"inputs": [matrix]})
    assert "a matrix is taken when every column is numeric" in answer.json()["error"]


def test_files_are_refused_with_what_to_send(customers_model: Path) -> None:
    client = TestClient(create_app(load_served_model(customers_model)))
    answer = client.post("/predict", files={"file": ("rows.csv", b"tenure\n1\n")})
    assert answer.status_code == 400
    assert json.loads(answer.text)["error"].startswith("this model scores rows sent as JSON")
