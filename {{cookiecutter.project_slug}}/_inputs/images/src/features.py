"""The preprocessing every framework's CNN is trained on: pixels standardized per channel.

Learned on the training split only and saved with the model, so `evaluate` and `predict`
scale images exactly as training did, whatever range the pixels have (0-1 for image files
and the bundled digits, any numbers in an .npz file). Images are read and scaled a batch at a
time, so fitting and scaling never hold more than a batch in memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import Dataset
from .errors import UserError
from .image_rows import ImageRows
from .images import shape_text


class ImageScaling:
    """Per-channel mean and standard deviation of the training images, and their shape."""

    BATCH = 1024  # images read at a time while fitting (fewer when large)

    def __init__(self, shape: list[int]) -> None:
        self.shape = list(shape)
        self.mean = np.zeros(shape[-1], dtype=np.float32)
        self.std = np.ones(shape[-1], dtype=np.float32)

    def fit(self, images: ImageRows) -> ImageScaling:
        """Two passes over the images a batch at a time: the mean, then the spread around it."""
        count = len(images) * self.shape[0] * self.shape[1]
        batches = images.batches
        total = sum(batch.sum(axis=(0, 1, 2), dtype=np.float64) for batch in batches(self.BATCH))
        mean = np.asarray(total) / count
        squares = sum(((batch - mean) ** 2).sum(axis=(0, 1, 2)) for batch in batches(self.BATCH))
        std = np.sqrt(np.asarray(squares) / count)
        self.mean = mean.astype(np.float32)
        self.std = np.where(std > 0, std, 1.0).astype(np.float32)  # a constant channel stays 0
        return self

    def transform(self, images: ImageRows, source: Path | None = None) -> ImageRows:
        """The images, standardized as they are read."""
        if list(images.shape[1:]) != self.shape:
            raise UserError(
                f"{source or 'input'}: images of {shape_text(images.shape[1:])}; "
                f"the model takes {shape_text(self.shape)}"
            )
        return images.scaled(self.mean, self.std)


Preprocessing = ImageScaling  # saved with the model (artifact.py)
Matrix = ImageRows  # what the model is given: images, standardized as they are read


def build_preprocessing(dataset: Dataset, scale: bool) -> ImageScaling:
    """Images are scaled whatever `scale` says: every image model here is a network."""
    return ImageScaling(dataset.image_shape)


def fit_preprocessing(
    preprocessing: ImageScaling, features: ImageRows, source: Path | None
) -> ImageRows:
    """Fit on the training images and return them scaled."""
    return preprocessing.fit(features).transform(features, source)


def transform(preprocessing: ImageScaling, features: ImageRows, source: Path | None) -> ImageRows:
    return preprocessing.transform(features, source)
