"""The service's cases for a model of tables: the customers model (numbers and text categories,
with missing values), the same rows as a file, records, rows and V2 tensors, and bad rows."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.columns import MISSING_TOKENS
from {{ cookiecutter.package_name }}.config import Settings

from .agreeing import Agreeing
from .conftest import QUICK, customer_table

FEATURES = {
    "tenure": "numeric",
    "monthly_charges": "numeric",
    "contract": "categorical",
    "payment": "categorical",
}


@pytest.fixture
def served_models(customers_model: Path) -> Path:
    """The model the service tests serve: trained on the customers table, its id dropped."""
    return customers_model


def quick_settings(folder: Path) -> Settings:
    """A quick training in `folder` of a model like the served one."""
    customer_table(300).to_csv(folder / "customers.csv", index=False)
    return Settings(
        data=folder / "customers.csv",
        target="label",
        drop=("customer_id",),
        models_dir=folder / "models",
        reports_dir=folder / "reports",
        overrides=QUICK,
    )


def expected_inputs(saved: dict[str, Any]) -> list[dict[str, Any]]:
    """One tensor per column, in the trained order: FP64 for numbers, BYTES for text."""
    assert saved["feature_types"] == FEATURES
    return [
        {"name": "tenure", "datatype": "FP64", "shape": [-1]},
        {"name": "monthly_charges", "datatype": "FP64", "shape": [-1]},
        {"name": "contract", "datatype": "BYTES", "shape": [-1]},
        {"name": "payment", "datatype": "BYTES", "shape": [-1]},
    ]


def cell(value: str, kind: str) -> Any:
    """A file's cell as JSON sends it: a number (null where missing), or text as written
    (an empty or "NA" text is missing to the service as it is to the file's reader)."""
    if kind == "numeric":
        return None if value.strip() in MISSING_TOKENS else float(value)
    return value


def agreeing_requests(folder: Path) -> list[Agreeing]:
    table = customer_table(30, seed=4)
    table.loc[3, "contract"] = "ten years"  # a category training never saw: scored as unknown
    file = folder / "rows.csv"
    table.to_csv(file, index=False)
    records = [
        {name: cell(row[name], kind) for name, kind in FEATURES.items()}
        for row in table.to_dict("records")
    ]
    rows = [list(record.values()) for record in records]
    tensors = [
        (
            name,
            "FP64" if kind == "numeric" else "BYTES",
            np.array([math.nan if r[name] is None else r[name] for r in records], dtype=np.float64)
            if kind == "numeric"
            else np.array(
                [None if r[name] is None else r[name].encode() for r in records], dtype=object
            ),
        )
        for name, kind in FEATURES.items()
    ]
    return [Agreeing(file, records, tensors), Agreeing(file, rows, None)]


# Bad instances (as JSON text) for the customers model, and the error they get.
RECORD = '{"tenure": 3, "monthly_charges": 50.5, "contract": "one year", "payment": "card"}'
COLUMNS = "tenure, monthly_charges, contract, payment"
EACH_RECORD = f"each record holds the columns {COLUMNS}"
IN_ORDER = f"the model takes 4, in this order: {COLUMNS}"
OR_NULL = "(or null for a missing value)"
BAD_INSTANCES = [
    ('[{"tenure": 3}]', f"instance 1 lacks monthly_charges, contract, payment; {EACH_RECORD}"),
    ("[" + RECORD + ', {"tenure": 3}]', "instance 2 lacks monthly_charges, contract, payment"),
    (
        '[{"tenure": 3, "monthly_charges": 5, "contract": "x", "payment": "y", "age": 4}]',
        f"instance 1 has unknown age; {EACH_RECORD}",
    ),
    ("[[1, 2]]", f"instance 1 has 2 values; {IN_ORDER}"),
    ('[[1, 2, "a", "b"], [1, 2, "a"]]', f"instance 2 has 3 values; {IN_ORDER}"),
    (
        f'[{RECORD}, [1, 2, "a", "b"]]',
        "instances must all be records ({column: value}) or all be rows (lists of 4 values in "
        f"the order {COLUMNS})",
    ),
    ('[["abc", 2, "a", "b"]]', f"1: column 'tenure' has 'abc'; expected a number {OR_NULL}"),
    ('[[1, 2, "a", "b"], [1, 2, ["a"], "b"]]', "instance 2: column 'contract' has ['a']; expected"),
    ('[[1e400, 2, "a", "b"]]', "row 1: column 'tenure' has inf; expected a finite number (or null"),
    ('[[true, 2, "a", "b"]]', f"instance 1: column 'tenure' has True; expected a number {OR_NULL}"),
    (
        '[[1, 2, "a", "b"], [1e39, 2, "a", "b"]]',
        "row 2: column 'tenure' has 1e+39; the served model takes numbers up to 3.4e+38 in size",
    ),
    ('[[1, 3e39, "a", "b"], [1e39, 2, "a", "b"]]', "row 1: column 'monthly_charges' has 3e+39;"),
]
