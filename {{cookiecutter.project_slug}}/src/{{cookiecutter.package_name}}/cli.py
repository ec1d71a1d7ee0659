"""The one entry point: `{{ cookiecutter.package_name }} train | evaluate | predict`."""

from __future__ import annotations

import argparse
import ctypes
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import (
    COLUMN_LISTS,
    IMAGE_SIZE,
    INPUTS,
    MAX_CATEGORIES,
    MODEL,
    PARAM_EXAMPLE,
    Settings,
    read_columns_file,
)
from .errors import UserError
from .files import to_json

MAX_SEED = 2**32 - 1  # the largest seed NumPy and scikit-learn accept
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
# What --data, --input and --output take, for a model of tables or of images.
HELP = {
    "tables": {
        "data": "CSV or Parquet file with a header (default: bundled data)",
        "predict": "add predictions to a CSV or Parquet file",
        "input": "CSV or Parquet file to score",
        "output": "file to write: CSV, or Parquet if named .parquet",
    },
    "images": {
        "data": "an .npz file (X, y) or a folder with a sub-folder of images per class "
        "(default: bundled digits)",
        "predict": "classify images: an .npz file (X) or a folder of PNG/JPEG images",
        "input": ".npz file or folder of images to classify",
        "output": "CSV file to write: id, prediction, probability",
    },
}[INPUTS]


def parse_param(text: str) -> tuple[str, str]:
    """`C=0.5` -> ("C", "0.5"); the model turns the text into the parameter's type."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), raw.strip()


def seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {MAX_SEED}, got {text!r}"
        )
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def at_least_two(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 2, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=__package__, description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    folders = argparse.ArgumentParser(add_help=False)
    folders.add_argument("--models-dir", type=Path, help="where the model is (default: models/)")
    folders.add_argument("--reports-dir", type=Path, help="where reports go (default: reports/)")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", type=Path, help=HELP["data"])
    if INPUTS == "tables":
        data.add_argument("--target", help="name of the column to predict (with --data)")

    train = commands.add_parser(
        "train", parents=[folders, data], help=f"train the {MODEL} model and write reports"
    )
    train.add_argument("--seed", type=seed, help=f"random seed (default: {Settings.seed})")
    train.add_argument(
        "--test-size", type=fraction, help=f"held-out fraction (default: {Settings.test_size})"
    )
    train.add_argument(
        "--param",
        type=parse_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"a model hyper-parameter, e.g. {PARAM_EXAMPLE} (repeatable)",
    )
    if INPUTS == "tables":
        add_column_options(train)
    else:
        train.add_argument(
            "--image-size",
            type=at_least_two,
            metavar="PIXELS",
            help="read images whose longest side is longer at this size, keeping their "
            f"proportions (default: {IMAGE_SIZE})",
        )
    commands.add_parser(
        "evaluate", parents=[folders, data], help="score the saved model (held-out split or --data)"
    )
    predict = commands.add_parser("predict", parents=[folders], help=HELP["predict"])
    predict.add_argument("--input", type=Path, required=True, help=HELP["input"])
    predict.add_argument("--output", type=Path, required=True, help=HELP["output"])
    return parser


def add_column_options(train: argparse.ArgumentParser) -> None:
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
        type=at_least_two,
        help=f"refuse a categorical column with more values (default: {MAX_CATEGORIES})",
    )
    columns.add_argument(
        "--columns", type=Path, metavar="FILE", help="the options above as a TOML file"
    )


def settings_from(args: argparse.Namespace) -> Settings:
    options = read_columns_file(args.columns) if getattr(args, "columns", None) else {}
    for name in COLUMN_LISTS:
        options[name] = (*options.get(name, ()), *getattr(args, name, ()))
    if getattr(args, "max_categories", None) is not None:
        options["max_categories"] = args.max_categories
    given = {
        **options,
        "models_dir": args.models_dir,
        "reports_dir": args.reports_dir,
        "data": getattr(args, "data", None),
        "target": getattr(args, "target", None),
        "seed": getattr(args, "seed", None),
        "test_size": getattr(args, "test_size", None),
        "image_size": getattr(args, "image_size", None),
        "params": dict(getattr(args, "param", None) or {}) or None,
    }
    return Settings(**{key: value for key, value in given.items() if value is not None})


def run(args: argparse.Namespace) -> None:
    settings = settings_from(args)
    if args.command == "train":
        from .train import train

        print(to_json(train(settings)), end="")
    elif args.command == "evaluate":
        from .train import evaluate

        print(to_json(evaluate(settings)), end="")
    else:
        from .predict import predict_file

        predict_file(args.input, args.output, settings.models_dir)


def release_freed_memory() -> None:
    """Give large freed buffers (a batch's arrays, a network's activations) back to the
    system at once. glibc otherwise raises its threshold for doing so after the first such
    buffer is freed, and later ones pile up on a heap that does not shrink: scoring 6,000
    images took from 0.47 to 2.9 GB at random, and 0.47 GB every time with this. It is
    the MALLOC_MMAP_THRESHOLD_ setting, made in-process; other C libraries are left as
    they are."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # glibc (Linux, the image)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, 128 * 1024)  # glibc's default, made fixed


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    release_freed_memory()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # unreadable input, unwritable output folder, full disk
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0
