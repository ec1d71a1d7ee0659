"""Users' images as people keep them: a folder per class of PNG files, and an .npz file.

Written by a baked project's own Python (it has NumPy and Pillow; the template's tests do
not need them): noisy drawings of a square ring or a cross, placed at random, 12x12 pixels,
with a few images of another size that training resizes. A CNN tells them apart; a model
that looks at single pixels does not.
"""

from __future__ import annotations

from pathlib import Path

from tooling.commands import run

# Quality on held-out images of the shapes.
SHAPES_BAR = ("accuracy", 0.85)
CLASSES = ("cross", "ring")

SCRIPT = r"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

kind, target, count, seed = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)


def draw(shape, size):
    pixels = rng.integers(0, 60, (size, size)).astype(np.uint8)
    side = size // 2
    top, left = (int(n) for n in rng.integers(0, size - side, 2))
    if shape == "ring":
        pixels[top : top + side, left : left + side] = 220
        pixels[top + 2 : top + side - 2, left + 2 : left + side - 2] = 30
    else:
        pixels[top + side // 2 - 1 : top + side // 2 + 1, left : left + side] = 220
        pixels[top : top + side, left + side // 2 - 1 : left + side // 2 + 1] = 220
    return pixels


shapes = [("cross", "ring")[i % 2] for i in range(count)]
if kind == "npz":
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez(target, X=np.stack([draw(shape, 12) for shape in shapes]), y=np.array(shapes))
else:
    for i, shape in enumerate(shapes):
        folder = target / shape if kind == "classes" else target
        folder.mkdir(parents=True, exist_ok=True)
        size = 24 if i % 25 == 0 else 12  # a few larger images: resized to 12x12
        Image.fromarray(draw(shape, size), mode="L").save(folder / f"{shape} {i:03d}.png")
"""


def write_images(project: Path, kind: str, target: Path, count: int, seed: int = 0) -> Path:
    """`kind`: "classes" (a folder per class), "flat" (one folder, to score) or "npz" (X, y)."""
    run([".venv/bin/python", "-c", SCRIPT, kind, str(target), str(count), str(seed)], project)
    return target
