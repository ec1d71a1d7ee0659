"""config.yaml: what the owner tunes, read and checked. The model is a class path and its
arguments (`model: {class_path, init_args}`), the training settings are `training:`; any key
can be set for one run on the command line (`train --model.init_args.C 0.5`).

jsonargparse reads it: it checks each argument against the class's own signature and types,
and a wrong key or value becomes one line naming it.
"""

from __future__ import annotations

import importlib
import itertools
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import UserError

CONFIG_FILE = Path("config.yaml")
SECTIONS = ("model", "training")
MAX_SEED = 2**32 - 1  # the largest seed NumPy and scikit-learn accept
# What the checks' messages say around the reason; the reason is the line that is left.
WRAPPING = re.compile(
    r"Does not validate against|Subtypes:|Errors:|Given value|Problem with given class_path|"
    r"Expected a <class 'NoneType'>|^\s*$"
)


@dataclass(frozen=True)
class Training:
    """How the model is trained and scored: the seed of every random choice, and the
    fraction of rows held out to score it."""

    seed: int = 42
    test_size: float = 0.2

    def __post_init__(self) -> None:
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed: expected a whole number from 0 to {MAX_SEED}")
        if not 0 < self.test_size < 1:
            raise ValueError("test_size: expected a number between 0 and 1")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ModelChoice:
    """The model's class, by its import path, and the arguments it is built with."""

    class_path: str
    init_args: dict[str, Any]

    @property
    def name(self) -> str:
        """The class's own name: what reports and the served metadata call the model."""
        return self.class_path.rpartition(".")[2]


@dataclass(frozen=True)
class RunConfig:
    model: ModelChoice
    training: Any  # an instance of the framework's Training class (model.TRAINING)
    text: str  # the whole configuration as it was resolved, defaults included (YAML)


def read_config(
    path: Path,
    base: type,
    training: type[Training],
    decided: frozenset[str],
    overrides: tuple[str, ...] = (),
) -> RunConfig:
    """`path` with the command line's `--key value` overrides, checked; one clear error.

    `model` takes any subclass of `base`, `training` is `training`'s fields; `decided` are the
    model's arguments that the data decides (a network's input shape and outputs).
    """
    # Here, not at the top: the slim serving image imports this package's CLI without them.
    import yaml
    from jsonargparse import (  # type: ignore[attr-defined]  # ActionConfigFile: public, not in __all__
        ActionConfigFile,
        ArgumentParser,
        Namespace,
    )
    from jsonargparse import ArgumentError as ConfigError

    if not path.is_file():
        raise UserError(
            f"{path} is missing: it says which model to train (see docs/customizing.md)"
        )
    parser = ArgumentParser(prog="train", exit_on_error=False)
    parser.add_argument("--config", action=ActionConfigFile)
    parser.add_subclass_arguments(
        base, "model", instantiate=False, required=True, skip=set(decided)
    )
    parser.add_class_arguments(training, "training", instantiate=False)
    try:
        written = without_other_classes_arguments(yaml.safe_load(path.read_text()), overrides)
        resolved = parser.parse_args(["--config", yaml.safe_dump(written), *overrides])
    except ConfigError as exc:
        raise UserError(one_line(str(exc))) from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path.name} is not valid YAML: {' '.join(str(exc).split())}") from None
    del resolved.config  # where it came from, not a setting
    model = resolved.model
    given = getattr(model, "init_args", None)  # none when the class takes no arguments
    init_args = given.as_dict() if isinstance(given, Namespace) else {}
    try:
        settings = training(**resolved.training.as_dict())
    except ValueError as exc:
        raise UserError(f"training.{exc}") from None
    return RunConfig(ModelChoice(model.class_path, init_args), settings, parser.dump(resolved))


def without_other_classes_arguments(written: Any, overrides: tuple[str, ...]) -> Any:
    """config.yaml as written, but without its model's arguments when the command line names
    another class (`--model CLASS_PATH`): they are that other class's, not this one's."""
    model = written.get("model") if isinstance(written, dict) else None
    if not isinstance(model, dict):
        return written
    for arg, following in itertools.pairwise((*overrides, "")):
        key, sep, inline = arg.partition("=")
        named = inline if sep else following  # `--model X` or `--model=X`
        names_a_class = key in ("--model", "--model.class_path") and named[:1] not in "{."
        if names_a_class and named and named != model.get("class_path"):
            return {**written, "model": {"class_path": named}}
    return written


def one_line(message: str) -> str:
    """jsonargparse's report of a bad key or value, as the key and the reason."""
    key = re.search(r'Parser key "([^"]+)"', message)
    reasons = [
        line.strip().removeprefix("- ").strip()
        for line in message.splitlines()[1:]
        if not WRAPPING.search(line)
    ]
    reason = reasons[0] if reasons else message.splitlines()[0]
    unknown = re.fullmatch(r"Option '(\w+)' is not accepted", reason)
    owner = re.search(r"Problem with given class_path '([\w.]+)'", message)
    if key and unknown and owner:  # an argument the model's class does not take
        name = unknown[1]
        return (
            f"config key {key[1]}.init_args.{name}: {owner[1].rpartition('.')[2]} takes no "
            f"argument {name!r} (config.yaml, or --{key[1]}.init_args.{name} on the command line)"
        )
    reason = re.sub(r"<class '([^']+)'>", r"\1", reason)
    reason = re.sub(r"Expected a (\S+)\. Got value: (.*)", r"expected \1, got \2", reason)
    if key:
        return f"config key {key[1]}: {reason} (config.yaml, or --{key[1]} on the command line)"
    section = re.fullmatch(r"Option '(\w+)' is not accepted", reason)
    if section:
        return f"config.yaml: {section[1]!r} is not one of its sections ({', '.join(SECTIONS)})"
    setting = re.fullmatch(r"Group '(\w+)' does not accept option '(\w+)'", reason)
    if setting:
        return f"config key {setting[1]}.{setting[2]}: {setting[1]} has no setting {setting[2]!r}"
    return f"config.yaml or the command line: {reason}"


def model_class(class_path: str) -> Any:
    """The class a config names (config.yaml checked that it exists when it was trained)."""
    module, _, name = class_path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        raise UserError(f"cannot import the model class {class_path}") from None
