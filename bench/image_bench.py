"""Training on folders of large photos: peak memory and time at two numbers of images.

Bakes a CNN project (PyTorch by default), installs its pinned requirements in a virtualenv,
writes folders of 512x512 JPEG images (two classes of noisy drawings, like photos in size
and compression) at two counts, and trains on each with the project's CLI, in a process of its own, printing:

- its peak resident memory, which should not grow with the number of images: training reads
  a folder into a temporary file at the image size (64 pixels a side by default), a batch
  at a time, and takes its batches from there;
- the time of the whole run (reading the folder, training, writing the model and reports)
  and of the training itself (a few epochs: memory is what is measured, and each epoch reads
  every image), as the CLI runs them;
- the ratio of the larger folder's peak to the smaller one's (target: about 1.0).

Run with `make bench-data` (no Docker needed), or from the repository root
`.venv/bin/python -m bench.image_bench --framework tensorflow --counts 200 2000`; about 5 minutes
per framework on two cores.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from local_extensions import FRAMEWORKS
from tooling.commands import run
from tooling.installed_project import ENV, bake_and_install
from tooling.pythons import require_python

SIDE = 512

MAKE_FOLDER = f"""
import sys
from pathlib import Path
import numpy as np
from PIL import Image

count, folder = int(sys.argv[1]), Path(sys.argv[2])
rng = np.random.default_rng(count)
for number in range(count):
    kind = ("ring", "cross")[number % 2]
    pixels = rng.integers(0, 90, ({SIDE}, {SIDE}, 3)).astype(np.uint8)
    side = {SIDE} // 2
    top, left = (int(n) for n in rng.integers(0, {SIDE} - side, 2))
    if kind == "ring":
        pixels[top : top + side, left : left + side] = 220
        pixels[top + 24 : top + side - 24, left + 24 : left + side - 24] = 40
    else:
        middle = side // 2
        pixels[top + middle - 16 : top + middle + 16, left : left + side] = 220
        pixels[top : top + side, left + middle - 16 : left + middle + 16] = 220
    (folder / kind).mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(folder / kind / f"{{number:05d}}.jpg", quality=90)
"""


# Runs the package's CLI as `python -m <package>` does, and prints the process's peak resident
# memory when it exits.
LAUNCH = """
import atexit, resource, runpy, sys
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
atexit.register(lambda: print(f"peak_mb={peak()}", file=sys.stderr))
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


def train_measured(python: str, package: str, folder: Path, out: Path, epochs: str) -> dict[str, float]:
    """`<package> train --data folder` as a user runs it, in a process of its own: its wall
    time, the seconds it says training took, its peak resident memory and accuracy."""
    command = [python, "-c", LAUNCH, package, "train", "--data", str(folder)]
    command += ["--models-dir", str(out / "m"), "--reports-dir", str(out / "r")]
    command += ["--training.epochs", str(epochs), "--training.patience", str(epochs)]
    started = time.perf_counter()
    done = run(command, environment=ENV)
    wall = time.perf_counter() - started
    found = {
        name: float(match.group(1))
        for name, pattern in (("train_s", r"Trained in ([0-9.]+) s"), ("peak_mb", r"peak_mb=([0-9.]+)"))
        if (match := re.search(pattern, done.stderr))
    }
    return {"wall_s": wall, **found, "accuracy": json.loads(done.stdout)["accuracy"]}


# The frameworks with a model of images, and that model (from their facts files).
IMAGE_MODELS = {
    name: model
    for name, facts in FRAMEWORKS.items()
    for model, model_facts in facts["models"].items()
    if model_facts["inputs"] == "images"
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=IMAGE_MODELS, default=next(iter(IMAGE_MODELS)))
    parser.add_argument("--counts", type=int, nargs=2, default=[200, 2000], help="images per folder")
    parser.add_argument("--epochs", default="4", help="epochs of each training")
    args = parser.parse_args()
    python = require_python("3.11")
    with tempfile.TemporaryDirectory(prefix="image-bench-") as tmp:
        work = Path(tmp)
        answers = {"framework": args.framework, "model": IMAGE_MODELS[args.framework]}
        _, package, venv_python = bake_and_install(python, work, answers)

        rows = []
        for count in args.counts:
            folder = work / f"photos-{count}"
            print(f"writing {count} JPEG images of {SIDE}x{SIDE} ...", file=sys.stderr)
            run([venv_python, "-c", MAKE_FOLDER, str(count), folder], environment=ENV)
            print(f"training on {count} images ...", file=sys.stderr)
            rows.append((count, train_measured(venv_python, package, folder, work / str(count), args.epochs)))

        print(f"\n{args.framework} CNN, {SIDE}x{SIDE} JPEG images read at 64x64, {args.epochs} epochs:")
        print("\n| images | peak MB | whole run s | training s | accuracy |")
        print("|---|---|---|---|---|")
        for count, measured in rows:
            print(
                f"| {count:,} | {measured['peak_mb']:.0f} | {measured['wall_s']:.1f} "
                f"| {measured['train_s']:.1f} | {measured['accuracy']:.3f} |"
            )
        (small, first), (large, second) = rows
        print(
            f"\npeak memory at {large:,} images / at {small:,}: "
            f"{second['peak_mb'] / first['peak_mb']:.2f} (target: about 1.0)"
        )


if __name__ == "__main__":
    main()
