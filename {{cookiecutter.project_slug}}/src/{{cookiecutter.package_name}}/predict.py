"""Score a CSV file with the trained model: the input's columns, plus predictions."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from . import model as framework
from .artifact import load_artifact
from .data import numeric_matrix, read_table
from .errors import UserError
from .files import atomic_path

log = logging.getLogger(__name__)

PREDICTION_COLUMN = "prediction"


def predict_file(input_path: Path, output_path: Path, models_dir: Path) -> int:
    """Write one output row per input row; returns the number of rows scored.

    The output appears only once it is complete, so a failure never leaves half a file.
    """
    trained, metadata = load_artifact(models_dir)
    table = read_table(input_path)
    feature_names = metadata["feature_names"]
    missing = [name for name in feature_names if name not in table.header]
    if missing:
        raise UserError(
            f"{input_path}: missing feature column(s): {', '.join(missing)} "
            f"(the model needs: {', '.join(feature_names)})"
        )
    features = numeric_matrix(table, feature_names)
    predictions = framework.predict(trained, features)
    probabilities = framework.predict_proba(trained, features)
    added = [PREDICTION_COLUMN]
    if probabilities is not None:
        added += [f"probability_{label}" for label in metadata["classes"]]
    clashes = [name for name in added if name in table.header]
    if clashes:
        raise UserError(f"{input_path} already has column(s) {', '.join(clashes)}; rename them")

    with (
        atomic_path(output_path) as temporary,
        temporary.open("w", newline="", encoding="utf-8") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(table.header + added)
        for index, row in enumerate(table.rows):
            scores = [] if probabilities is None else [f"{p:.6f}" for p in probabilities[index]]
            writer.writerow([*row, format_value(predictions[index]), *scores])
    log.info("Scored %d rows of %s into %s", len(table.rows), input_path, output_path)
    return len(table.rows)


def format_value(value: object) -> str:
    """Plain numbers (`1`, `152.34`) rather than numpy reprs (`np.int64(1)`)."""
    return str(value.item() if hasattr(value, "item") else value)
