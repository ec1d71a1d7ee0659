"""Classify images with the trained model: one output row per image.

`score` works on images held in memory, so a long-running service can load the model once
and score request after request: the predicted class, and each class's probability.
`predict_file` reads an .npz file or a folder of images in batches and writes a CSV file:
the image's id (its path in the folder, or its row in the .npz file), the predicted class,
and the probability of that class.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .artifact import Artifact, load_artifact
from .errors import UserError
from .features import transform
from .files import atomic_path, same_file
from .image_rows import ImageRows
from .images import open_images, read_batches
from .scores import PREDICTION_COLUMN, Scores, no_scores

log = logging.getLogger(__name__)

ID_COLUMN, PROBABILITY_COLUMN = "id", "probability"
BATCH_IMAGES = 1024  # images read and scored at a time (fewer when large): memory stays flat


def score(
    artifact: Artifact, images: np.ndarray | ImageRows, source: Path | None = None
) -> pd.DataFrame:
    """The predicted class and each class's probability for each of `images` (N x H x W x C
    pixels)."""
    return pd.DataFrame(score_features(artifact, images, source).columns())


def score_features(
    artifact: Artifact, images: np.ndarray | ImageRows, source: Path | None
) -> Scores:
    """The scores of `images`, as plain arrays (what a service answers from)."""
    if len(images) == 0:
        return no_scores(artifact.classes)
    matrix = transform(artifact.preprocessing, ImageRows(np.asarray(images, np.float32)), source)
    return artifact.scores(matrix)


def top_class(scores: pd.DataFrame) -> pd.DataFrame:
    """The predicted class and its probability: the most probable class's."""
    probabilities = scores.drop(columns=PREDICTION_COLUMN)
    return pd.DataFrame(
        {
            PREDICTION_COLUMN: scores[PREDICTION_COLUMN],
            PROBABILITY_COLUMN: probabilities.max(axis=1),
        }
    )


def predict_file(input_path: Path, output_path: Path, models_dir: Path) -> int:
    """Write one CSV row per image; returns the number of images scored.

    The output appears only once it is complete, so a failure never leaves half a file.
    """
    check_output_path(input_path, output_path)
    artifact = load_artifact(models_dir)
    files = open_images(input_path)
    rows = 0
    with atomic_path(output_path) as temporary, temporary.open("w", newline="") as handle:
        for ids, images in read_batches(files, artifact.metadata, BATCH_IMAGES):
            scores = top_class(score(artifact, images, input_path))
            scores.insert(0, ID_COLUMN, ids)
            scores.to_csv(handle, header=rows == 0, index=False)
            rows += len(ids)
            if rows > BATCH_IMAGES:
                log.info("Scored %d images ...", rows)
    log.info("Scored %d images of %s into %s", rows, input_path, output_path)
    return rows


def check_output_path(input_path: Path, output_path: Path) -> None:
    """Refuse, before reading anything, an output that is not a CSV file name, or is the input."""
    if output_path.is_dir():
        raise UserError(f"--output {output_path} is a directory; give a file name")
    if output_path.suffix.lower() != ".csv":
        raise UserError(f"--output {output_path}: predictions are written as CSV; name it .csv")
    if same_file(input_path, output_path):
        raise UserError(f"--output {output_path} is the input file; give another file name")
