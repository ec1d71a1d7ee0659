"""A regressor's target column: finite numbers (a cell that is not one is named)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .tables import TableFile, numeric_column


def target_values(table: TableFile | None, column: pd.Series) -> np.ndarray:
    return numeric_column(table, column).to_numpy()
