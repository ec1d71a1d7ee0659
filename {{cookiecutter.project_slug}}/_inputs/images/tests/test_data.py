"""Reading images: the bundled digits, .npz files and class folders, and every refusal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import MIN_ROWS, load_dataset
from {{ cookiecutter.package_name }}.errors import UserError

from .conftest import shape_image, write_image_folder


def test_the_bundled_digits_are_8x8_grayscale_images() -> None:
    dataset = load_dataset(Settings())
    assert dataset.features.shape == (1797, 8, 8, 1)
    assert np.asarray(dataset.features).dtype == np.float32
    assert sorted(set(dataset.target)) == [str(digit) for digit in range(10)]
    assert dataset.description() == {
        "image_shape": [8, 8, 1],
        "source_size": [8, 8],
        "pixel_range": [0.0, 1.0],  # 16 levels brought to 0..1, as image files are read
        "target_name": "label",
    }
    assert dataset.n_features == 64


def test_an_npz_file_gives_the_same_images_and_labels(digits_npz: Path) -> None:
    loaded, bundled = load_dataset(Settings(data=digits_npz)), load_dataset(Settings())
    np.testing.assert_array_equal(loaded.features, bundled.features)
    assert list(loaded.target) == list(bundled.target)
    assert (loaded.name, loaded.source) == ("digits.npz", digits_npz)


def test_colour_images_in_an_npz_file_keep_their_channels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "rgb.npz", X=rng.integers(0, 255, (12, 6, 5, 3)), y=["a", "b"] * 6)
    dataset = load_dataset(Settings(data=tmp_path / "rgb.npz"))
    assert dataset.image_shape == [6, 5, 3] and list(dataset.target[:2]) == ["a", "b"]


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"images": np.zeros((12, 4, 4))}, "has no array named X; it holds: images"),
        ({"X": np.zeros((12, 4, 4))}, "has no array named y"),
        ({"X": np.zeros((12, 16)), "y": np.zeros(12)}, "X has shape (12, 16); expected N x H x W"),
        ({"X": np.zeros((12, 4, 4)), "y": np.zeros(11)}, "y has shape (11,); expected one label"),
        (
            {"X": np.full((12, 4, 4), "a"), "y": np.zeros(12)},
            "X holds <U1 values; expected numbers",
        ),
        ({"X": np.full((12, 4, 4), np.inf), "y": np.zeros(12)}, "X[0] holds a value that is not"),
        (
            {"X": np.zeros((5, 4, 4)), "y": np.zeros(5)},
            f"has 5 images; training needs at least {MIN_ROWS}",
        ),
        (
            {"X": np.zeros((12, 1, 4)), "y": np.zeros(12)},
            "images of 1x4 are too small (at least 2x2)",
        ),
    ],
)
def test_npz_files_that_cannot_train_say_why(
    arrays: dict[str, np.ndarray], message: str, tmp_path: Path
) -> None:
    np.savez(tmp_path / "bad.npz", **arrays)  # type: ignore[arg-type]
    with pytest.raises(UserError) as raised:
        load_dataset(Settings(data=tmp_path / "bad.npz"))
    assert message in str(raised.value) and "bad.npz" in str(raised.value)


def test_a_file_that_is_not_an_npz_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken.npz").write_text("not a zip file")
    with pytest.raises(UserError, match=r"broken\.npz is not a readable \.npz file"):
        load_dataset(Settings(data=tmp_path / "broken.npz"))
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    with pytest.raises(UserError, match=r"table\.csv is not an \.npz file or a folder"):
        load_dataset(Settings(data=tmp_path / "table.csv"))
    with pytest.raises(UserError, match=r"data file not found: missing\.npz"):
        load_dataset(Settings(data=Path("missing.npz")))


def test_a_target_column_is_refused_for_images(digits_npz: Path) -> None:
    with pytest.raises(UserError, match="--target is for tables"):
        load_dataset(Settings(data=digits_npz, target="y"))


def test_a_folder_takes_its_labels_from_the_class_folders(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "shapes", per_class=6)
    (folder / "notes.txt").write_text("not an image")  # other files are left alone
    dataset = load_dataset(Settings(data=folder))
    assert dataset.features.shape == (12, 16, 16, 1)
    assert list(dataset.target) == ["cross"] * 6 + ["ring"] * 6


def test_images_of_other_sizes_are_resized_to_the_common_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_image_folder(tmp_path / "shapes", per_class=6)
    shape_image("ring", 24, np.random.default_rng(1), colour=True).save(folder / "ring" / "big.png")
    dataset = load_dataset(Settings(data=folder))
    assert dataset.image_shape == [16, 16, 3]  # one colour image: all are read as colour
    assert caplog.messages[:2] == [
        "note: 1 image(s) of another size than the usual 16x16 (24x24) read at 16x16",
        "note: 12 grayscale image(s) read in colour: the folder holds colour images",
    ]


def test_an_image_outside_the_class_folders_is_named(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "shapes", per_class=6)
    (folder / "ring" / "ring-000.png").replace(folder / "loose.png")
    with pytest.raises(UserError, match=r"loose\.png is not in a class folder"):
        load_dataset(Settings(data=folder))


def test_a_file_that_is_not_an_image_is_named(tmp_path: Path) -> None:
    folder = write_image_folder(tmp_path / "shapes", per_class=6)
    (folder / "ring" / "broken.png").write_text("not a png")
    with pytest.raises(UserError, match=r"broken\.png is not a readable PNG, JPEG, TIFF or BMP"):
        load_dataset(Settings(data=folder))


def test_an_empty_folder_says_what_it_expects(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    Image.new("L", (4, 4)).save(tmp_path / "empty.gif")  # not a format that is read
    with pytest.raises(UserError, match=r"empty/ holds no PNG, JPEG, TIFF or BMP images in class"):
        load_dataset(Settings(data=tmp_path / "empty"))
