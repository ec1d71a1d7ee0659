"""The template's cookiecutter hooks, imported as modules so their functions can be called.

A hook is a file in hooks/, not part of a package; its Jinja is only inside `main`, so the rest
imports as plain Python.
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tooling import TEMPLATE


def load_hook(name: str = "pre_gen_project") -> ModuleType:
    """hooks/<name>.py as a module (a fresh one each call)."""
    path = TEMPLATE / "hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
