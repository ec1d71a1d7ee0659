"""Settings of a run: what to train, where files go, and the knobs that change results."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import UserError

Task = Literal["classification", "regression"]

FRAMEWORK = "{{ cookiecutter.framework }}"
MODEL = "{{ cookiecutter.model }}"
TASK: Task = "{{ cookiecutter.__task }}"
DEFAULT_DATASET = "{{ cookiecutter.__dataset }}"
INPUTS = "{{ cookiecutter.__inputs }}"  # what the model reads: tables (CSV, Parquet) or images
PARAM_EXAMPLE = "{{ cookiecutter.__param_example }}"  # a --param this model takes
# Whether the image carries the framework's CUDA build: without a GPU, training says it
# falls back to the CPU.
USE_GPU = {{ cookiecutter.use_gpu }}

METRICS_FILE = "metrics.json"
EVALUATION_FILE = "evaluation.json"
# One-hot encoding a column with more values than this is refused (--max-categories).
MAX_CATEGORIES = 100
# Images whose longest side is longer are read smaller (--image-size): a small CNN learns
# as well from them, in a fraction of the time and memory.
IMAGE_SIZE = 64
COLUMN_LISTS = ("categorical", "numeric", "drop")


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
    params: dict[str, str] = field(default_factory=dict)  # as given; the model converts them
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    max_categories: int = MAX_CATEGORIES
    image_size: int = IMAGE_SIZE  # images: the longest side they are read at, in pixels

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


def read_columns_file(path: Path) -> dict[str, Any]:
    """Column options from a TOML file (`--columns`), checked key by key.

    categorical = ["zip_code"]   # force these columns to be categories
    numeric = ["rating"]         # force these to be numbers
    drop = ["customer_id"]       # leave these out (ids, leaks)
    max_categories = 200
    """
    try:
        options = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"columns file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not a valid TOML file: {exc}") from None
    allowed = (*COLUMN_LISTS, "max_categories")
    for key, value in options.items():
        if key not in allowed:
            raise UserError(f"{path}: unknown key {key!r}; expected: {', '.join(allowed)}")
        if key == "max_categories":
            valid = isinstance(value, int) and not isinstance(value, bool) and value >= 2
            expected = "a whole number of at least 2"
        else:
            valid = isinstance(value, list) and all(isinstance(item, str) for item in value)
            expected = "a list of column names"
        if not valid:
            raise UserError(f"{path}: {key} = {value!r}: expected {expected}")
    return options
