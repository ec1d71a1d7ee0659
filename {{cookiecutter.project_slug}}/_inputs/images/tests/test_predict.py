"""Classifying images: one CSV row per image, from an .npz file or a folder, in batches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }} import predict
from {{ cookiecutter.package_name }}.artifact import load_artifact
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.predict import predict_file, score, top_class

from .conftest import shape_image


def test_an_npz_file_is_scored_row_by_row(
    trained: tuple[Settings, dict[str, Any]], digits_npz: Path, tmp_path: Path
) -> None:
    settings, _ = trained
    assert predict_file(digits_npz, tmp_path / "out.csv", settings.models_dir) == 1797
    scored = pd.read_csv(tmp_path / "out.csv", dtype={"prediction": str})
    assert list(scored.columns) == ["id", "prediction", "probability"]
    assert scored["id"].tolist() == list(range(1797))
    dataset = load_dataset(Settings())
    assert (scored["prediction"] == dataset.target).mean() >= 0.5  # a quick model; chance is 0.1
    in_memory = score(load_artifact(settings.models_dir), dataset.features)
    classes = [f"probability_{label}" for label in map(str, range(10))]
    assert list(in_memory.columns) == ["prediction", *classes]
    np.testing.assert_allclose(in_memory[classes].sum(axis=1), 1.0, atol=1e-5)
    expected = top_class(in_memory)
    pd.testing.assert_frame_equal(scored[["prediction", "probability"]], expected, atol=1e-6)
    assert scored["probability"].between(0.1, 1.0).all()  # the top class of ten
    nothing = score(load_artifact(settings.models_dir), dataset.features[:0])
    assert nothing.empty and list(nothing.columns) == ["prediction", *classes]


def test_a_folder_is_scored_image_by_image(
    trained: tuple[Settings, dict[str, Any]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings, _ = trained
    folder = tmp_path / "new"
    (folder / "batch 2").mkdir(parents=True)
    rng = np.random.default_rng(0)
    shape_image("ring", 8, rng).save(folder / "a.png")
    shape_image("cross", 8, rng).save(folder / "batch 2" / "b.jpg")
    shape_image("cross", 32, rng, colour=True).save(folder / "c.png")  # resized, made gray
    assert predict_file(folder, tmp_path / "out.csv", settings.models_dir) == 3
    scored = pd.read_csv(tmp_path / "out.csv", dtype={"prediction": str})
    assert scored["id"].tolist() == ["a.png", "batch 2/b.jpg", "c.png"]
    assert set(scored["prediction"]) <= {str(digit) for digit in range(10)}
    notes = [message for message in caplog.messages if message.startswith("note:")]
    assert notes == [  # the RGB 32x32 image is not silently read as the model's 8x8 grayscale
        "note: 1 image(s) of another size than the training images' 8x8 (32x32) read at 8x8",
        "note: 1 colour image(s) read in grayscale: the model was trained on grayscale images",
    ]


def test_the_shipped_digits_are_classified_as_the_model_was_trained(
    trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    """samples/digits/ holds PNG files of the bundled digits: read as image files are, to
    0..1, they match the bundled digits the model learned from."""
    settings, _ = trained
    samples = Path(__file__).resolve().parents[1] / "samples" / "digits"
    assert predict_file(samples, tmp_path / "out.csv", settings.models_dir) == 10
    scored = pd.read_csv(tmp_path / "out.csv", dtype={"prediction": str})
    correct = (scored["prediction"] == scored["id"].str[len("digit-")]).sum()
    assert correct >= 9, scored


def test_batches_give_the_same_output_as_one_pass(
    trained: tuple[Settings, dict[str, Any]],
    digits_npz: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _ = trained
    predict_file(digits_npz, tmp_path / "whole.csv", settings.models_dir)
    monkeypatch.setattr(predict, "BATCH_IMAGES", 7)
    predict_file(digits_npz, tmp_path / "batched.csv", settings.models_dir)
    whole, batched = (pd.read_csv(tmp_path / f"{n}.csv") for n in ("whole", "batched"))
    pd.testing.assert_frame_equal(batched, whole, atol=1e-6)


def test_outputs_that_are_no_csv_file_or_the_input_are_refused(
    trained: tuple[Settings, dict[str, Any]], digits_npz: Path, tmp_path: Path
) -> None:
    settings, _ = trained
    cases = [
        (tmp_path, "is a directory"),
        (tmp_path / "out.parquet", "predictions are written as CSV; name it .csv"),
    ]
    for output, message in cases:
        with pytest.raises(UserError, match=message):
            predict_file(digits_npz, output, settings.models_dir)
    copy = tmp_path / "input.csv"
    copy.write_bytes(b"")
    with pytest.raises(UserError, match="is the input file"):
        predict_file(copy, tmp_path / "." / "input.csv", settings.models_dir)


def test_a_failure_leaves_no_half_written_output(
    trained: tuple[Settings, dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _ = trained
    folder = tmp_path / "new"
    folder.mkdir()
    for number in range(5):
        shape_image("ring", 8, np.random.default_rng(number)).save(folder / f"{number}.png")
    (folder / "9.png").write_text("broken")  # the last file, in the second batch
    monkeypatch.setattr(predict, "BATCH_IMAGES", 2)
    with pytest.raises(UserError, match=r"9\.png is not a readable PNG, JPEG, TIFF or BMP image"):
        predict_file(folder, tmp_path / "out.csv", settings.models_dir)
    assert not (tmp_path / "out.csv").exists()


def test_npz_images_of_another_size_are_refused(
    trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    settings, _ = trained
    np.savez(tmp_path / "big.npz", X=np.zeros((3, 16, 16)))  # no y: it is not needed to score
    message = r"big\.npz: X holds images of 16x16x1 \(H x W x C\); the model takes 8x8x1"
    with pytest.raises(UserError, match=message):
        predict_file(tmp_path / "big.npz", tmp_path / "out.csv", settings.models_dir)
