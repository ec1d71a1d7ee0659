"""What a request's images become: N x H x W x C pixels at the model's shape, as
predict.score_features takes them.

/predict takes each instance as nested lists of pixels (H x W x C, or H x W when the model
reads grayscale), or as an image file (PNG, JPEG, TIFF, BMP) in base64 (`{"b64": "..."}`);
a multipart upload sends the files themselves. Files are read, converted and resized exactly
as training read its folder. The Open Inference Protocol takes one FP32 tensor of pixels,
[N, H, W, C]. Pixels sent as numbers must be in the range training saw (model.json's
`pixel_range`: 0..1 for 8- and 16-bit image files).
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

import numpy as np

from .errors import UserError
from .images import read_image, shape_text
from .protocol import Tensor

# What /predict's instances are (its OpenAPI description).
INSTANCES = (
    "Images as nested lists of pixels (H x W x C, in the range training read), or image files "
    'in base64 ({"b64": "..."}); or a multipart upload of the files.'
)
TENSOR = "images"
B64_FORM = '{"b64": "<the file in base64>"}'


def image_shape(metadata: dict[str, Any]) -> list[int]:
    shape: list[int] = metadata["image_shape"]
    return shape


def input_tensors(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": TENSOR, "datatype": "FP32", "shape": [-1, *image_shape(metadata)]}]


def from_instances(instances: list[Any], metadata: dict[str, Any]) -> np.ndarray:
    shape = image_shape(metadata)
    images = np.empty((len(instances), *shape), dtype=np.float32)
    for position, instance in enumerate(instances):
        what = f"instance {position + 1}"
        if isinstance(instance, dict):
            images[position] = from_base64(instance, what, shape)
        else:
            images[position] = from_pixels(instance, what, shape)
    return images


def from_base64(instance: dict[str, Any], what: str, shape: list[int]) -> np.ndarray:
    if set(instance) != {"b64"} or not isinstance(instance["b64"], str):
        raise UserError(f"{what}: an image file is sent as {B64_FORM}")
    try:
        content = base64.b64decode(instance["b64"], validate=True)
    except (binascii.Error, ValueError):
        raise UserError(f"{what}: b64 is not base64 text") from None
    return read_file(what, content, shape)


def read_file(name: str, content: bytes, shape: list[int]) -> np.ndarray:
    upload = io.BytesIO(content)
    upload.name = name  # what read_image's messages call the file
    pixels, _, _ = read_image(upload, shape)
    return pixels


def from_pixels(instance: Any, what: str, shape: list[int]) -> np.ndarray:
    expected = f"{shape_text(shape)} pixels (H x W x C)" + (
        f" or {shape_text(shape[:2])} (H x W)" if shape[2] == 1 else ""
    )
    try:
        pixels = np.array(instance, dtype=np.float32)
    except (ValueError, TypeError):
        raise UserError(
            f"{what}: not an image of numbers: expected nested lists of {expected}, all rows "
            "of one length"
        ) from None
    if pixels.shape == tuple(shape[:2]) and shape[2] == 1:
        pixels = pixels[..., None]
    if pixels.shape != tuple(shape):
        raise UserError(
            f"{what}: {shape_text(pixels.shape) or 'a single number'}; expected {expected}"
        )
    return checked(pixels, what)


def checked(pixels: np.ndarray, what: str) -> np.ndarray:
    if not np.isfinite(pixels).all():
        raise UserError(f"{what}: pixels must be finite numbers (no NaN or infinity)")
    return pixels


def from_tensors(tensors: list[Tensor], metadata: dict[str, Any]) -> np.ndarray:
    shape = image_shape(metadata)
    if [tensor.name for tensor in tensors] != [TENSOR]:
        names = ", ".join(tensor.name for tensor in tensors)
        raise UserError(f"the request has input(s) {names}; the model takes one: {TENSOR!r}")
    tensor = tensors[0]
    if not tensor.datatype.startswith("FP") or tensor.shape[1:] != shape:
        raise UserError(
            f"input {TENSOR!r} is {tensor.datatype} {tensor.shape}; the model takes FP32 "
            f"[N, {', '.join(map(str, shape))}]"
        )
    return checked(tensor.data.astype(np.float32), f"input {TENSOR!r}")


def from_files(files: list[tuple[str, bytes]], metadata: dict[str, Any]) -> np.ndarray:
    shape = image_shape(metadata)
    return np.stack([read_file(name, content, shape) for name, content in files])


def onnx_inputs(images: np.ndarray, _metadata: dict[str, Any]) -> list[np.ndarray]:
    """The ONNX graph's one input (onnx_export.py): the pixels, [N, H, W, C] float32."""
    return [np.ascontiguousarray(images, dtype=np.float32)]
