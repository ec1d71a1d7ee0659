"""The one entry point: `{{ cookiecutter.package_name }} COMMAND`,
where COMMAND is train, evaluate, {{ 'predict or serve' if cookiecutter.serving == 'rest' else 'or predict' }}."""

from __future__ import annotations

import argparse
import ctypes
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Settings
from .configuration import SECTIONS
from .errors import UserError
from .files import to_json
from .options import HELP, add_data_options, add_train_options, input_settings
{%- if cookiecutter.serving == 'rest' %}
from .serve_command import add_serve_command
{%- endif %}

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)


TRAIN_EPILOG = """\
What is trained and how is config.yaml's: the model (model.class_path, model.init_args) and
the training settings (training.seed, training.test_size, ...). Any of its keys can be set
for one run, e.g. --training.seed 7 {{ cookiecutter.__config_example }}; --model CLASS_PATH
trains another model class. The whole configuration of a run is saved in reports/config.yaml
and with the model."""


def build_parser() -> argparse.ArgumentParser:
    # No abbreviations: `--model` is config.yaml's key, not a short `--models-dir`.
    parser = argparse.ArgumentParser(prog=__package__, description=__doc__, allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    folders = argparse.ArgumentParser(add_help=False)
    folders.add_argument("--models-dir", type=Path, help="where the model is (default: models/)")
    folders.add_argument("--reports-dir", type=Path, help="where reports go (default: reports/)")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", type=Path, help=HELP["data"])
    add_data_options(data)

    train = commands.add_parser(
        "train",
        parents=[folders, data],
        help="train the model config.yaml names and write reports",
        usage="%(prog)s [options] [--KEY VALUE of config.yaml ...]",
        epilog=TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    add_train_options(train)
    commands.add_parser(
        "evaluate",
        parents=[folders, data],
        help="score the saved model (held-out split or --data)",
        allow_abbrev=False,
    )
    predict = commands.add_parser(
        "predict", parents=[folders], help=HELP["predict"], allow_abbrev=False
    )
    predict.add_argument("--input", type=Path, required=True, help=HELP["input"])
    predict.add_argument("--output", type=Path, required=True, help=HELP["output"])
{%- if cookiecutter.serving == 'rest' %}
    add_serve_command(commands, [folders])
{%- endif %}
    return parser


def settings_from(args: argparse.Namespace, overrides: list[str]) -> Settings:
    given = {
        **input_settings(args),
        "models_dir": args.models_dir,
        "reports_dir": args.reports_dir,
        "data": getattr(args, "data", None),
        "target": getattr(args, "target", None),
        "overrides": tuple(overrides) or None,
    }
    return Settings(**{key: value for key, value in given.items() if value is not None})


def run(args: argparse.Namespace, overrides: list[str]) -> None:
    settings = settings_from(args, overrides)
    if args.command == "train":
        from .model import is_chief
        from .train import train

        try:
            metrics = train(settings)
        except (UserError, OSError):
            if not is_chief():  # the first of a distributed training's processes says why
                raise SystemExit(1) from None
            raise
        if is_chief():  # and prints the metrics
            print(to_json(metrics), end="")
    elif args.command == "evaluate":
        from .train import evaluate

        print(to_json(evaluate(settings)), end="")
{%- if cookiecutter.serving == 'rest' %}
    elif args.command == "serve":
        from .serve_command import serve

        serve(args, settings.models_dir)
{%- endif %}
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


def is_config_key(arg: str) -> bool:
    """Whether `arg` is a value, or a key of config.yaml's sections (`--training.seed`)."""
    section = arg[2:].partition("=")[0].partition(".")[0]
    return not arg.startswith("--") or section in SECTIONS


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, overrides = parser.parse_known_args(argv)  # what is left: config.yaml's keys
    if overrides and (args.command != "train" or not all(map(is_config_key, overrides))):
        parser.error(f"unrecognized arguments: {' '.join(overrides)}")
    release_freed_memory()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        run(args, overrides)
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
