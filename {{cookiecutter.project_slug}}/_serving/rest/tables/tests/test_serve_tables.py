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
from {{ cookiecutter.package_name }}.protocol import HEADER_LENGTH
from {{ cookiecutter.package_name }}.served_model import MODEL_NAME, load_served_model
from {{ cookiecutter.package_name }}.server import create_app

INFER = f"/v2/models/{MODEL_NAME}/infer"


def tensor(
    name: str, datatype: str, values: list[Any], shape: list[int] | None = None
) -> dict[str, Any]:
    shape = [len(values)] if shape is None else shape
    return {"name": name, "datatype": datatype, "shape": shape, "data": values}


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
    infinite = rows.to_numpy(np.float64, copy=True)
    infinite[1, 2] = np.inf  # JSON's Infinity, which the V2 client writes
    matrix = tensor("features", "FP64", infinite.tolist(), list(infinite.shape))
    answer = client.post(INFER, content=json.dumps({"inputs": [matrix]}))
    assert f"row 2: column {rows.columns[2]!r} has inf; expected a finite" in answer.json()["error"]
    extra = client.post(INFER, json={"inputs": [*columns, tensor("more", "FP64", [1.0] * 5)]})
    assert extra.json()["error"] == (
        f"the request has unknown input(s) more; the model takes one tensor per column: "
        f"{', '.join(rows.columns)}, or one FP matrix of {len(rows.columns)} columns ('features')"
    )


def test_datatypes_must_fit_the_columns(customers_model: Path) -> None:
    client = TestClient(create_app(load_served_model(customers_model)))
    good = {
        "tenure": tensor("tenure", "FP64", [3.0]),
        "monthly_charges": tensor("monthly_charges", "FP64", [None]),  # missing: null
        "contract": tensor("contract", "BYTES", ["one year"]),
        "payment": tensor("payment", "BYTES", [None]),
    }
    answered = client.post(INFER, json={"inputs": list(good.values())})
    assert answered.status_code == 200
    as_column = {**good, "tenure": tensor("tenure", "FP64", [3.0], [1, 1])}  # [N, 1] is taken
    assert client.post(INFER, json={"inputs": list(as_column.values())}).json() == answered.json()
    infinite = {**good, "tenure": tensor("tenure", "FP64", [float("inf")])}
    answer = client.post(INFER, content=json.dumps({"inputs": list(infinite.values())}))
    assert "row 1: column 'tenure' has inf; expected a finite number" in answer.json()["error"]
    binary: dict[str, Any] = {"name": "contract", "datatype": "BYTES", "shape": [1]}
    binary["parameters"] = {"binary_data_size": 5}  # one element: its length, then its byte
    header = json.dumps({"inputs": list({**good, "contract": binary}.values())}).encode()
    answer = client.post(
        INFER, content=header + b"\x01\0\0\0\xff", headers={HEADER_LENGTH: str(len(header))}
    )
    assert answer.json() == {"error": "input 'contract' holds bytes that are not UTF-8 text"}
    for name, replacement, words in [
        ("tenure", tensor("tenure", "BYTES", ["3"]), "the column is numeric: send FP64"),
        ("contract", tensor("contract", "FP64", [1.0]), "the column holds text: send BYTES"),
        ("payment", tensor("payment", "BYTES", ["a", "b"]), "different numbers of rows"),
        ("tenure", tensor("tenure", "FP64", [1.0, 2.0], [1, 2]), "expected [N] (or [N, 1])"),
        ("tenure", tensor("tenure", "FP64", [1.0], []), "has shape []; expected [N]"),
        ("tenure", tensor("age", "FP64", [1.0]), "lacks tenure"),
    ]:
        answer = client.post(INFER, json={"inputs": list({**good, name: replacement}.values())})
        assert answer.status_code == 400 and words in answer.json()["error"], answer.text
    matrix = tensor("features", "FP64", [1.0] * 4, [1, 4])
    answer = client.post(INFER, json={"inputs": [matrix]})
    assert "a matrix is taken when every column is numeric" in answer.json()["error"]
    takes = "the model takes one tensor per column: tenure, monthly_charges, contract, payment"
    for inputs, problem in [
        ([good["tenure"]], "lacks monthly_charges, contract, payment"),
        ([*good.values(), tensor("age", "FP64", [1.0])], "has unknown input(s) age"),
    ]:
        answer = client.post(INFER, json={"inputs": inputs})
        assert answer.json()["error"] == f"the request {problem}; {takes}"


def test_files_are_refused_with_what_to_send(customers_model: Path) -> None:
    client = TestClient(create_app(load_served_model(customers_model)))
    answer = client.post("/predict", files={"file": ("rows.csv", b"tenure\n1\n")})
    assert answer.status_code == 400
    assert json.loads(answer.text)["error"] == (
        'this model scores rows sent as JSON: {"instances": [...]} with records or rows of '
        "the columns tenure, monthly_charges, contract, payment"
    )


def test_text_columns_read_null_and_whole_numbers_as_a_file_does(customers_model: Path) -> None:
    """null and the missing-value words are missing; a whole number is its text."""
    client = TestClient(create_app(load_served_model(customers_model)))
    record = {"tenure": 3, "monthly_charges": 50.5, "contract": "one year", "payment": "card"}

    def answer(**cells: Any) -> Any:
        return client.post("/predict", json={"instances": [{**record, **cells}]}).json()

    assert answer(payment=None) == answer(payment="") == answer(payment=" NA ")
    assert answer(contract=2) == answer(contract="2") != answer(contract="one year")
