"""Disk kept free during the session: the tiers install a dozen projects and build their images."""

from __future__ import annotations

import shutil
from pathlib import Path


def drop_installs(project: Path) -> None:
    """Remove what `make install` and the README's offline recipe put in a baked project: its
    .venv and downloaded wheels (several GB for a TensorFlow or CUDA build). Kept to the end of
    the session, they filled a CI machine's disk; the rest of the project stays to be looked at."""
    for name in (".venv", "wheels"):
        shutil.rmtree(project / name, ignore_errors=True)
