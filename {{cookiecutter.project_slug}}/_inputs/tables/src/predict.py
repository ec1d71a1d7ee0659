"""Score a table with the trained model: the input's columns, plus predictions.

`score` works on a DataFrame held in memory, and `score_features` on the model's input
columns (a data frame, or a service request's `Columns`), so a long-running service can load
the model once and score request after request; `predict_file` streams a file through them in
batches.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from .artifact import Artifact, load_artifact
from .data import FeatureTypes, model_inputs, require_columns
from .errors import UserError
from .features import Batch, transform, unseen_categories
from .files import atomic_path, same_file
from .scores import Scores, no_scores
from .tables import TableFile, open_table, read_batches

log = logging.getLogger(__name__)

# Rows per batch scale with the width of the table: memory stays flat however long the file.
BATCH_CELLS = 1_000_000
MIN_BATCH_ROWS = 1_000
PARQUET_SUFFIXES = {".parquet", ".pq"}


def feature_types(artifact: Artifact) -> FeatureTypes:
    """The model's input columns and their types, as recorded at training."""
    types: FeatureTypes = artifact.metadata["feature_types"]
    return types


def score(artifact: Artifact, frame: pd.DataFrame, table: TableFile | None = None) -> pd.DataFrame:
    """The prediction (and each class's probability) for every row of `frame`.

    `frame` holds the model's input columns by name, in any order, as text or numbers;
    `table`, when given, lets messages point at the file's line.
    """
    features = model_inputs(table, frame, feature_types(artifact))
    return pd.DataFrame(score_features(artifact, features, table).columns(), index=features.index)


def score_features(artifact: Artifact, features: Batch, source: TableFile | None) -> Scores:
    """The scores of the model's input columns (as `data.model_inputs` makes them)."""
    if len(features) == 0:
        return no_scores(artifact.classes)
    return artifact.scores(transform(artifact.preprocessing, features, source))


def predict_file(input_path: Path, output_path: Path, models_dir: Path) -> int:
    """Write one output row per input row; returns the number of rows scored.

    The output appears only once it is complete, so a failure never leaves half a file.
    Its format follows its name: `.parquet` for Parquet, CSV otherwise.
    """
    check_output_path(input_path, output_path)
    artifact = load_artifact(models_dir)
    table = open_table(input_path)
    require_columns(table.columns, feature_types(artifact), input_path)
    clashes = [name for name in no_scores(artifact.classes).columns() if name in table.columns]
    if clashes:
        raise UserError(f"{input_path} already has column(s) {', '.join(clashes)}; rename them")

    rows, unseen = 0, dict[str, int]()
    batch_rows = max(MIN_BATCH_ROWS, BATCH_CELLS // len(table.columns))
    parquet = output_path.suffix.lower() in PARQUET_SUFFIXES
    with atomic_path(output_path) as temporary, BatchWriter(temporary, parquet) as writer:
        for batch in read_batches(table, batch_rows):
            features = model_inputs(table, batch, feature_types(artifact))
            scores = score_features(artifact, features, table).columns()
            writer.write(pd.concat([batch, pd.DataFrame(scores, index=batch.index)], axis=1))
            for name, count in unseen_categories(artifact.preprocessing, features).items():
                unseen[name] = unseen.get(name, 0) + count
            rows += len(batch)
            if rows > batch_rows:
                log.info("Scored %d rows ...", rows)
        if rows == 0:
            raise UserError(f"{input_path} has a header but no data rows")
    for name, count in unseen.items():
        log.warning(
            "note: %d row(s) have a %r category not seen in training; scored as unknown",
            count,
            name,
        )
    log.info("Scored %d rows of %s into %s", rows, input_path, output_path)
    return rows


def check_output_path(input_path: Path, output_path: Path) -> None:
    """Refuse, before reading anything, an output that would overwrite the input or a folder."""
    if output_path.is_dir():
        raise UserError(f"--output {output_path} is a directory; give a file name")
    if same_file(input_path, output_path):
        raise UserError(f"--output {output_path} is the input file; give another file name")


class BatchWriter:
    """Append DataFrames to one CSV or Parquet file, header or schema from the first."""

    def __init__(self, path: Path, parquet: bool) -> None:
        self.path = path
        self.handle = None if parquet else path.open("w", newline="", encoding="utf-8")
        self.writer: pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.handle is not None:
            frame.to_csv(self.handle, header=self.handle.tell() == 0, index=False)
            return
        batch = pyarrow.Table.from_pandas(frame, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, batch.schema)
        self.writer.write_table(batch.cast(self.writer.schema))

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *_exc_info: object) -> None:
        if self.handle is not None:
            self.handle.close()
        if self.writer is not None:
            self.writer.close()
