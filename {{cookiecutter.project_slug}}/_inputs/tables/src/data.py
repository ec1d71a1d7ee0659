"""Training data: a dataset bundled with scikit-learn, or the user's CSV or Parquet table.

A user's table becomes model inputs here: each feature column is numeric or categorical
(inferred from its cells, or as the user says), missing cells become NaN, and the target
becomes class labels (text, exactly as written) or numbers. The same conversion runs when
`evaluate` and `predict` read their files, with the column types recorded at training.
Nothing is downloaded: the bundled datasets ship inside the scikit-learn wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn import datasets

from .config import DEFAULT_DATASET, Settings
from .errors import UserError
from .tables import TableFile, first_row, missing_mask, numeric_column, open_table, read_all
from .targets import target_values

MIN_ROWS = 10
ITEMS = "rows"  # what messages call the dataset's rows
Kind = Literal["numeric", "categorical"]
FeatureTypes = dict[str, Kind]
Features = pd.DataFrame  # a dataset's inputs, before preprocessing


@dataclass(frozen=True)
class Dataset:
    """Model inputs (numeric columns as floats, categories as text, NaN where missing),
    one target per row, and the type of each feature column, in the file's order."""

    name: str
    features: pd.DataFrame
    target: np.ndarray
    feature_types: FeatureTypes
    target_name: str
    source: TableFile | None = None  # the user's file, for messages that point into it

    @property
    def n_rows(self) -> int:
        return len(self.target)

    @property
    def n_features(self) -> int:
        return len(self.feature_types)

    def summary(self) -> str:
        """E.g. "569 rows, 30 features, target 'target'"."""
        return f"{self.n_rows} rows, {self.n_features} features, target {self.target_name!r}"

    def description(self) -> dict[str, Any]:
        """What model.json records of the inputs: `evaluate` and `predict` read files with it."""
        return {"feature_types": self.feature_types, "target_name": self.target_name}


def load_dataset(settings: Settings) -> Dataset:
    """The bundled default dataset, or `settings.data` with `settings.target` as the target."""
    if settings.data is None:
        if settings.target is not None:
            raise UserError("--target needs --data: name the file the target column is in")
        return load_bundled(DEFAULT_DATASET)
    if not settings.target:
        raise UserError(f"--data {settings.data} needs --target: the name of the column to predict")
    return load_table(settings.data, settings.target, settings)


def load_bundled(name: str) -> Dataset:
    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    features = bunch.data.astype(float)
    features.columns = [str(column) for column in features.columns]
    return Dataset(
        name=name,
        features=features,
        target=target_values(None, bunch.target),
        feature_types=dict.fromkeys(features.columns, "numeric"),
        target_name="target",
    )


def load_table(path: Path, target: str, settings: Settings) -> Dataset:
    """Train on a user's table: every column but the target, and those dropped, is a feature."""
    table = open_table(path)
    if target not in table.columns:
        raise table.no_column(target, "target column")
    check_column_options(table, target, settings)
    frame = read_all(table)
    if len(frame) < MIN_ROWS:
        raise UserError(f"{path} has {len(frame)} data rows; training needs at least {MIN_ROWS}")
    names = [n for n in table.columns if n != target and n not in settings.drop]
    if not names:
        raise UserError(f"{path} has no feature columns besides the target {target!r}")
    feature_types = {name: column_kind(table, frame[name], settings) for name in names}
    features = model_inputs(table, frame, feature_types)
    check_levels(table, features, feature_types, settings.max_categories)
    return Dataset(
        name=path.name,
        features=features,
        target=target_column(table, frame[target]),
        feature_types=feature_types,
        target_name=target,
        source=table,
    )


def load_labelled(path: Path, target: str, metadata: dict[str, Any]) -> Dataset:
    """A table read with the column types in a trained model's `metadata`: `evaluate --data`."""
    feature_types: FeatureTypes = metadata["feature_types"]
    table = open_table(path)
    if target not in table.columns:
        raise table.no_column(target, "target column")
    require_columns(table.columns, feature_types, table.path)
    frame = read_all(table)
    return Dataset(
        name=path.name,
        features=model_inputs(table, frame, feature_types),
        target=target_column(table, frame[target]),
        feature_types=feature_types,
        target_name=target,
        source=table,
    )


