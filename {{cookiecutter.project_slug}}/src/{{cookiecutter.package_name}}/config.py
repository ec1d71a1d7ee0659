"""Settings of a run: what to train, where files go, and the knobs that change results."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .options import InputSettings

Task = Literal["classification", "regression"]

FRAMEWORK = "{{ cookiecutter.framework }}"
TASK: Task = "{{ cookiecutter.__task }}"
DEFAULT_DATASET = "{{ cookiecutter.__dataset }}"
{%- if frameworks[cookiecutter.framework].builds.gpu is defined %}
# Whether the image carries the framework's CUDA build: without a GPU, training says it
# falls back to the CPU.
USE_GPU = {{ cookiecutter.use_gpu }}
{%- endif %}

METRICS_FILE = "metrics.json"
EVALUATION_FILE = "evaluation.json"


def _env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name, default))


@dataclass(frozen=True)
class Settings(InputSettings):
    """Everything a training or evaluation run depends on; CLI flags override the defaults.
    What is about the inputs (a table's columns, the size images are read at) is in
    InputSettings (options.py); the model and how it trains are in config.yaml, with
    `overrides` (`--training.seed 7`, as on the command line) for one run.

    `MODELS_DIR` and `REPORTS_DIR` may also be set in the environment, which is how a
    container or a CI job points the run at mounted folders without repeating flags.
    """

    data: Path | None = None
    target: str | None = None
    models_dir: Path = field(default_factory=lambda: _env_path("MODELS_DIR", "models"))
    reports_dir: Path = field(default_factory=lambda: _env_path("REPORTS_DIR", "reports"))
    overrides: tuple[str, ...] = ()

    @property
    def metrics_path(self) -> Path:
        return self.reports_dir / METRICS_FILE


def project_root() -> Path:
    """The folder with pyproject.toml above the working directory; in the image, /app.

    Paths recorded in models/ are relative to it, so they hold from any working directory
    and on the host after training in the container (where the project is mounted at /app).
    """
    here = Path.cwd().resolve()
    return next((d for d in (here, *here.parents) if (d / "pyproject.toml").is_file()), here)


def project_relative(path: Path) -> str:
    """`path` relative to the project when it is inside it, else absolute."""
    absolute, root = path.resolve(), project_root()
    return str(absolute.relative_to(root)) if absolute.is_relative_to(root) else str(absolute)
