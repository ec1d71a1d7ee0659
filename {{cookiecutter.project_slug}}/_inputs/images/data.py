"""Training images: scikit-learn's bundled digits, or the user's `.npz` file or image folder.

A dataset is one array of N x H x W x C pixel values (read by images.py) and one class label
per image, as text: the name of its class folder, or the `.npz` file's `y`. `evaluate` reads
its files the same way, at the image shape recorded at training. Nothing is downloaded: the
digits ship inside the scikit-learn wheel.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn import datasets

from .config import DEFAULT_DATASET, TASK, Settings, Task
from .errors import UserError
from .images import (
    check_shape,
    common_shape,
    note_resized,
    open_images,
    read_files,
    read_npz,
    shape_text,
)

MIN_ROWS = 10
MIN_SIDE = 2  # pixels: the network halves each side once
TARGET_NAME = "label"
Features = np.ndarray  # N x H x W x C pixel values, before preprocessing


@dataclass(frozen=True)
class Dataset:
    name: str
    features: np.ndarray
    target: np.ndarray
    target_name: str = TARGET_NAME
    source: Path | None = None  # the user's file or folder, for messages that point into it

    @property
    def n_rows(self) -> int:
        return len(self.target)

    @property
    def image_shape(self) -> list[int]:
        return [int(side) for side in self.features.shape[1:]]

    @property
    def n_features(self) -> int:
        return int(np.prod(self.image_shape))

    def description(self) -> dict[str, Any]:
        """What model.json records of the inputs: `evaluate` and `predict` read files with it."""
        return {"image_shape": self.image_shape, "target_name": self.target_name}


def load_dataset(settings: Settings) -> Dataset:
    """The bundled digits, or the images at `settings.data` with their labels."""
    if settings.target is not None:
        raise UserError(
            "--target is for tables: images take their labels from the names of their class "
            "folders, or from the .npz file's y"
        )
    if settings.data is None:
        return load_bundled(DEFAULT_DATASET, TASK)
    return load_images(settings.data, shape=None)


def load_bundled(name: str, task: Task) -> Dataset:
    """scikit-learn's digits: 1,797 grayscale 8x8 images of the digits 0 to 9."""
    bunch = getattr(datasets, f"load_{name}")()
    images = bunch.images.astype(np.float32)[..., np.newaxis]
    return Dataset(name=name, features=images, target=bunch.target.astype(str).astype(object))


def load_labelled(path: Path, target: str, metadata: dict[str, Any], task: Task) -> Dataset:
    """Labelled images read at the shape in a trained model's `metadata`: `evaluate --data`."""
    return load_images(path, shape=metadata["image_shape"])


def load_images(path: Path, shape: list[int] | None) -> Dataset:
    """Images with labels, at `shape` (H, W, C), or for training at the folder's common shape."""
    files = open_images(path)
    if files.is_npz:
        images, npz_labels = read_npz(path)
        if npz_labels is None:
            raise UserError(f"{path} has no array named y (the class of each image in X)")
        labels = npz_labels
        if shape is not None:
            check_shape(path, images, shape)
    else:
        pairs = zip(files.files, files.labels, strict=True)
        unlabelled = [file for file, label in pairs if not label]
        if unlabelled:
            raise UserError(
                f"{unlabelled[0]} is not in a class folder: put each image in a sub-folder named "
                f"after its class ({path}/<class>/<image>.png)"
            )
        images, resized = read_files(files.files, shape or common_shape(files))
        note_resized(resized, list(images.shape[1:]))
        labels = np.array(files.labels, dtype=object)
    if len(images) < MIN_ROWS:
        raise UserError(f"{path} has {len(images)} images; training needs at least {MIN_ROWS}")
    if min(images.shape[1:3]) < MIN_SIDE:
        size = shape_text(images.shape[1:3])
        raise UserError(f"{path}: images of {size} are too small (at least {MIN_SIDE}x{MIN_SIDE})")
    return Dataset(name=path.name, features=images, target=labels, source=path)
