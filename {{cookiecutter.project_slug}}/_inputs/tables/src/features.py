"""The preprocessing every framework's model is trained on: numbers and one-hot categories.

Learned on the training split only and saved with the model, so `evaluate` and `predict`
apply exactly what training did: missing numbers become the training median, numbers are
scaled (unless the model splits on raw numbers: trees), missing categories become their own
category, and a category never seen in training is encoded as all zeros instead of failing.

scikit-learn fits it; scoring applies the fitted values with NumPy (`transform`), the same
arithmetic in a fraction of the time per call (a service scores one row at a time), and
without changing warning filters, which other threads share. It takes a data frame (a file's
rows) or `Columns` (a request's rows, one array per column: no data frame to build).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .columns import Columns
from .data import Dataset
from .errors import UserError
from .tables import TableFile, first_row, location

MISSING_CATEGORY = "(missing)"
Preprocessing = ColumnTransformer  # saved with the model (artifact.py)
Matrix = np.ndarray  # what the model is given: numbers, one column per model input


Batch = pd.DataFrame | Columns  # what `transform` takes: a file's rows, or a request's


def build_preprocessing(dataset: Dataset, scale: bool) -> ColumnTransformer:
    """`scale`: whether numbers are standardized; trees take them as they are, which also
    keeps their splits exact in the ONNX graph's float32."""
    types = dataset.feature_types
    numeric = [name for name, kind in types.items() if kind == "numeric"]
    categorical = [name for name, kind in types.items() if kind == "categorical"]
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median"),
                    StandardScaler(with_mean=scale, with_std=scale),
                ),
                numeric,
            ),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                categorical,
            ),
        ],
        verbose_feature_names_out=False,
    )


def fit_preprocessing(
    preprocessing: ColumnTransformer, features: pd.DataFrame, table: TableFile | None
) -> np.ndarray:
    """Fit on the training rows and return them transformed; refuses values too large to scale."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow: reported below, by column
        matrix: np.ndarray = preprocessing.fit_transform(features)
    values = fitted(preprocessing)
    if values.numeric:
        for position in np.flatnonzero(~np.isfinite(values.scales) | ~np.isfinite(values.means)):
            name = numeric_columns(preprocessing)[position]
            size = features[name].abs().sort_index()
            row = first_row(size == size.max())
            raise too_large(table, row, name, float(features[name].loc[row]))
    check_finite(matrix, preprocessing, features, table)
    return matrix


@dataclass(frozen=True)
class Fitted:
    """What the fitted preprocessing applies: per numeric column its median and scaling, per
    categorical column the position of each known category among the one-hot outputs."""

    numeric: list[str]
    medians: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    categorical: list[str]
    positions: list[dict[object, int]]  # category -> output column, after the numbers
    width: int


@functools.cache
def fitted(preprocessing: ColumnTransformer) -> Fitted:
    """The fitted values of `preprocessing` (read once per loaded model)."""
    numbers = preprocessing.named_transformers_["numeric"]
    imputer, scaler = numbers[0], numbers[-1]
    numeric = numeric_columns(preprocessing)
    # None when not scaling (trees), absent without numeric columns.
    means, scales = getattr(scaler, "mean_", None), getattr(scaler, "scale_", None)
    encoder = preprocessing.named_transformers_["categorical"][-1]
    categories = list(getattr(encoder, "categories_", []))  # none without categorical columns
    positions, start = [], len(numeric)
    for known in categories:
        positions.append({category: start + index for index, category in enumerate(known)})
        start += len(known)
    return Fitted(
        numeric=numeric,
        medians=getattr(imputer, "statistics_", np.empty(0)),
        means=np.zeros(len(numeric)) if means is None else means,
        scales=np.ones(len(numeric)) if scales is None else scales,
        categorical=list(preprocessing.transformers_[1][2]),
        positions=positions,
        width=start,
    )


def transform(
    preprocessing: ColumnTransformer, features: Batch, table: TableFile | None
) -> np.ndarray:
    """The model's input for these rows, as the fitted preprocessing's `transform` gives it
    (a test holds them equal); unseen categories are counted by `unseen_categories`."""
    values = fitted(preprocessing)
    matrix = np.zeros((len(features), values.width))
    if values.numeric:
        numbers = np.column_stack(
            [np.asarray(features[name], dtype=np.float64) for name in values.numeric]
        )
        numbers = np.where(np.isnan(numbers), values.medians, numbers)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: reported below, by row
            matrix[:, : len(values.numeric)] = (numbers - values.means) / values.scales
    rows = np.arange(len(features))
    for name, positions in zip(values.categorical, values.positions, strict=True):
        cells = np.asarray(features[name], dtype=object)
        found = np.array([positions.get(category(cell), -1) for cell in cells], dtype=np.int64)
        matrix[rows[found >= 0], found[found >= 0]] = 1.0
    check_finite(matrix, preprocessing, features, table)
    return matrix


def category(cell: object) -> object:
    """A cell as the fitted imputer gives it to the encoder: missing is its own category."""
    return MISSING_CATEGORY if cell is None or cell != cell else cell  # NaN != NaN


def unseen_categories(preprocessing: ColumnTransformer, features: pd.DataFrame) -> dict[str, int]:
    """Per categorical column, how many of these rows hold a category training never saw."""
    encoder = preprocessing.named_transformers_["categorical"]
    if not hasattr(encoder[-1], "categories_"):  # no categorical columns
        return {}
    counts = {}
    for name, known in zip(encoder.feature_names_in_, encoder[-1].categories_, strict=True):
        column = features[name]
        unseen = int((column.notna() & ~column.isin(known)).sum())
        if unseen:
            counts[str(name)] = unseen
    return counts


def check_finite(
    matrix: np.ndarray,
    preprocessing: ColumnTransformer,
    features: Batch,
    table: TableFile | None,
) -> None:
    bad = ~np.isfinite(matrix)
    if bad.any():
        position, output = np.argwhere(bad)[0]
        # Numbers come first and one output each; one-hot outputs are 0 or 1 and cannot overflow.
        name = numeric_columns(preprocessing)[output]
        value = float(np.asarray(features[name], dtype=np.float64)[position])
        raise too_large(table, int(features.index[position]), name, value)


def numeric_columns(preprocessing: ColumnTransformer) -> list[str]:
    return list(preprocessing.transformers_[0][2])


def too_large(table: TableFile | None, row: int, name: str, value: float) -> UserError:
    return UserError(
        f"{location(table, row)}: column {name!r} has {value!r}, "
        "too large to scale "
        "(the values must stay well inside +-1e150)"
    )
