"""Read images from an `.npz` file or a folder of PNG/JPEG files, whole or in batches.

Every image becomes an array of H x W x C numbers (C = 1 for grayscale, 3 for colour), all of
one size: the size most of the training images have, or the one a trained model records;
images of other sizes are resized to it (and a note says how many). Labels are the names of
the class folders, or the `.npz` file's `y`, as text.
"""

from __future__ import annotations

import logging
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import UserError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
GRAYSCALE_MODES = {"1", "L", "LA", "I", "I;16", "F"}
EXPECTED = "an .npz file with X (N x H x W, or N x H x W x C) and y, or a folder of images"


@dataclass(frozen=True)
class ImageFiles:
    """What a data path holds: image files (with their class folders' names) or an .npz file."""

    path: Path
    files: list[Path]  # empty for an .npz file
    labels: list[str]  # one per file: its class folder's name ("" for files at the top)

    @property
    def is_npz(self) -> bool:
        return not self.files

    def ids(self, start: int, stop: int) -> list[str]:
        """How the output names images: paths inside the folder, or row numbers of the .npz."""
        if self.is_npz:
            return [str(row) for row in range(start, stop)]
        return [file.relative_to(self.path).as_posix() for file in self.files[start:stop]]


def open_images(path: Path) -> ImageFiles:
    """Check that `path` is an .npz file or a folder with images; list the images."""
    if path.is_dir():
        found = path.rglob("*")
        files = sorted(p for p in found if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        if not files:
            raise UserError(f"{path}/ holds no PNG or JPEG images (expected {EXPECTED})")
        labels = [file.parent.name if file.parent != path else "" for file in files]
        return ImageFiles(path, files, labels)
    if not path.exists():
        raise UserError(f"data file not found: {path} (expected {EXPECTED})")
    if path.suffix.lower() != ".npz":
        raise UserError(f"{path} is not an .npz file or a folder (expected {EXPECTED})")
    return ImageFiles(path, [], [])


def read_npz(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """`X` as N x H x W x C floats, and `y` as text labels (None without `y`: it is not needed
    to score)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise UserError(f"{path} is not a readable .npz file: {exc}") from None
    if "X" not in arrays:
        raise UserError(f"{path} has no array named X; it holds: {', '.join(arrays) or 'nothing'}")
    images = arrays["X"]
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[0] == 0:
        raise UserError(f"{path}: X has shape {images.shape}; expected N x H x W or N x H x W x C")
    numbers = np.issubdtype(images.dtype, np.number)
    if not numbers or np.issubdtype(images.dtype, np.complexfloating):
        raise UserError(f"{path}: X holds {images.dtype} values; expected numbers")
    images = images.astype(np.float32)
    bad = np.argwhere(~np.isfinite(images))
    if len(bad):
        raise UserError(f"{path}: X[{bad[0][0]}] holds a value that is not a finite number")
    if "y" not in arrays:
        return images, None
    labels = arrays["y"]
    if labels.shape != (len(images),):
        raise UserError(
            f"{path}: y has shape {labels.shape}; expected one label per image ({len(images)})"
        )
    return images, np.array([str(label).strip() for label in labels], dtype=object)


def common_shape(files: ImageFiles) -> list[int]:
    """H, W, C for a training folder: the most common size; colour if any image is colour."""
    sizes: Counter[tuple[int, int]] = Counter()
    colour = False
    for file in files.files:
        with open_image(file) as image:
            sizes[(image.height, image.width)] += 1
            colour = colour or image.mode not in GRAYSCALE_MODES
    (height, width), _ = sizes.most_common(1)[0]
    return [height, width, 3 if colour else 1]


def read_files(files: list[Path], shape: list[int]) -> tuple[np.ndarray, int]:
    """The images as one N x H x W x C array of `shape`; and how many had to be resized."""
    height, width, channels = shape
    images = np.empty((len(files), height, width, channels), dtype=np.float32)
    resized = 0
    for index, file in enumerate(files):
        with open_image(file) as image:
            converted = image.convert("RGB" if channels == 3 else "L")
            if converted.size != (width, height):
                converted = converted.resize((width, height), Image.Resampling.BILINEAR)
                resized += 1
            pixels = np.asarray(converted, dtype=np.float32)
        images[index] = pixels.reshape(height, width, channels)
    return images, resized


def open_image(file: Path) -> Image.Image:
    try:
        image = Image.open(file)
        image.load()
    except (OSError, UnidentifiedImageError) as exc:
        raise UserError(f"{file} is not a readable PNG or JPEG image: {exc}") from None
    return image


def note_resized(resized: int, shape: list[int]) -> None:
    if resized:
        log.warning("note: %d image(s) resized to %dx%d (height x width)", resized, *shape[:2])


def read_batches(
    files: ImageFiles, shape: list[int], batch: int
) -> Iterator[tuple[list[str], np.ndarray]]:
    """(ids, images) in batches of `batch` images, read one batch at a time from a folder."""
    if files.is_npz:
        images, _ = read_npz(files.path)
        check_shape(files.path, images, shape)
        for start in range(0, len(images), batch):
            chunk = images[start : start + batch]
            yield files.ids(start, start + len(chunk)), chunk
        return
    resized = 0
    for start in range(0, len(files.files), batch):
        images, count = read_files(files.files[start : start + batch], shape)
        resized += count
        yield files.ids(start, start + len(images)), images
    note_resized(resized, shape)


def check_shape(path: Path, images: np.ndarray, shape: list[int]) -> None:
    """An .npz file's images are not resized: their shape must be the model's."""
    if list(images.shape[1:]) != list(shape):
        raise UserError(
            f"{path}: X holds images of {shape_text(images.shape[1:])} (H x W x C); "
            f"the model takes {shape_text(shape)}"
        )


def shape_text(shape: tuple[int, ...] | list[int]) -> str:
    return "x".join(str(side) for side in shape)
