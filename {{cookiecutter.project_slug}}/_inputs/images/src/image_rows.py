"""Images held for training and scoring: in memory, or in a temporary file on disk, read a
batch at a time as they are asked for.

Training writes a folder's images once, at the training size, into a `DiskArray`; the
training split, the scaling and every framework take them from there through `ImageRows`,
which reads only the rows asked for. Memory then holds a batch, however many images there are.
"""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Iterator
from typing import Any

import numpy as np


def batch_rows(shape: list[int] | tuple[int, ...], most: int, budget: int = 8 * 2**20) -> int:
    """How many images of `shape` to hold at a time: at most `most`, and fewer when large, so
    that a batch stays within `budget` bytes of float32 pixels."""
    return max(1, min(most, budget // (4 * int(np.prod(shape)))))


class DiskArray:
    """An N x H x W x C float32 array in a temporary file that is gone once closed: training
    writes a folder's images here once, then reads them back a batch at a time, so memory
    holds a batch, however many images there are."""

    def __init__(self, count: int, shape: list[int]) -> None:
        self.shape = (count, *shape)
        self.row_bytes = int(np.prod(shape)) * 4
        # Deleted when closed or garbage-collected, and at once on POSIX: nothing is left behind.
        self.file = tempfile.TemporaryFile(prefix="images-")  # noqa: SIM115
        # Closed when the array is no longer used, without a ResourceWarning.
        weakref.finalize(self, self.file.close)

    def write(self, start: int, images: np.ndarray) -> None:
        self.file.seek(start * self.row_bytes)
        self.file.write(np.ascontiguousarray(images, dtype=np.float32).tobytes())

    def read(self, rows: np.ndarray) -> np.ndarray:
        images = np.empty((len(rows), *self.shape[1:]), dtype=np.float32)
        if len(rows) and np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
            self.read_into(int(rows[0]), images)  # consecutive rows: one read
        else:
            for index, row in enumerate(rows):
                self.read_into(int(row), images[index])
        return images

    def read_into(self, row: int, out: np.ndarray) -> None:
        self.file.seek(row * self.row_bytes)
        self.file.readinto(out.data.cast("B"))


class ImageRows:
    """N x H x W x C images, in memory or in a `DiskArray`, read when asked for.

    `images[rows]` (or a slice) is a view of some of them, which is how the training split
    and the batches take rows without copying; `np.asarray(view)` reads them, standardized
    when the view carries a scaling (see features.py).
    """

    def __init__(
        self,
        source: np.ndarray | DiskArray,
        rows: np.ndarray | None = None,
        scaling: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.source = source
        self.rows = np.arange(source.shape[0]) if rows is None else rows
        self.scaling = scaling

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), *self.source.shape[1:])

    @property
    def ndim(self) -> int:
        return 4

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key: Any) -> ImageRows:
        if isinstance(key, tuple):  # images[rows, ...], as scikit-learn's splitters ask
            if len(key) != 2 or key[1] is not Ellipsis:
                raise TypeError("ImageRows take rows only: images[rows] or images[rows, ...]")
            key = key[0]
        return ImageRows(self.source, self.rows[key], self.scaling)

    def scaled(self, mean: np.ndarray, std: np.ndarray) -> ImageRows:
        return ImageRows(self.source, self.rows, (mean, std))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if isinstance(self.source, DiskArray):
            images = self.source.read(self.rows)
        else:
            images = self.source[self.rows]
        if self.scaling is not None:
            mean, std = self.scaling
            images = (images - mean) / std
        return images.astype(dtype or np.float32, copy=False)

    def batches(self, most: int) -> Iterator[np.ndarray]:
        """The images as arrays of at most `most` (fewer when large: see `batch_rows`)."""
        size = batch_rows(self.shape[1:], most)
        for start in range(0, len(self), size):
            yield np.asarray(self[start : start + size])
