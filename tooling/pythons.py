"""Finding an interpreter, or pyenv's build, of a given Python version on this machine."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tooling.commands import run


def find_python(version: str) -> str | None:
    """`pythonX.Y` on PATH if it runs, else one that pyenv installed, else None."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = [shutil.which(f"python{version}")]
    found += sorted(str(p) for p in pyenv_root.glob(f"versions/{version}.*/bin/python{version}"))
    for candidate in filter(None, found):
        if subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return candidate
    return None


def require_python(version: str) -> str:
    """find_python, or stop with one line saying that none is here (for the benchmarks and scripts)."""
    python = find_python(version)
    if python is None:
        raise SystemExit(f"error: no Python {version} on this machine")
    return python


def pyenv_build(python_version: str) -> Path:
    """The pyenv build (its prefix folder) of the newest installed patch release of `python_version`."""
    try:
        root = Path(run(["pyenv", "root"]).stdout.strip())
    except FileNotFoundError:
        root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pattern = re.compile(rf"{re.escape(python_version)}\.\d+")
    candidates = [
        path for path in (root / "versions").glob(f"{python_version}.*") if pattern.fullmatch(path.name)
    ]
    if not candidates:
        raise RuntimeError(f"pyenv has no Python {python_version}.x under {root}/versions")
    return max(candidates, key=lambda path: int(path.name.rsplit(".", 1)[1]))
