"""What the command line and the settings hold for a model of images: the size images are
read at, and what --data, --input and --output take."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from .arguments import whole_number

# Images whose longest side is longer are read smaller (--image-size): a small CNN learns
# as well from them, in a fraction of the time and memory.
IMAGE_SIZE = 64
HELP = {
    "data": "an .npz file (X, y) or a folder with a sub-folder of images per class "
    "(default: bundled digits)",
    "predict": "classify images: an .npz file (X) or a folder of PNG/JPEG images",
    "input": ".npz file or folder of images to classify",
    "output": "CSV file to write: id, prediction, probability",
}


@dataclass(frozen=True)
class InputSettings:
    """The settings of a run that are about images (see config.Settings)."""

    image_size: int = IMAGE_SIZE  # the longest side images are read at, in pixels


def add_data_options(_data: argparse.ArgumentParser) -> None:
    """None: images take their labels from their class folders, not from a --target."""


def add_train_options(train: argparse.ArgumentParser) -> None:
    train.add_argument(
        "--image-size",
        type=whole_number(2),
        metavar="PIXELS",
        help="read images whose longest side is longer at this size, keeping their "
        f"proportions (default: {IMAGE_SIZE})",
    )


def input_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The InputSettings given on the command line."""
    return {"image_size": getattr(args, "image_size", None)}
