"""Write the sample inputs each generated project ships in `samples/`, from the datasets bundled
with scikit-learn: what `make predict` scores when no INPUT is given.

- tables (`<dataset>.csv`): the last 10 rows of the dataset, its feature columns only;
- images (`digits/`): one 8x8 PNG file per digit, the last of each in the dataset, its 4-bit
  values (0..16) written as 8-bit ones (0..255), which is how the project reads image files.

The datasets are those the frameworks' facts files name. Run it from the template's root with
scikit-learn, pandas and Pillow installed (a CNN project's .venv has them all):
`python -m scripts.make_samples`; it rewrites `{{cookiecutter.project_slug}}/_samples/`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from sklearn import datasets

from tooling.facts import load_frameworks

SAMPLES = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "_samples"
ROWS = 10


def main() -> None:
    """A sample of every dataset the frameworks' facts files name."""
    models = [model for facts in load_frameworks().values() for model in facts["models"].values()]
    SAMPLES.mkdir(exist_ok=True)
    for name in sorted({model["dataset"] for model in models if model["inputs"] == "tables"}):
        features = getattr(datasets, f"load_{name}")(as_frame=True).data
        features.tail(ROWS).to_csv(SAMPLES / f"{name}.csv", index=False)
    for name in sorted({model["dataset"] for model in models if model["inputs"] == "images"}):
        if name != "digits":
            raise SystemExit(f"ERROR: no sample writer for the image dataset {name!r}; add one here")
        write_digits()


def write_digits() -> None:
    digits = datasets.load_digits()
    folder = SAMPLES / "digits"
    folder.mkdir(exist_ok=True)
    for digit in range(10):
        last = np.flatnonzero(digits.target == digit)[-1]
        pixels = np.round(digits.images[last] * 255 / 16).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"digit-{digit}.png")


if __name__ == "__main__":
    main()
