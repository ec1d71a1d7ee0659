"""Read images from an `.npz` file or a folder of image files, a batch at a time.

Every image becomes H x W x C numbers (C = 1 for grayscale, 3 for colour), at one size for
all: the size most training images have, made smaller if a side is longer than
`--image-size`, or the size a trained model records. Pixels keep their true values, brought
to one range whatever the file's bit depth: 1-, 8- and 16-bit images are divided by their
largest value (to 0..1), 32-bit integer and float images are read as they are. An alpha
channel is left out; palette images are read in colour.

A training folder holds one sub-folder per class (the class is its name); images in folders
below a class folder belong to that class. Hidden files and folders (`.ipynb_checkpoints`,
`.DS_Store`) are skipped, and so are other files; training says what it skipped.
"""

from __future__ import annotations

import logging
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import UserError
from .image_rows import DiskArray, ImageRows, batch_rows

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
KINDS = "PNG, JPEG, TIFF or BMP"
EXPECTED = "an .npz file with X (N x H x W, or N x H x W x C) and y, or a folder of images"
# Modes with one channel, and the largest value of each integer mode that is scaled to 0..1.
GRAYSCALE_MODES = {"1", "L", "LA", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"}
LARGEST_VALUE = {"1": 1.0, "I;16": 65535.0, "I;16L": 65535.0, "I;16B": 65535.0, "I;16N": 65535.0}
RAW_MODES = {"I", "F"}  # 32-bit: no fixed range, read as they are
LUMINANCE = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # colour to gray, as Pillow does
SHOWN = 5  # names listed when files are skipped


def is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


@dataclass
class ImageFiles:
    """What a data path holds: image files (with their class folders' names) or an .npz file."""

    path: Path
    files: list[Path]  # empty for an .npz file
    labels: list[str]  # one per file: its class folder's name
    skipped: dict[str, list[str]] = field(default_factory=dict)  # why -> names

    @property
    def is_npz(self) -> bool:
        return not self.files

    def ids(self, start: int, stop: int) -> list[str]:
        """How the output names images: paths inside the folder, or row numbers of the .npz."""
        if self.is_npz:
            return [str(row) for row in range(start, stop)]
        return [file.relative_to(self.path).as_posix() for file in self.files[start:stop]]

    def report_skipped(self) -> None:
        """One line per reason: how many files were left out, and the first few names."""
        for why, names in self.skipped.items():
            shown = ", ".join(names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")
            log.warning("note: skipped %d %s: %s", len(names), why, shown)


def walk(folder: Path, top: Path, skipped: dict[str, list[str]]) -> list[Path]:
    """Image files under `folder`, sorted; hidden and other files are recorded in `skipped`."""
    images = []
    for entry in sorted(folder.iterdir()):
        name = entry.relative_to(top).as_posix()
        if is_hidden(entry):
            skipped.setdefault("hidden files and folders", []).append(name)
        elif entry.is_dir():
            images += walk(entry, top, skipped)
        elif entry.suffix.lower() in IMAGE_SUFFIXES:
            images.append(entry)
        else:
            skipped.setdefault(f"files that are not {KINDS} images", []).append(name)
    return images


def check_data_path(path: Path) -> None:
    if not path.exists():
        raise UserError(f"data file not found: {path} (expected {EXPECTED})")
    if not path.is_dir() and path.suffix.lower() != ".npz":
        raise UserError(f"{path} is not an .npz file or a folder (expected {EXPECTED})")


def open_images(path: Path) -> ImageFiles:
    """Images to score: an .npz file, or every image in a folder and the folders below it."""
    check_data_path(path)
    if not path.is_dir():
        return ImageFiles(path, [], [])
    skipped: dict[str, list[str]] = {}
    files = walk(path, path, skipped)
    if not files:
        raise UserError(f"{path}/ holds no {KINDS} images (expected {EXPECTED})")
    found = ImageFiles(path, files, [""] * len(files), skipped)
    found.report_skipped()
    return found


def open_class_folders(path: Path) -> ImageFiles:
    """Training images: an .npz file, or a folder whose sub-folders are the classes."""
    check_data_path(path)
    if not path.is_dir():
        return ImageFiles(path, [], [])
    skipped: dict[str, list[str]] = {}
    files, labels, empty = [], [], []
    for entry in sorted(path.iterdir()):
        if is_hidden(entry):
            skipped.setdefault("hidden files and folders", []).append(entry.name)
        elif entry.is_dir():
            images = walk(entry, path, skipped)
            files += images
            labels += [entry.name] * len(images)
            if not images:
                empty.append(entry.name)
        elif entry.suffix.lower() in IMAGE_SUFFIXES:
            raise UserError(
                f"{entry} is not in a class folder: put each image in a sub-folder named "
                f"after its class ({path}/<class>/<image>.png)"
            )
        else:
            skipped.setdefault(f"files that are not {KINDS} images", []).append(entry.name)
    if not files:
        raise UserError(f"{path}/ holds no {KINDS} images in class folders (expected {EXPECTED})")
    for name in empty:
        log.warning("warning: class folder %r holds no images: it is left out", name)
    found = ImageFiles(path, files, labels, skipped)
    found.report_skipped()
    return found


def read_npz(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """`X` as N x H x W x C floats, and `y` as text labels (None without `y`: it is not needed
    to score). 8- and 16-bit unsigned integers are divided by their largest value, as in
    image files; other numbers are used as they are."""
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
    numbers = np.issubdtype(images.dtype, np.number) or images.dtype == np.bool_
    if not numbers or np.issubdtype(images.dtype, np.complexfloating):
        raise UserError(f"{path}: X holds {images.dtype} values; expected numbers")
    # 8- and 16-bit pixels are brought to 0..1 as in image files; other numbers are kept.
    largest = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(images.dtype, 1.0)
    images = images.astype(np.float32) / np.float32(largest)
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


def open_image(file: Path) -> Image.Image:
    """The image's header: its size and mode (the pixels are read by `read_image`)."""
    try:
        return Image.open(file)
    except (OSError, UnidentifiedImageError) as exc:
        raise UserError(f"{file} is not a readable {KINDS} image: {exc}") from None


@dataclass(frozen=True)
class Survey:
    """What a training folder's images are: sizes, whether any is in colour, their bit depths."""

    sizes: Counter[tuple[int, int]]
    colour: bool
    raw: list[str]  # files of 32-bit modes, read as they are
    scaled: list[str]  # files of 1-, 8- and 16-bit modes, divided by their largest value


def survey(files: list[Path]) -> Survey:
    sizes: Counter[tuple[int, int]] = Counter()
    colour, raw, scaled = False, list[str](), list[str]()
    for file in files:
        with open_image(file) as image:
            sizes[(image.height, image.width)] += 1
            colour = colour or image.mode not in GRAYSCALE_MODES
            (raw if image.mode in RAW_MODES else scaled).append(file.name)
    return Survey(sizes, colour, raw, scaled)


def training_shape(
    path: Path, files: list[Path], image_size: int
) -> tuple[list[int], tuple[int, int]]:
    """H, W, C for a training folder: the most common size, made smaller (keeping its
    proportions) if a side is longer than `image_size`; colour if any image is colour.
    Also that most common size."""
    found = survey(files)
    if found.raw and found.scaled:
        raise UserError(
            f"{path}/ mixes 32-bit images ({found.raw[0]}: values read as they are) with 8- or "
            f"16-bit ones ({found.scaled[0]}: scaled to 0..1); convert them to one kind"
        )
    usual = found.sizes.most_common(1)[0][0]
    height, width = usual
    longest = max(height, width)
    if longest > image_size:
        scale = image_size / longest
        smaller = (max(1, round(height * scale)), max(1, round(width * scale)))
        log.warning(
            "note: images of %dx%d are read at %dx%d (--image-size %d, the longest side)",
            height,
            width,
            *smaller,
            image_size,
        )
        height, width = smaller
    return [height, width, 3 if found.colour else 1], usual


def read_image(file: Path | BinaryIO, shape: list[int]) -> tuple[np.ndarray, tuple[int, int], bool]:
    """The image as `shape` (H, W, C) float32 pixels; also its own size and whether it is in
    colour, for the notes that say what was changed. `file`: a path, or an open file (an
    upload) whose `name` messages give."""
    height, width, channels = shape
    where = file if isinstance(file, Path) else getattr(file, "name", "the upload")
    try:
        with Image.open(file) as image:
            size, colour = (image.height, image.width), image.mode not in GRAYSCALE_MODES
            image.draft(None, (width, height))  # JPEG: decode at a smaller scale when it can
            image.load()
            pixels = to_array(image, where)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise UserError(f"{where} is not a readable {KINDS} image: {exc}") from None
    if pixels.shape[2] != channels:
        pixels = np.repeat(pixels, 3, axis=2) if channels == 3 else (pixels @ LUMINANCE)[..., None]
    if pixels.shape[:2] != (height, width):
        pixels = resize(pixels, height, width)
    return pixels, size, colour


def to_array(image: Image.Image, file: object) -> np.ndarray:
    """H x W x 1 or H x W x 3 float32 pixels, at the true values brought to one range."""
    mode = image.mode
    if mode in LARGEST_VALUE:
        return np.asarray(image, dtype=np.float32)[..., None] / LARGEST_VALUE[mode]
    if mode in RAW_MODES:
        return np.asarray(image, dtype=np.float32)[..., None]
    try:
        converted = image.convert("L" if mode in GRAYSCALE_MODES else "RGB")  # drops alpha
    except ValueError as exc:
        raise UserError(
            f"{file}: images in mode {mode} cannot be read as grayscale or colour ({exc}); "
            "save it as an 8-bit grayscale or RGB image"
        ) from None
    pixels = np.asarray(converted, dtype=np.float32) / 255.0
    return pixels[..., None] if pixels.ndim == 2 else pixels


def resize(pixels: np.ndarray, height: int, width: int) -> np.ndarray:
    """Each channel resized with Pillow's bilinear filter, which averages when it shrinks."""
    channels = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(pixels[..., channel])).resize(
                (width, height), Image.Resampling.BILINEAR
            ),
            dtype=np.float32,
        )
        for channel in range(pixels.shape[2])
    ]
    return np.stack(channels, axis=2)


