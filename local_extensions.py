"""Loaded by cookiecutter (see `_extensions` in cookiecutter.json) before it renders anything.

When the pre-generation hook refuses the answers it prints one `ERROR:` line that says why;
cookiecutter then logs its own traceback of the hook failure, which only buries that line.
This filter keeps cookiecutter's one-line notice and drops the traceback.
"""

from __future__ import annotations

import logging

from jinja2 import Environment
from jinja2.ext import Extension


class _DropHookTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Stopping generation because"):
            record.exc_info, record.exc_text = None, None
        return True


class QuietHookFailures(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(existing, _DropHookTraceback) for existing in logger.filters):
            logger.addFilter(_DropHookTraceback())
