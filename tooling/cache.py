"""Where the docker tier and the benchmarks keep what is slow to make: stand-in base images'
root filesystems and wheelhouses, kept between sessions, one lock per entry."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_dir() -> Path:
    """Where base-image tarballs and wheelhouses are kept between sessions."""
    default = Path.home() / ".cache" / "ml-docker-template"
    path = Path(os.environ.get("MLDT_CACHE_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Serialise work on one cache entry across processes (e.g. pytest-xdist workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
