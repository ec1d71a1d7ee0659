"""Training images: scikit-learn's bundled digits, or the user's `.npz` file or image folder.

A dataset is N x H x W x C pixel values (read by images.py) and one class label per image,
as text: the name of its class folder, or the `.npz` file's `y`. A folder's images are read
once, at the training size, into a temporary file and taken from there a batch at a time,
so memory does not grow with their number. `evaluate` reads its files the same way, at the
image shape recorded at training. Nothing is downloaded: the digits ship inside the
scikit-learn wheel.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import datasets

from .config import DEFAULT_DATASET, Settings
from .errors import UserError
from .image_rows import ImageRows
from .images import (
    check_shape,
    open_class_folders,
    read_into_disk,
    read_npz,
    shape_text,
    trained_size,
    training_shape,
)
from .options import IMAGE_SIZE

log = logging.getLogger(__name__)

MIN_ROWS = 10
MIN_SIDE = 2  # pixels: the network halves each side once
TARGET_NAME = "label"
ITEMS = "images"  # what messages call the dataset's rows
READ_BATCH = 256  # images read from files at a time
Features = ImageRows  # N x H x W x C pixel values, before preprocessing


@dataclass(frozen=True)
class Dataset:
    name: str
    features: ImageRows
    target: np.ndarray
    target_name: str = TARGET_NAME
    source: Path | None = None  # the user's file or folder, for messages that point into it
    source_size: list[int] | None = None  # the size most of a folder's images have (H, W)

    @property
    def n_rows(self) -> int:
        return len(self.target)

    @property
    def image_shape(self) -> list[int]:
        return [int(side) for side in self.features.shape[1:]]

    @property
    def n_features(self) -> int:
        return int(np.prod(self.image_shape))

    def summary(self) -> str:
        """E.g. "450 images of 32x32x3, 3 classes"."""
        classes = len(set(self.target))
        return f"{self.n_rows} images of {shape_text(self.image_shape)}, {classes} classes"

    def description(self) -> dict[str, Any]:
        """What model.json records of the inputs: `evaluate` and `predict` read files with it."""
        return {
            "image_shape": self.image_shape,
            "source_size": self.source_size or self.image_shape[:2],
            "pixel_range": pixel_range(self.features),
            "target_name": self.target_name,
        }


def pixel_range(images: ImageRows) -> list[float]:
    """The smallest and largest pixel value of the images as read (before scaling): what
    pixels sent to the model as numbers must be like (0..1 for 8- and 16-bit image files)."""
    lowest, highest = np.inf, -np.inf
    for batch in images.batches(READ_BATCH):
        lowest, highest = min(lowest, float(batch.min())), max(highest, float(batch.max()))
    return [round(lowest, 6), round(highest, 6)]


def load_dataset(settings: Settings) -> Dataset:
    """The bundled digits, or the images at `settings.data` with their labels."""
    if settings.target is not None:
        raise UserError(
            "--target is for tables: images take their labels from the names of their class "
            "folders, or from the .npz file's y"
        )
    if settings.data is None:
        return load_bundled(DEFAULT_DATASET)
    dataset = load_images(settings.data, shape=None, image_size=settings.image_size)
    counts = Counter(dataset.target)
    log.info("Classes: %s", ", ".join(f"{label} ({counts[label]})" for label in sorted(counts)))
    return dataset


def load_bundled(name: str) -> Dataset:
    """scikit-learn's digits: 1,797 grayscale 8x8 images of the digits 0 to 9, their 4-bit
    values (0..16) brought to 0..1 as image files are read, so that a model trained on them
    scores PNG files of digits (samples/digits/) as it should."""
    bunch = getattr(datasets, f"load_{name}")()
    images = (bunch.images / 16).astype(np.float32)[..., np.newaxis]
    labels = bunch.target.astype(str).astype(object)
    return Dataset(name=name, features=ImageRows(images), target=labels)


def load_labelled(path: Path, _target: str, metadata: dict[str, Any]) -> Dataset:
    """Labelled images read at the shape in a trained model's `metadata`: `evaluate --data`
    (their labels are their folders' names: images have no target column). A class the model
    was not trained on is refused: it could only be scored as wrong."""
    dataset = load_images(path, shape=metadata["image_shape"], usual=trained_size(metadata))
    unknown = sorted(set(dataset.target) - set(metadata["classes"]))
    if unknown:
        raise UserError(
            f"{path}: class {unknown[0]!r} is not one the model was trained on "
            f"({', '.join(metadata['classes'])}); leave its images out"
        )
    return dataset


def load_images(
    path: Path,
    shape: list[int] | None,
    image_size: int = IMAGE_SIZE,
    usual: tuple[int, int] | None = None,
) -> Dataset:
    """Images with labels, at `shape` (H, W, C), or for training at the folder's common size
    (its longest side at most `image_size`)."""
    files = open_class_folders(path)
    if files.is_npz:
        images, npz_labels = read_npz(path)
        if npz_labels is None:
            raise UserError(f"{path} has no array named y (the class of each image in X)")
        if shape is not None:
            check_shape(path, images, shape)
        check_size(path, len(images), list(images.shape[1:]))
        return Dataset(path.name, ImageRows(images), npz_labels, source=path)
    if shape is None:
        shape, usual = training_shape(path, files.files, image_size)
    check_size(path, len(files.files), shape)  # before reading the images
    assert usual is not None
    features = read_into_disk(files.files, shape, usual, READ_BATCH)
    labels = np.array(files.labels, dtype=object)
    return Dataset(path.name, features, labels, source=path, source_size=list(usual))


def check_size(path: Path, count: int, shape: list[int]) -> None:
    if count < MIN_ROWS:
        raise UserError(f"{path} has {count} images; training needs at least {MIN_ROWS}")
    if min(shape[:2]) < MIN_SIDE:
        size = shape_text(shape[:2])
        raise UserError(f"{path}: images of {size} are too small (at least {MIN_SIDE}x{MIN_SIDE})")
