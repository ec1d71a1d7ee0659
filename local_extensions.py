"""Loaded by cookiecutter (see `_extensions` in cookiecutter.json) before it renders anything.

- `QuietHookFailures`: when the pre-generation hook refuses the answers it prints one `ERROR:`
  line that says why; cookiecutter then logs its own `ERROR:` line with a traceback, which
  only buries the hook's line. This drops that log record; cookiecutter's one-line notice
  (`Hook script failed (exit status: 1)`) still follows the hook's line.
- `TomlStrings`: the `toml_string` filter writes free text (names, descriptions) into TOML
  as the user typed it, accents included.
"""

from __future__ import annotations

import logging

from jinja2 import Environment
from jinja2.ext import Extension

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
