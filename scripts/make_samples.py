"""Write the sample inputs each generated project ships in `samples/`, from the datasets bundled
with scikit-learn: what `make predict` scores when no INPUT is given.

- tables (`<dataset>.csv`): the last 10 rows of the dataset, its feature columns only;
- images (`digits/`): one 8x8 PNG file per digit, the last of each in the dataset, its 4-bit
  values (0..16) written as 8-bit ones (0..255), which is how the project reads image files.

Run with the generated project's requirements installed (scikit-learn, pandas, Pillow):
`python scripts/make_samples.py`; it rewrites `{{cookiecutter.project_slug}}/_samples/`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from sklearn import datasets

SAMPLES = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "_samples"
ROWS = 10


def main() -> None:
    SAMPLES.mkdir(exist_ok=True)
    for name in ("breast_cancer", "diabetes", "digits"):
        features = getattr(datasets, f"load_{name}")(as_frame=True).data
        features.tail(ROWS).to_csv(SAMPLES / f"{name}.csv", index=False)
    digits = datasets.load_digits()
    folder = SAMPLES / "digits"
    folder.mkdir(exist_ok=True)
    for digit in range(10):
        last = np.flatnonzero(digits.target == digit)[-1]
        pixels = np.round(digits.images[last] * 255 / 16).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"digit-{digit}.png")


if __name__ == "__main__":
    main()
