"""The preprocessing every framework's model is trained on: numbers and one-hot categories.

Learned on the training split only and saved with the model, so `evaluate` and `predict`
apply exactly what training did: missing numbers become the training median, numbers are
scaled, missing categories become their own category, and a category never seen in
training is encoded as all zeros instead of failing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .data import Dataset
from .errors import UserError
from .tables import TableFile, first_row, location

MISSING_CATEGORY = "(missing)"
Preprocessing = ColumnTransformer  # saved with the model (artifact.py)
Matrix = np.ndarray  # what the model is given: numbers, one column per model input


def build_preprocessing(dataset: Dataset) -> ColumnTransformer:
    types = dataset.feature_types
    numeric = [name for name, kind in types.items() if kind == "numeric"]
    categorical = [name for name, kind in types.items() if kind == "categorical"]
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
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
    scaler = preprocessing.named_transformers_["numeric"][-1]
    if hasattr(scaler, "scale_"):  # absent when there are no numeric columns
        for position in np.flatnonzero(~np.isfinite(scaler.scale_) | ~np.isfinite(scaler.mean_)):
            name = numeric_columns(preprocessing)[position]
            size = features[name].abs().sort_index()
            raise too_large(table, first_row(size == size.max()), name, features)
    check_finite(matrix, preprocessing, features, table)
    return matrix


def transform(
    preprocessing: ColumnTransformer, features: pd.DataFrame, table: TableFile | None
) -> np.ndarray:
    """The model's input for these rows (unseen categories are counted by `unseen_categories`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Found unknown categories", category=UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow: reported below, by row
        matrix: np.ndarray = preprocessing.transform(features)
    check_finite(matrix, preprocessing, features, table)
    return matrix


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
    features: pd.DataFrame,
    table: TableFile | None,
) -> None:
    bad = ~np.isfinite(matrix)
    if bad.any():
        position, output = np.argwhere(bad)[0]
        # Numbers come first and one output each; one-hot outputs are 0 or 1 and cannot overflow.
        name = numeric_columns(preprocessing)[output]
        raise too_large(table, features.index[position], name, features)


def numeric_columns(preprocessing: ColumnTransformer) -> list[str]:
    return list(preprocessing.transformers_[0][2])


def too_large(table: TableFile | None, row: int, name: str, features: pd.DataFrame) -> UserError:
    return UserError(
        f"{location(table, row)}: column {name!r} has {float(features[name].loc[row])!r}, "
        "too large to scale "
        "(the values must stay well inside +-1e150)"
    )
