"""Loaded by cookiecutter (see `_extensions` in cookiecutter.json) before it renders anything.

- `QuietHookFailures`: when the pre-generation hook refuses the answers it prints one `ERROR:`
  line that says why; cookiecutter then logs its own `ERROR:` line with a traceback, which
  only buries the hook's line. This drops that log record; cookiecutter's one-line notice
  (`Hook script failed (exit status: 1)`) still follows the hook's line.
- `TomlStrings`: the `toml_string` filter writes free text (names, descriptions) into TOML
  as the user typed it, accents included.
- `FrameworkFacts`: every framework's facts, read from `_frameworks/<name>/framework.toml`, as
  the `frameworks` global (hooks, README), the `model_fact` function (cookiecutter.json) and the
  `json_in_order` filter (the hooks receive the facts as JSON, in choice order).

Standard library only: the template is baked in the user's cookiecutter environment.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

try:
    import tomllib
except ModuleNotFoundError:  # before Python 3.11, which the generated projects need too
    sys.exit("ERROR: this template needs cookiecutter on Python 3.11 or newer (pipx install cookiecutter)")

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "{{cookiecutter.project_slug}}" / "_frameworks"
FACTS_FILE = "framework.toml"
# The keys of a facts file (docs/adding-a-framework.md says what each means), with the default
# of each optional one (None: required).
FRAMEWORK_KEYS: dict[str, Any] = {
    "name": None,
    "display_name": None,
    "description": None,
    "order": None,
    "network": None,
    "model_file": None,
    "model_file_note": "",
    "ignored_warnings": [],
    "builds": None,
    "models": None,
}
BUILD_KEYS: dict[str, Any] = {"requirements": None, "package": None, "pythons": None}
GPU_BUILD_KEYS: dict[str, Any] = {
    **BUILD_KEYS,
    "cuda": None,
    "min_driver": None,
    "cuda_probe": None,
    "cuda_probe_prints": None,
}
MODEL_KEYS: dict[str, Any] = {
    "description": None,
    "task": None,
    "dataset": None,
    "inputs": None,
    "param_example": None,
    "minimum": None,
    "architecture": "",
    "estimator": "",
    "parts": [],
    "hyperparameters": {},
}
BUILDS = {"cpu": BUILD_KEYS, "gpu": GPU_BUILD_KEYS}

# What a TOML basic string must escape: the quote, the backslash and the control characters.
TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(value: object) -> str:
    """`value` as a TOML basic string: readable text, escaped only where TOML requires it.

    (`tojson` would do for ASCII, but writes every other character as a `\\u` escape.)
    """
    escaped = "".join(
        TOML_ESCAPES.get(char) or (f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char)
        for char in str(value)
    )
    return f'"{escaped}"'


class TomlStrings(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["toml_string"] = toml_string


class _DropHookFailureLog(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Stopping generation because")


class QuietHookFailures(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(existing, _DropHookFailureLog) for existing in logger.filters):
            logger.addFilter(_DropHookFailureLog())


def load_frameworks(folder: Path = FRAMEWORKS_DIR) -> dict[str, dict[str, Any]]:
    """Each framework's facts by name, in choice order: its `framework.toml` as written, plus
    what is read from its pins: each build's `pin` (the framework's requirement line) and
    `extra_index` (whether its requirements add a package index).

    A folder of `_frameworks/` without a facts file is shared code, not a framework.
    """
    frameworks = []
    for facts_file in sorted(folder.glob(f"*/{FACTS_FILE}")):
        try:
            written = tomllib.loads(facts_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{facts_file}: {error}") from None
        facts = checked(written, FRAMEWORK_KEYS, str(facts_file))
        folder_name = facts_file.parent.name
        if facts["name"] != folder_name:
            raise ValueError(f"{facts_file}: name = {facts['name']!r}, but its folder is {folder_name!r}")
        if "cpu" not in facts["builds"] or set(facts["builds"]) - set(BUILDS):
            raise ValueError(
                f"{facts_file}: [builds] needs a cpu build and may add a gpu build; "
                f"it has {', '.join(facts['builds'])}"
            )
        for name, build in facts["builds"].items():
            facts["builds"][name] = checked(build, BUILDS[name], f"{facts_file} [builds.{name}]")
        for name, model in facts["models"].items():
            facts["models"][name] = checked(model, MODEL_KEYS, f"{facts_file} [models.{name}]")
            checked_bar(facts["models"][name]["minimum"], f"{facts_file} [models.{name}]")
        for build in facts["builds"].values():
            lines = (facts_file.parent / build["requirements"]).read_text(encoding="utf-8").splitlines()
            build["pin"] = pinned_line(lines, build["package"], facts_file.parent / build["requirements"])
            build["extra_index"] = any(line.startswith("--extra-index-url") for line in lines)
        frameworks.append(facts)
    frameworks.sort(key=lambda facts: (facts["order"], facts["name"]))
    return {facts["name"]: facts for facts in frameworks}


def checked(table: dict[str, Any], keys: dict[str, Any], where: str) -> dict[str, Any]:
    """`table` with its optional keys' defaults filled in; unknown or missing keys are refused."""
    missing = [key for key, default in keys.items() if default is None and key not in table]
    unknown = [key for key in table if key not in keys]
    if missing or unknown:
        expected = ", ".join(keys)
        raise ValueError(f"{where}: missing keys {missing}, unknown keys {unknown}; expected: {expected}")
    return {key: table.get(key, default) for key, default in keys.items()}


def checked_bar(bar: object, where: str) -> None:
    """A model's quality bar: a table of at least one metric and the lowest value it may take."""
    numbers = isinstance(bar, dict) and all(
        isinstance(value, int | float) and not isinstance(value, bool) for value in bar.values()
    )
    if not bar or not numbers:
        expected = "a table of metric = lowest value, e.g. { accuracy = 0.95 }"
        raise ValueError(f"{where}: minimum = {bar!r}: expected {expected}")


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_line(lines: list[str], package: str, path: Path) -> str:
    """The `package==version` line of a requirements file, as written (markers left out)."""
    for line in lines:
        match = re.match(r"([A-Za-z0-9_.-]+)(===?)([^\s;]+)", line)
        if match and canonical(match[1]) == canonical(package):
            return match[0]
    raise ValueError(f"{path} pins no {package}")


try:
    FRAMEWORKS = load_frameworks()
except ValueError as error:
    # A facts file that is wrong: one line naming the file and the key, not a traceback
    # through cookiecutter's and Jinja's loading of this module.
    sys.exit(f"ERROR: {error}")


def model_fact(framework: str, model: str, key: str) -> str:
    """One fact of a framework's model, or '' when the framework does not offer the model
    (the pre-generation hook then refuses the answers with a message of its own)."""
    return str(FRAMEWORKS.get(framework, {}).get("models", {}).get(model, {}).get(key, ""))


class FrameworkFacts(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["frameworks"] = FRAMEWORKS
        environment.globals["model_fact"] = model_fact
        # `tojson` sorts keys; the choices' order (the first is the default) must survive.
        environment.filters["json_in_order"] = json.dumps
