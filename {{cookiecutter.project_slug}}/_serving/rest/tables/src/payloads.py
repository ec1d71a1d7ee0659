"""What a request's rows become for a model of tables: the model's input columns as
`make predict` makes them from a file's cells (numbers as floats, NaN where missing; text
stripped, missing where empty or a missing-value word such as NA), one array per column
(`columns.Columns`: a data frame costs more than the model for a few rows).

/predict takes records by column name (`{"age": 41, "city": "Lyon"}`) or rows of values in
the trained column order; the Open Inference Protocol takes one tensor per column (FP64 for
numbers, BYTES for text categories) or, when every column is numeric, one FP matrix of them.
A missing value is null (JSON) or NaN (binary FP data); an empty string in a text column is
missing too, as an empty cell of a file is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .columns import MISSING_TOKENS, Columns
from .errors import UserError
from .protocol import Tensor

# What /predict's instances are (its OpenAPI description).
INSTANCES = (
    'Records by column name ({"age": 41, "city": "Lyon"}) or rows of values in the trained '
    "column order; null, or an empty text, is a missing value."
)
MATRIX = "features"  # the suggested name of the one FP matrix (any name not a column's)


def feature_types(metadata: dict[str, Any]) -> dict[str, str]:
    types: dict[str, str] = metadata["feature_types"]
    return types


def input_tensors(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": name, "datatype": "FP64" if kind == "numeric" else "BYTES", "shape": [-1]}
        for name, kind in feature_types(metadata).items()
    ]


def from_instances(instances: list[Any], metadata: dict[str, Any]) -> Columns:
    """Records by column name, or rows in the trained column order; not both in one batch."""
    types = feature_types(metadata)
    names = list(types)
    if all(isinstance(row, dict) for row in instances):
        for position, record in enumerate(instances):
            missing = [name for name in names if name not in record]
            extra = [name for name in record if name not in types]
            if missing or extra:
                problem = (
                    f"lacks {', '.join(missing)}" if missing else f"has unknown {', '.join(extra)}"
                )
                raise UserError(
                    f"instance {position + 1} {problem}; each record holds the columns "
                    f"{', '.join(names)}"
                )
        rows = [[record[name] for name in names] for record in instances]
    elif all(isinstance(row, list) for row in instances):
        for position, row in enumerate(instances):
            if len(row) != len(names):
                raise UserError(
                    f"instance {position + 1} has {len(row)} values; the model takes "
                    f"{len(names)}, in this order: {', '.join(names)}"
                )
        rows = instances
    else:
        raise UserError(
            "instances must all be records ({column: value}) or all be rows (lists of "
            f"{len(names)} values in the order {', '.join(names)})"
        )
    arrays = {}
    for index, (name, kind) in enumerate(types.items()):
        cells = [row[index] for row in rows]
        check_cells(name, kind, cells)
        arrays[name] = (
            numbers(name, np.array([np.nan if c is None else c for c in cells], dtype=np.float64))
            if kind == "numeric"
            else texts([None if cell is None else str(cell) for cell in cells])
        )
    return Columns(arrays, len(rows))


def check_cells(name: str, kind: str, cells: list[Any]) -> None:
    """Numbers (or null) in a numeric column, text or whole numbers (or null) in a text one."""
    for position, cell in enumerate(cells):
        number = isinstance(cell, int | float) and not isinstance(cell, bool)
        text = isinstance(cell, str) or (isinstance(cell, int) and not isinstance(cell, bool))
        if cell is not None and not (number if kind == "numeric" else text):
            expected = "a number" if kind == "numeric" else "text"
            raise UserError(
                f"instance {position + 1}: column {name!r} has {cell!r}; expected {expected} "
                "(or null for a missing value)"
            )


def numbers(name: str, values: np.ndarray) -> np.ndarray:
    """Finite numbers, NaN where missing, as a file's numeric column is read."""
    infinite = np.flatnonzero(np.isinf(values))
    if len(infinite):
        raise UserError(
            f"row {infinite[0] + 1}: column {name!r} has {float(values[infinite[0]])!r}; "
            "expected a finite number (or null for a missing value)"
        )
    return values


def texts(cells: list[str | None]) -> np.ndarray:
    """Text stripped of surrounding spaces, NaN where missing, as a file's text column is read."""
    stripped = [None if cell is None else cell.strip() for cell in cells]
    return np.array(
        [np.nan if cell is None or cell in MISSING_TOKENS else cell for cell in stripped],
        dtype=object,
    )


