"""A baked project with its pinned requirements in a virtualenv, for the benchmarks that run
its package on the host (bench/predict_bench.py, bench/image_bench.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[2]
# PyTorch's CPU index, which its requirements name, is not reachable from here: no retries.
ENV = {**os.environ, "PIP_RETRIES": "0"}


def run(command: list[str], cwd: Path | None = None) -> str:
    """The command's output; its error output and a non-zero exit if it fails."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=ENV)
    if done.returncode != 0:
        raise SystemExit(f"error: {' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def bake_and_install(python: str, work: Path, answers: dict[str, str]) -> tuple[Path, str, str]:
    """Bake `answers` into `work` and install the project's requirements into `work/venv`;
    returns the project, its package name and the virtualenv's python. The package runs from
    its source tree (PYTHONPATH in ENV)."""
    project = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(work), extra_context=answers))
    package = next(project.glob("src/*/cli.py")).parent.name
    ENV["PYTHONPATH"] = str(project / "src")
    print("installing the project's requirements ...", file=sys.stderr)
    run([python, "-m", "venv", str(work / "venv")])
    venv_python = str(work / "venv" / "bin" / "python")
    run([venv_python, "-m", "pip", "install", "-q", "-r", "requirements.txt"], cwd=project)
    return project, package, venv_python