def require_columns(columns: list[str], feature_types: FeatureTypes, origin: object) -> None:
    """Every column the model needs is there (in any order; others are ignored)."""
    missing = [name for name in feature_types if name not in columns]
    if missing:
        raise UserError(
            f"{origin}: missing feature column(s): {', '.join(missing)} "
            f"(the model needs: {', '.join(feature_types)})"
        )


def check_column_options(table: TableFile, target: str, settings: Settings) -> None:
    """Each column named by --categorical, --numeric or --drop exists, and not as the target."""
    named = {
        "categorical": settings.categorical,
        "numeric": settings.numeric,
        "drop": settings.drop,
    }
    for option, names in named.items():
        for name in names:
            if name not in table.columns:
                raise table.no_column(name, f"column (given to --{option})")
            if name == target:
                raise UserError(f"--{option} {name}: {name!r} is the target column")
    both = set(settings.categorical) & set(settings.numeric)
    both |= (set(settings.categorical) | set(settings.numeric)) & set(settings.drop)
    if both:
        raise UserError(
            "column(s) given to more than one of --categorical, --numeric, --drop: "
            + ", ".join(sorted(both))
        )


def column_kind(table: TableFile, column: pd.Series, settings: Settings) -> Kind:
    """Numeric when the user says so or every non-missing cell is a number; else categorical."""
    name = str(column.name)
    if name in settings.categorical:
        return "categorical"
    missing = missing_mask(column)
    if missing.all():
        raise UserError(
            f"{table.path}: column {name!r} has no values, every cell is empty; "
            f"leave it out with --drop {name}"
        )
    if name in settings.numeric or pd.api.types.is_numeric_dtype(column.dtype):
        return "numeric"  # Parquet numbers, and booleans as 0 and 1
    numbers = pd.to_numeric(column.mask(missing), errors="coerce")
    return "numeric" if numbers.notna().sum() == (~missing).sum() else "categorical"


def model_inputs(
    table: TableFile | None, frame: pd.DataFrame, feature_types: FeatureTypes
) -> pd.DataFrame:
    """The feature columns as the preprocessing takes them: floats and text, NaN where missing."""
    require_columns(list(frame.columns), feature_types, table.path if table else "input")
    columns = {
        name: numeric_column(table, frame[name])
        if kind == "numeric"
        else categorical_column(frame[name])
        for name, kind in feature_types.items()
    }
    return pd.DataFrame(columns, index=frame.index)


def categorical_column(column: pd.Series) -> pd.Series:
    """Text categories with surrounding spaces removed; NaN where missing."""
    text = column.astype(str).str.strip().astype(object)
    return text.mask(missing_mask(column), np.nan)


def check_levels(
    table: TableFile, features: pd.DataFrame, feature_types: FeatureTypes, limit: int
) -> None:
    """Refuse a categorical column with so many values that one-hot encoding would explode."""
    for name, kind in feature_types.items():
        levels = features[name].nunique()
        if kind != "categorical" or levels <= limit:
            continue
        problem = (
            f"{table.path}: categorical column {name!r} has {levels} different values, "
            f"more than --max-categories {limit}"
        )
        typo = first_text(features[name])
        if typo is not None:
            raise UserError(
                f"{problem}; its cells are numbers but for {str(features.at[typo, name])!r} on "
                f"{table.where(typo)}: fix such cells, or make it numeric with --numeric {name}"
            )
        raise UserError(
            f"{problem}: if it is an id or free text, leave it out with --drop {name}; "
            "otherwise raise --max-categories"
        )


def first_text(column: pd.Series) -> int | None:
    """The first row that is not a number, in a column where most cells are numbers."""
    present = column.dropna()
    is_number = pd.to_numeric(present, errors="coerce").notna()
    if is_number.mean() < 0.5 or is_number.all():
        return None
    return first_row(~is_number)


def target_column(table: TableFile, column: pd.Series) -> np.ndarray:
    """The target's values (see targets.py: labels, or numbers); none missing."""
    missing = missing_mask(column)
    if missing.any():
        raise UserError(
            f"{table.path}: {table.where(first_row(missing))}: the target column {column.name!r} "
            "is empty; every training row needs a target value (remove or fill the row)"
        )
    return target_values(table, column)