def from_tensors(tensors: list[Tensor], metadata: dict[str, Any]) -> Columns:
    types = feature_types(metadata)
    if len(tensors) == 1 and tensors[0].name not in types and len(tensors[0].shape) == 2:
        return from_matrix(tensors[0], types)
    given = {tensor.name: tensor for tensor in tensors}
    missing = [name for name in types if name not in given]
    extra = [name for name in given if name not in types]
    if missing or extra:
        problem = (
            f"lacks {', '.join(missing)}" if missing else f"has unknown input(s) {', '.join(extra)}"
        )
        matrix = f", or one FP matrix of {len(types)} columns ({MATRIX!r})"
        raise UserError(
            f"the request {problem}; the model takes one tensor per column: {', '.join(types)}"
            + (matrix if all_numeric(types) else "")
        )
    for tensor in tensors:
        if len(tensor.shape) != 1 and tensor.shape[1:] != [1]:
            raise UserError(
                f"input {tensor.name!r} has shape {tensor.shape}; expected [N] (or [N, 1])"
            )
    lengths = {tensor.shape[0] for tensor in tensors}
    if len(lengths) != 1:
        raise UserError(
            "the input tensors hold different numbers of rows; each column needs one value per row"
        )
    arrays = {name: column_of(given[name], kind) for name, kind in types.items()}
    return Columns(arrays, lengths.pop())


def from_matrix(tensor: Tensor, types: dict[str, str]) -> Columns:
    if not all_numeric(types):
        raise UserError(
            f"input {tensor.name!r}: a matrix is taken when every column is numeric; send one "
            f"tensor per column: {', '.join(types)}"
        )
    if not tensor.datatype.startswith("FP") or tensor.shape[1] != len(types):
        raise UserError(
            f"input {tensor.name!r} is {tensor.datatype} {tensor.shape}; the model takes an FP "
            f"matrix of [N, {len(types)}] (the columns {', '.join(types)})"
        )
    matrix = tensor.data.astype(np.float64)
    arrays = {name: numbers(name, matrix[:, index]) for index, name in enumerate(types)}
    return Columns(arrays, len(matrix))


def column_of(tensor: Tensor, kind: str) -> np.ndarray:
    values = tensor.data.reshape(-1)
    if kind == "numeric":
        if tensor.datatype == "BYTES":
            raise UserError(f"input {tensor.name!r} is BYTES; the column is numeric: send FP64")
        return numbers(tensor.name, values.astype(np.float64))
    if tensor.datatype != "BYTES":
        raise UserError(
            f"input {tensor.name!r} is {tensor.datatype}; the column holds text: send BYTES"
        )
    try:
        return texts([None if value is None else value.decode() for value in values])
    except UnicodeDecodeError:
        raise UserError(f"input {tensor.name!r} holds bytes that are not UTF-8 text") from None


def from_files(_files: list[tuple[str, bytes]], metadata: dict[str, Any]) -> Columns:
    raise UserError(
        'this model scores rows sent as JSON: {"instances": [...]} with records or rows of '
        f"the columns {', '.join(feature_types(metadata))}"
    )


def all_numeric(types: dict[str, str]) -> bool:
    return all(kind == "numeric" for kind in types.values())


def onnx_inputs(columns: Columns, metadata: dict[str, Any]) -> list[np.ndarray]:
    """The ONNX graph's inputs (onnx_export.py): one [N, 1] tensor per column in the trained
    order, float32 numbers (NaN where missing) or text ("" where missing)."""
    types = feature_types(metadata)
    numeric = [name for name, kind in types.items() if kind == "numeric"]
    narrowed = float32_columns(numeric, columns) if numeric else {}
    arrays = []
    for name, kind in types.items():
        if kind == "numeric":
            arrays.append(narrowed[name])
        else:
            text = ["" if cell is None or cell != cell else str(cell) for cell in columns[name]]
            arrays.append(np.array(text, dtype=object).reshape(-1, 1))
    return arrays


def float32_columns(names: list[str], columns: Columns) -> dict[str, np.ndarray]:
    """Numbers as the ONNX graph takes them: float32, which holds up to about 3.4e38. The
    numeric columns are narrowed and checked together: column by column, the checks of a
    one-row request cost more than the model."""
    values = np.array([columns[name] for name in names], dtype=np.float64)  # a row per column
    with np.errstate(over="ignore"):
        narrowed = values.astype(np.float32)
    column, row = np.nonzero(np.isinf(narrowed) & np.isfinite(values))
    if len(row):
        first = row.argmin()  # the first row that holds one, as a file's reader says it
        name, at = names[column[first]], row[first]
        raise UserError(
            f"row {at + 1}: column {name!r} has {float(values[column[first], at])!r}; the served "
            f"model takes numbers up to {float(np.finfo(np.float32).max):.3g} in size"
        )
    return {name: narrowed[index].reshape(-1, 1) for index, name in enumerate(names)}
