"""One batch of rows three ways, which the service must score alike: serve_cases.py (the
inputs kind's) makes them for test_serve.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Agreeing:
    """A file for `predict`, /predict's instances and, where given, V2 tensors (name,
    datatype, data) of the same rows."""

    file: Path
    instances: list[Any]
    tensors: list[tuple[str, str, np.ndarray]] | None