@dataclass
class Changes:
    """What reading changed, counted over every image of a run, to say so in one line each."""

    resized: Counter[tuple[int, int]] = field(default_factory=Counter)
    converted: int = 0

    def count(
        self, size: tuple[int, int], colour: bool, shape: list[int], usual: tuple[int, int]
    ) -> None:
        if size != usual:
            self.resized[size] += 1
        if colour != (shape[2] == 3):
            self.converted += 1

    def report(self, shape: list[int], usual: tuple[int, int], training: bool) -> None:
        """One line for the images of another size than the usual one, one for those whose
        colour differs from the model's."""
        usual_text, target = f"{usual[0]}x{usual[1]}", f"{shape[0]}x{shape[1]}"
        if self.resized:
            sizes = ", ".join(f"{h}x{w}" for (h, w), _ in self.resized.most_common(SHOWN))
            sizes += ", ..." if len(self.resized) > SHOWN else ""
            usual_text = ("the usual " if training else "the training images' ") + usual_text
            log.warning(
                "note: %d image(s) of another size than %s (%s) read at %s",
                sum(self.resized.values()),
                usual_text,
                sizes,
                target,
            )
        if self.converted:
            colour = shape[2] == 3
            log.warning(
                "note: %d %s image(s) read in %s: %s",
                self.converted,
                "grayscale" if colour else "colour",
                "colour" if colour else "grayscale",
                "the folder holds colour images"  # training reads all in colour then
                if training
                else f"the model was trained on {'colour' if colour else 'grayscale'} images",
            )


