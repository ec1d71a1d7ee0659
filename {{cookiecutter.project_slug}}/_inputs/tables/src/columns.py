"""A batch of rows as one array per input column, and the cells that mean "no value".

What a request's rows become in a service (payloads.py), without a data frame: for a few rows
one costs more than the model. NumPy alone, as the serving image has no pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Cells that mean "no value": pandas' own list, plus "?" as in many public datasets.
MISSING_TOKENS = frozenset(
    {"", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "NULL", "null", "None", "#N/A", "<NA>", "?"}
)


@dataclass(frozen=True)
class Columns:
    """Rows as one array per input column (numbers as floats with NaN where missing, text as
    objects with NaN where missing), as `data.model_inputs` makes a file's."""

    arrays: dict[str, np.ndarray]
    rows: int

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def __len__(self) -> int:
        return self.rows

    @property
    def index(self) -> Sequence[int]:
        return range(self.rows)
