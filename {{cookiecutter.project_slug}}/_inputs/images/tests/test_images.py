"""Reading image files: true values in every mode, a size cap, the folder walk, and the notes
that say what was read differently from the model's images."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }} import data as data_module
from {{ cookiecutter.package_name }}.artifact import METADATA_FILE, load_artifact
from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.image_rows import DiskArray, ImageRows
from {{ cookiecutter.package_name }}.images import read_image
from {{ cookiecutter.package_name }}.predict import predict_file, score, top_class
from {{ cookiecutter.package_name }}.train import evaluate, train

from .conftest import QUICK, shape_image, write_image_folder

RAMP = np.arange(48, dtype=np.int64).reshape(6, 8)  # a different value in every pixel


def quick_settings(data: Path, tmp_path: Path) -> Settings:
    return Settings(
        data=data, models_dir=tmp_path / "m", reports_dir=tmp_path / "r", overrides=QUICK
    )


def saved(path: Path, image: Image.Image) -> Path:
    image.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "image", "expected"),
    [
        ("8-bit.png", Image.fromarray((RAMP * 5).astype(np.uint8)), RAMP * 5 / 255),
        ("16-bit.png", Image.fromarray((RAMP * 1300).astype(np.uint16)), RAMP * 1300 / 65535),
        ("1-bit.png", Image.fromarray(RAMP % 2 == 1), RAMP % 2),
        ("32-bit.tif", Image.fromarray((RAMP * 100_000).astype(np.int32)), RAMP * 100_000),
        ("float.tif", Image.fromarray((RAMP / 7 - 2).astype(np.float32)), RAMP / 7 - 2),
        (
            "gray-alpha.png",
            Image.fromarray((RAMP * 5).astype(np.uint8)).convert("LA"),
            RAMP * 5 / 255,
        ),
    ],
)
def test_grayscale_modes_are_read_with_their_true_values(
    name: str, image: Image.Image, expected: np.ndarray, tmp_path: Path
) -> None:
    pixels, size, colour = read_image(saved(tmp_path / name, image), [6, 8, 1])
    np.testing.assert_allclose(pixels[..., 0], expected, rtol=1e-6)
    assert (size, colour) == ((6, 8), False)


def test_colour_palette_and_alpha_modes_are_read_as_rgb(tmp_path: Path) -> None:
    rgb = np.stack([RAMP * 5, 255 - RAMP * 5, np.full_like(RAMP, 7)], axis=2).astype(np.uint8)
    rgba = np.concatenate([rgb, np.full((6, 8, 1), 9, np.uint8)], axis=2)
    palette = Image.fromarray(rgb).quantize(colors=256)  # 48 colours: the palette holds them all
    for name, image in [
        ("rgb.png", Image.fromarray(rgb)),
        ("rgba.png", Image.fromarray(rgba)),  # the alpha channel is left out
        ("palette.png", palette),
    ]:
        pixels, _, colour = read_image(saved(tmp_path / name, image), [6, 8, 3])
        np.testing.assert_allclose(pixels, rgb / 255, atol=1e-6, err_msg=name)
        assert colour, name


def test_a_16_bit_folder_trains_on_its_values_and_scores_the_same_way(tmp_path: Path) -> None:
    """16-bit images were once read as a constant 255: now their values reach the model, and
    scoring the files reads them exactly as training did."""
    folder = write_image_folder(tmp_path / "shapes", per_class=20, size=12)
    eight_bit = load_dataset(Settings(data=folder))
    for file in folder.rglob("*.png"):  # the same images in 16 bits: values up to 56,540
        with Image.open(file) as image:
            pixels = np.asarray(image, dtype=np.uint16) * 257
        Image.fromarray(pixels).save(file)
        with Image.open(file) as image:
            assert image.mode == "I;16"
    dataset = load_dataset(Settings(data=folder))
    # v * 257 / 65535 == v / 255: the same values as the 8-bit images, not a constant
    read, expected = np.asarray(dataset.features), np.asarray(eight_bit.features)
    np.testing.assert_allclose(read, expected, atol=1e-6)
    settings = quick_settings(folder, tmp_path)
    train(settings)
    predict_file(folder, tmp_path / "out.csv", settings.models_dir)
    in_memory = top_class(score(load_artifact(settings.models_dir), dataset.features))
    scored = np.loadtxt(tmp_path / "out.csv", delimiter=",", skiprows=1, usecols=2)
    np.testing.assert_allclose(scored, in_memory["probability"], atol=1e-6)


def test_a_mode_that_cannot_be_read_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = saved(tmp_path / "odd.tif", Image.new("CMYK", (8, 6)))

    def refuse(image: Image.Image, mode: str) -> Image.Image:
        raise ValueError(f"conversion from {image.mode} to {mode} not supported")

    monkeypatch.setattr(Image.Image, "convert", refuse)
    with pytest.raises(UserError) as raised:
        read_image(file, [6, 8, 3])
    assert str(raised.value).startswith(f"{file}: images in mode CMYK cannot be read")


def test_npz_pixels_of_8_and_16_bits_are_read_as_image_files_are(tmp_path: Path) -> None:
    labels = ["a", "b"] * 6
    for dtype, largest in [(np.uint8, 255), (np.uint16, 65535), (np.int64, 1), (np.float32, 1)]:
        pixels = np.arange(12 * 6 * 8).reshape(12, 6, 8) % 250
        np.savez(tmp_path / "x.npz", X=pixels.astype(dtype), y=labels)
        read = np.asarray(load_dataset(Settings(data=tmp_path / "x.npz")).features)
        np.testing.assert_allclose(read[..., 0], pixels / largest, rtol=1e-6, err_msg=str(dtype))


def test_32_bit_and_8_bit_images_are_not_mixed(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "shapes", per_class=6)
    Image.fromarray(RAMP.astype(np.float32)).save(folder / "ring" / "depth.tif")
    with pytest.raises(UserError, match=r"mixes 32-bit images \(depth\.tif: values read as they"):
        load_dataset(Settings(data=folder))


def test_large_images_are_read_at_the_image_size(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "photos"
    rng = np.random.default_rng(0)
    for kind in ("cross", "ring"):
        (folder / kind).mkdir(parents=True)
        for number in range(6):
            image = shape_image(kind, 100, rng).resize((100, 80))
            image.save(folder / kind / f"{number}.jpg", quality=90)
    dataset = load_dataset(Settings(data=folder, image_size=20))
    assert dataset.image_shape == [16, 20, 1]  # 80x100, proportions kept
    assert dataset.description()["source_size"] == [80, 100]
    assert "note: images of 80x100 are read at 16x20 (--image-size 20, the longest side)" in (
        caplog.messages
    )
    assert load_dataset(Settings(data=folder)).image_shape == [51, 64, 1]  # the default: 64
    command = ["train", "--data", str(folder), "--training.epochs", "1", "--image-size"]
    assert main([*command, "40"]) == 0
    metadata = json.loads(Path("models", METADATA_FILE).read_text())
    assert (metadata["image_shape"], metadata["source_size"]) == ([32, 40, 1], [80, 100])
    with pytest.raises(SystemExit):
        main([*command, "1"])
    assert "--image-size: expected a whole number of at least 2, got '1'" in capsys.readouterr().err


def test_the_folder_walk_takes_classes_from_the_top_folders_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_image_folder(tmp_path / "shapes", per_class=6)
    checkpoints = folder / "ring" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shape_image("ring", 16, np.random.default_rng(1)).save(checkpoints / "ring-000.png")
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "cross" / "2024").mkdir()  # a nested folder belongs to its class
    shape_image("cross", 16, np.random.default_rng(2)).save(folder / "cross" / "2024" / "x.png")
    for number in range(7):
        (folder / "cross" / f"notes-{number}.txt").write_text("not an image")
    (folder / "empty").mkdir()
    dataset = load_dataset(Settings(data=folder))
    assert sorted(set(dataset.target)) == ["cross", "ring"]
    assert list(dataset.target).count("cross") == 7 and list(dataset.target).count("ring") == 6
    assert caplog.messages == [
        "warning: class folder 'empty' holds no images: it is left out",
        "note: skipped 2 hidden files and folders: .DS_Store, ring/.ipynb_checkpoints",
        "note: skipped 7 files that are not PNG, JPEG, TIFF or BMP images: cross/notes-0.txt, "
        "cross/notes-1.txt, cross/notes-2.txt, cross/notes-3.txt, cross/notes-4.txt, ...",
        "Classes: cross (7), ring (6)",
    ]


def test_training_speaks_of_images(
    image_folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    train(quick_settings(image_folder, tmp_path))
    messages = caplog.messages
    assert "Loaded shapes: 120 images of 16x16x1, 2 classes" in messages
    assert any(line.startswith("Training ") and " on 96 images" in line for line in messages)
    assert not [line for line in messages if " rows" in line or "features" in line]


def test_a_class_of_one_image_is_named_in_words_of_images(tmp_path: Path) -> None:
    np.savez(tmp_path / "odd.npz", X=np.zeros((11, 8, 8)), y=["a", "b"] * 5 + ["c"])
    with pytest.raises(UserError, match=r"class 'c' of 'label' has one image; each class needs 2"):
        train(quick_settings(tmp_path / "odd.npz", tmp_path))


def test_evaluating_a_class_the_model_never_saw_names_it(
    trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    settings, _ = trained
    np.savez(tmp_path / "more.npz", X=np.zeros((12, 8, 8)), y=["3"] * 6 + ["letter A"] * 6)
    with pytest.raises(UserError, match=r"class 'letter A' is not one the model was trained on"):
        evaluate(Settings(**{**vars(settings), "data": tmp_path / "more.npz"}))


def test_a_training_folder_is_read_into_a_file_not_into_memory(image_folder: Path) -> None:
    dataset = load_dataset(Settings(data=image_folder))
    assert isinstance(dataset.features.source, DiskArray)
    rows = np.array([5, 0, 119, 6, 7])
    from_disk = np.asarray(dataset.features[rows])
    in_memory = ImageRows(np.asarray(dataset.features))
    np.testing.assert_array_equal(from_disk, np.asarray(in_memory[rows]))
    mean, std = np.array([2.0], np.float32), np.array([4.0], np.float32)
    scaled = dataset.features[rows].scaled(mean, std)
    np.testing.assert_allclose(np.asarray(scaled), (from_disk - 2) / 4)


def test_reading_a_training_folder_keeps_memory_flat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading 600 images of 64x64 for training allocates, at its peak, less than half of
    what the images take as numbers: they go to a file, a batch at a time (the bench
    measures whole trainings: make bench-data)."""
    folder = write_image_folder(tmp_path / "many", per_class=300, size=64)
    monkeypatch.setattr(data_module, "READ_BATCH", 16)
    tracemalloc.start()  # NumPy reports its arrays to it
    try:
        dataset = load_dataset(Settings(data=folder))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    pixels = int(np.prod(dataset.features.shape)) * 4
    assert pixels == 600 * 64 * 64 * 4
    assert peak < pixels / 2, f"{peak} bytes allocated for {pixels} bytes of images"
