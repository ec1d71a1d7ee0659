"""A classifier's target column: class labels as written, text without surrounding spaces."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .tables import TableFile


def target_values(_table: TableFile | None, column: pd.Series) -> np.ndarray:
    return column.astype(str).str.strip().to_numpy(dtype=object)
