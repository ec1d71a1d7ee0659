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
- `TemplateFolder`: this template's folder, as the `template_folder` global: the post-generation
  hook records it, and its commit, in the project's .cruft.json (for `make template-update`).

Jinja2 (cookiecutter's) and the standard library only: the template is baked in the user's
cookiecutter environment; the facts are read by tooling/facts.py.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

from tooling.facts import FACTS_FILE as FACTS_FILE
from tooling.facts import FRAMEWORKS_DIR as FRAMEWORKS_DIR
from tooling.facts import canonical as canonical
from tooling.facts import load_frameworks

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


class TemplateFolder(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        # Where cookiecutter reads the template: the folder given, or its clone of the URL given.
        environment.globals["template_folder"] = str(Path(__file__).resolve().parent)
