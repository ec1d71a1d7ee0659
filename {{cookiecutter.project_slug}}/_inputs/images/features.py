"""The preprocessing every framework's CNN is trained on: pixels standardized per channel.

Learned on the training split only and saved with the model, so `evaluate` and `predict`
scale images exactly as training did, whatever range the pixels have (0-16 for the digits,
0-255 for 8-bit images, any numbers in an .npz file).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .data import Dataset
from .errors import UserError
from .images import shape_text


class ImageScaling:
    """Per-channel mean and standard deviation of the training images, and their shape."""

    def __init__(self, shape: list[int]) -> None:
        self.shape = list(shape)
        self.mean = np.zeros(shape[-1], dtype=np.float32)
        self.std = np.ones(shape[-1], dtype=np.float32)

    def fit(self, images: np.ndarray) -> ImageScaling:
        self.mean = images.mean(axis=(0, 1, 2), dtype=np.float64).astype(np.float32)
        std = images.std(axis=(0, 1, 2), dtype=np.float64)
        self.std = np.where(std > 0, std, 1.0).astype(np.float32)  # a constant channel stays 0
        return self

    def transform(self, images: np.ndarray, source: Path | None = None) -> np.ndarray:
        if list(images.shape[1:]) != self.shape:
            raise UserError(
                f"{source or 'input'}: images of {shape_text(images.shape[1:])}; "
                f"the model takes {shape_text(self.shape)}"
            )
        scaled: np.ndarray = ((images - self.mean) / self.std).astype(np.float32)
        return scaled


Preprocessing = ImageScaling  # saved with the model (artifact.py)


def build_preprocessing(dataset: Dataset) -> ImageScaling:
    return ImageScaling(dataset.image_shape)


def fit_preprocessing(
    preprocessing: ImageScaling, features: np.ndarray, source: Path | None
) -> np.ndarray:
    """Fit on the training images and return them scaled."""
    return preprocessing.fit(features).transform(features, source)


def transform(preprocessing: ImageScaling, features: np.ndarray, source: Path | None) -> np.ndarray:
    return preprocessing.transform(features, source)
