"""What the command line and the settings hold for a model of tables: the target column, the
column options (types forced, columns dropped, the category limit, or a TOML file of them),
and what --data, --input and --output take."""

from __future__ import annotations

import argparse
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .arguments import whole_number
from .errors import UserError

# One-hot encoding a column with more values than this is refused (--max-categories).
MAX_CATEGORIES = 100
COLUMN_LISTS = ("categorical", "numeric", "drop")
HELP = {
    "data": "CSV or Parquet file with a header (default: bundled data)",
    "predict": "add predictions to a CSV or Parquet file",
    "input": "CSV or Parquet file to score",
    "output": "file to write: CSV, or Parquet if named .parquet",
}


@dataclass(frozen=True)
class InputSettings:
    """The settings of a run that are about the columns of a table (see config.Settings)."""

    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    max_categories: int = MAX_CATEGORIES


def add_data_options(data: argparse.ArgumentParser) -> None:
    data.add_argument("--target", help="name of the column to predict (with --data)")


def add_train_options(train: argparse.ArgumentParser) -> None:
    columns = train.add_argument_group("columns of --data (types are inferred otherwise)")
    for option, meaning in (
        ("categorical", "treat COLUMN as categories, even if it holds numbers"),
        ("numeric", "treat COLUMN as numbers; a cell that is not one is an error"),
        ("drop", "leave COLUMN out of the features (ids, leaks)"),
    ):
        columns.add_argument(
            f"--{option}",
            action="append",
            default=[],
            metavar="COLUMN",
            help=f"{meaning} (repeatable)",
        )
    columns.add_argument(
        "--max-categories",
        type=whole_number(2),
        help=f"refuse a categorical column with more values (default: {MAX_CATEGORIES})",
    )
    columns.add_argument(
        "--columns", type=Path, metavar="FILE", help="the options above as a TOML file"
    )


def input_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The InputSettings given on the command line: the --columns file, then the flags."""
    options = read_columns_file(args.columns) if getattr(args, "columns", None) else {}
    for name in COLUMN_LISTS:
        options[name] = (*options.get(name, ()), *getattr(args, name, ()))
    if getattr(args, "max_categories", None) is not None:
        options["max_categories"] = args.max_categories
    return options


def read_columns_file(path: Path) -> dict[str, Any]:
    """Column options from a TOML file (`--columns`), checked key by key.

    categorical = ["zip_code"]   # force these columns to be categories
    numeric = ["rating"]         # force these to be numbers
    drop = ["customer_id"]       # leave these out (ids, leaks)
    max_categories = 200
    """
    try:
        options = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"columns file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not a valid TOML file: {exc}") from None
    allowed = (*COLUMN_LISTS, "max_categories")
    for key, value in options.items():
        if key not in allowed:
            raise UserError(f"{path}: unknown key {key!r}; expected: {', '.join(allowed)}")
        if key == "max_categories":
            valid = isinstance(value, int) and not isinstance(value, bool) and value >= 2
            expected = "a whole number of at least 2"
        else:
            valid = isinstance(value, list) and all(isinstance(item, str) for item in value)
            expected = "a list of column names"
        if not valid:
            raise UserError(f"{path}: {key} = {value!r}: expected {expected}")
    return options
