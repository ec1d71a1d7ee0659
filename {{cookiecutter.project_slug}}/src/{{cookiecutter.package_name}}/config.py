"""Settings of a run: what to train, where files go, and the knobs that change results."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Task = Literal["classification", "regression"]

FRAMEWORK = "{{ cookiecutter.framework }}"
MODEL = "{{ cookiecutter.model }}"
TASK: Task = "{{ cookiecutter.__task }}"
DEFAULT_DATASET = "{{ cookiecutter.__dataset }}"

METRICS_FILE = "metrics.json"


def _env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name, default))


@dataclass(frozen=True)
class Settings:
    """Everything a training or evaluation run depends on; CLI flags override the defaults.

    `MODELS_DIR` and `REPORTS_DIR` may also be set in the environment, which is how a
    container or a CI job points the run at mounted folders without repeating flags.
    """

    data: Path | None = None
    target: str | None = None
    models_dir: Path = field(default_factory=lambda: _env_path("MODELS_DIR", "models"))
    reports_dir: Path = field(default_factory=lambda: _env_path("REPORTS_DIR", "reports"))
    seed: int = 42
    test_size: float = 0.2
    params: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def metrics_path(self) -> Path:
        return self.reports_dir / METRICS_FILE
