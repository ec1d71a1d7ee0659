"""The fixtures of a model of images: folders of drawn shapes, the digits as an .npz file; and
those every project shares (fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset

from .fixtures import QUICK as QUICK
from .fixtures import _in_tmp_path as _in_tmp_path
from .fixtures import bundled_training as bundled_training
from .fixtures import trained as trained

# Bad input of an image model's command line, and the words of the one line that says so.
CLI_USER_ERRORS = [
    (["train", "--data", "missing.npz"], "data file not found: missing.npz"),
    (
        ["train", "--model.init_args.filters", "0"],
        "cannot be built from config.yaml: filters: expected a whole number of at least 1",
    ),
    (["predict", "--input", "in.npz", "--output", "o.csv"], "run `train` first"),
]


@pytest.fixture
def digits_npz(tmp_path: Path) -> Path:
    """The bundled digits as a user's .npz file: X is N x 8 x 8, y the digit."""
    dataset = load_dataset(Settings())
    path = tmp_path / "digits.npz"
    np.savez(path, X=np.asarray(dataset.features)[..., 0], y=dataset.target.astype(int))
    return path


def shape_image(
    kind: str, size: int, rng: np.random.Generator, colour: bool = False
) -> Image.Image:
    """A noisy drawing of a square ring or a cross, placed at random: easy for a CNN, not
    for a model that looks at single pixels."""
    pixels = rng.integers(0, 60, (size, size)).astype(np.uint8)
    side = size // 2
    top, left = (int(n) for n in rng.integers(0, size - side, 2))
    if kind == "ring":
        pixels[top : top + side, left : left + side] = 220
        pixels[top + 2 : top + side - 2, left + 2 : left + side - 2] = 30
    else:
        pixels[top + side // 2 - 1 : top + side // 2 + 1, left : left + side] = 220
        pixels[top : top + side, left + side // 2 - 1 : left + side // 2 + 1] = 220
    image = Image.fromarray(pixels, mode="L")
    return image.convert("RGB") if colour else image


def write_image_folder(folder: Path, per_class: int, seed: int = 0, size: int = 16) -> Path:
    """A folder of PNG files with one sub-folder per class, as people keep their images."""
    rng = np.random.default_rng(seed)
    for kind in ("cross", "ring"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for number in range(per_class):
            shape_image(kind, size, rng).save(folder / kind / f"{kind}-{number:03d}.png")
    return folder


@pytest.fixture
def image_folder(tmp_path: Path) -> Path:
    return write_image_folder(tmp_path / "shapes", per_class=60)
