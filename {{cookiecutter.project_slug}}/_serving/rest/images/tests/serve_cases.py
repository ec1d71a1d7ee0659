"""The service's cases for a model of images: the digits model, the same images as a file
(.npz, or a folder of PNG files), pixel lists, base64 files and a V2 tensor, and bad images."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset

from .agreeing import Agreeing
from .conftest import QUICK


@pytest.fixture
def served_models(trained: tuple[Settings, dict[str, Any]]) -> Path:
    """The model the service tests serve: a CNN trained a few epochs on the digits."""
    return trained[0].models_dir


def quick_settings(folder: Path) -> Settings:
    """A quick training in `folder` of a model like the served one."""
    return Settings(models_dir=folder / "models", reports_dir=folder / "reports", overrides=QUICK)


def expected_inputs(saved: dict[str, Any]) -> list[dict[str, Any]]:
    """One FP32 tensor of images at the trained shape."""
    assert saved["image_shape"] == [8, 8, 1]
    return [{"name": "images", "datatype": "FP32", "shape": [-1, 8, 8, 1]}]


def digits(count: int) -> np.ndarray:
    return np.asarray(load_dataset(Settings()).features[:count])


def agreeing_requests(folder: Path) -> list[Agreeing]:
    images = digits(12)
    np.savez(folder / "digits.npz", X=images)
    pngs = folder / "pngs"
    pngs.mkdir()
    contents = []
    for index, image in enumerate(images):
        path = pngs / f"digit-{index:02d}.png"
        Image.fromarray((image[..., 0] * 255).round().astype(np.uint8)).save(path)
        contents.append({"b64": base64.b64encode(path.read_bytes()).decode()})
    return [
        Agreeing(folder / "digits.npz", images.tolist(), [("images", "FP32", images)]),
        Agreeing(folder / "digits.npz", images[..., 0].tolist(), None),  # H x W: grayscale
        Agreeing(pngs, contents, None),
    ]


NOT_AN_IMAGE = base64.b64encode(b"not an image").decode()
# Bad instances (as JSON text) for the 8x8 grayscale digits model, and words of the error.
BAD_INSTANCES = [
    ("[[[1, 2], [3, 4]]]", "instance 1: 2x2; expected 8x8x1 pixels (H x W x C) or 8x8 (H x W)"),
    ("[[[1, 2], [3]]]", "instance 1: not an image of numbers"),
    ('[[["a", "b"]]]', "instance 1: not an image of numbers"),
    ("[3]", "a single number; expected 8x8x1"),
    ("[" + str([[1] * 8] * 8).replace("1", "1e400", 1) + "]", "pixels must be finite numbers"),
    ('[{"b64": "***"}]', "b64 is not base64 text"),
    (
        '[{"b64": "' + NOT_AN_IMAGE + '"}]',
        "instance 1 is not a readable PNG, JPEG, TIFF or BMP image",
    ),
    ('[{"file": "x.png"}]', 'an image file is sent as {"b64": "<the file in base64>"}'),
]
