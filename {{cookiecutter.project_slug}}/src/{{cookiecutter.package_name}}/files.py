"""Write files all at once: a failed run never leaves half a model, report or output."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

METADATA_FILE = "model.json"  # describes a trained model and names its files (artifact.py)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # mkstemp makes it private; give it normal permissions
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths, however spelled, name one existing file."""
    return first.exists() and second.exists() and os.path.samefile(first, second)


def to_json(data: dict[str, Any]) -> str:
    """Strict JSON: a number that is not finite (an R^2 of NaN) becomes null, not `NaN`.

    Keys stay in the order they were added: deterministic, and column lists keep the file's order.
    """
    return json.dumps(finite(data), indent=2, allow_nan=False) + "\n"


def finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(path, to_json(data))


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