def read_into_disk(
    files: list[Path], shape: list[int], usual: tuple[int, int], batch: int
) -> ImageRows:
    """Every file read at `shape` into a `DiskArray`, at most `batch` at a time, with one note
    per kind of change made."""
    store, changes = DiskArray(len(files), shape), Changes()
    batch = batch_rows(shape, batch)
    for start in range(0, len(files), batch):
        images = np.empty((len(files[start : start + batch]), *shape), dtype=np.float32)
        for index, file in enumerate(files[start : start + batch]):
            images[index], size, colour = read_image(file, shape)
            changes.count(size, colour, shape, usual)
        store.write(start, images)
        if start + batch < len(files):
            log.info("Read %d of %d images ...", start + batch, len(files))
    changes.report(shape, usual, training=True)
    return ImageRows(store)


def read_batches(
    files: ImageFiles, metadata: dict[str, Any], batch: int
) -> Iterator[tuple[list[str], np.ndarray]]:
    """(ids, images) in batches of at most `batch` images at the model's shape, read one batch
    at a time from a folder; one note per kind of change from the training images."""
    shape = metadata["image_shape"]
    if files.is_npz:
        images, _ = read_npz(files.path)
        check_shape(files.path, images, shape)
        for start in range(0, len(images), batch):
            part = images[start : start + batch]
            yield files.ids(start, start + len(part)), part
        return
    usual, changes = trained_size(metadata), Changes()
    batch = batch_rows(shape, batch)
    for start in range(0, len(files.files), batch):
        chunk = files.files[start : start + batch]
        images = np.empty((len(chunk), *shape), dtype=np.float32)
        for index, file in enumerate(chunk):
            images[index], size, colour = read_image(file, shape)
            changes.count(size, colour, shape, usual)
        yield files.ids(start, start + len(images)), images
    changes.report(shape, usual, training=False)


def trained_size(metadata: dict[str, Any]) -> tuple[int, int]:
    """The size of most training images (before --image-size), else the model's input size."""
    height, width = metadata.get("source_size") or metadata["image_shape"][:2]
    return height, width


def check_shape(path: Path, images: np.ndarray, shape: list[int]) -> None:
    """An .npz file's images are not resized: their shape must be the model's."""
    if list(images.shape[1:]) != list(shape):
        raise UserError(
            f"{path}: X holds images of {shape_text(images.shape[1:])} (H x W x C); "
            f"the model takes {shape_text(shape)}"
        )


def shape_text(shape: tuple[int, ...] | list[int]) -> str:
    return "x".join(str(side) for side in shape)
