"""What the service does with images only: files uploaded as they are, converted and resized
as training read them, and pixel tensors of the wrong shape or with NaN."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from {{ cookiecutter.package_name }}.served_model import MODEL_NAME, load_served_model
from {{ cookiecutter.package_name }}.server import create_app

from .serve_cases import digits
from .serve_cases import served_models as served_models  # the fixture

INFER = f"/v2/models/{MODEL_NAME}/infer"


def png(pixels: np.ndarray, mode: str = "L") -> bytes:
    buffer = io.BytesIO()
    image = Image.fromarray((pixels * 255).round().astype(np.uint8))
    image.convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_files_are_read_as_base64_ones_are(served_models: Path) -> None:
    client = TestClient(create_app(load_served_model(served_models)))
    files = [png(image[..., 0]) for image in digits(4)]
    sent = [
        ("files", (f"d{index}.png", content, "image/png")) for index, content in enumerate(files)
    ]
    uploaded = client.post("/predict", files=sent).json()
    instances = [{"b64": base64.b64encode(content).decode()} for content in files]
    assert uploaded == client.post("/predict", json={"instances": instances}).json()
    assert len(uploaded["predictions"]) == 4 and len(uploaded["probabilities"][0]) == 10


def test_a_larger_colour_image_is_read_as_training_would(served_models: Path) -> None:
    """Made gray and resized to the model's 8x8, as a folder of such images would be."""
    client = TestClient(create_app(load_served_model(served_models)))
    large = np.kron(digits(1)[0, ..., 0], np.ones((4, 4)))  # 32x32
    instances = [{"b64": base64.b64encode(png(large, "RGB")).decode()}]
    answer = client.post("/predict", json={"instances": instances})
    assert answer.status_code == 200 and len(answer.json()["predictions"]) == 1


def test_pixel_tensors_must_have_the_model_s_shape_and_be_finite(served_models: Path) -> None:
    client = TestClient(create_app(load_served_model(served_models)))
    images = digits(2)
    for data, shape, words in [
        (images.tolist(), [2, 8, 8, 1], None),
        (images[..., 0].tolist(), [2, 8, 8], "the model takes FP32 [N, 8, 8, 1]"),
        ([None] * 128, [2, 8, 8, 1], "pixels must be finite numbers"),
    ]:
        body = {"inputs": [{"name": "images", "datatype": "FP32", "shape": shape, "data": data}]}
        answer = client.post(INFER, json=body)
        if words is None:
            assert answer.status_code == 200, answer.text
        else:
            assert answer.status_code == 400 and words in answer.json()["error"], answer.text
    other = {"inputs": [{"name": "pixels", "datatype": "FP32", "shape": [1], "data": [0]}]}
    assert (
        "the model takes one: 'images'" in json.loads(client.post(INFER, json=other).text)["error"]
    )
