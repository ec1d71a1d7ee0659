"""A baked project with its pinned requirements in a virtualenv, for the benchmarks that run
its package on the host (bench/predict_bench.py, bench/image_bench.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter

from tooling import TEMPLATE
from tooling.commands import run

# What the project's commands run with. PyTorch's CPU index, which its requirements name, is
# not reachable from here: no retries. bake_and_install adds the project's source to PYTHONPATH.
ENV = {**os.environ, "PIP_RETRIES": "0"}


def bake_and_install(python: str, work: Path, answers: dict[str, str]) -> tuple[Path, str, str]:
    """Bake `answers` into `work` and install the project's requirements into `work/venv`;
    returns the project, its package name and the virtualenv's python. The package runs from
    its source tree (PYTHONPATH in ENV)."""
    project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(work), extra_context=answers))
    package = next(project.glob("src/*/cli.py")).parent.name
    ENV["PYTHONPATH"] = str(project / "src")
    print("installing the project's requirements ...", file=sys.stderr)
    run([python, "-m", "venv", str(work / "venv")], environment=ENV)
    venv_python = str(work / "venv" / "bin" / "python")
    run([venv_python, "-m", "pip", "install", "-q", "-r", "requirements.txt"], project, environment=ENV)
    return project, package, venv_python
