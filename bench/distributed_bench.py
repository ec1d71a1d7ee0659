"""Distributed training against one process: wall time and final metric, measured in one run.

For the logistic model and the CNN of each network framework, bakes the project, installs
its pinned requirements in a virtualenv and trains it on its bundled dataset, alternately with
`make train` (one process) and `make train-distributed NPROC=2` (two processes under torchrun,
or two TensorFlow workers under MultiWorkerMirroredStrategy), and prints per model the median
wall time of each, their ratio and each one's held-out metric.

No speed-up is expected on a two-core machine: the point is that the code path that scales to
more cores, GPUs or machines gives the same model, within rounding, at a bounded cost. Run with
`make bench-distributed` (no Docker needed), about 15 minutes on two cores; `--rounds` sets
how many times each is trained (default 2).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from local_extensions import FRAMEWORKS
from tooling.commands import run
from tooling.installed_project import ENV, bake_and_install
from tooling.pythons import require_python
from tooling.variants import model_facts

# Each framework that trains distributed, with a model that spends its time in the exchange
# between processes (logistic: a step of a few microseconds) and one that computes (the CNN).
MODELS = [
    {"framework": name, "model": model}
    for model in ("logistic", "cnn")
    for name, facts in FRAMEWORKS.items()
    if facts["distributed"] and model in facts["models"]
]


def trained(project: Path, venv: Path, target: str, out: Path) -> tuple[float, dict]:
    """`make <target>` as a user runs it, writing into `out`: its wall time and metrics."""
    args = f"ARGS=--models-dir {out / 'models'} --reports-dir {out / 'reports'}"
    started = time.perf_counter()
    run(["make", target, f"VENV={venv}", "NPROC=2", args], project, environment=ENV)
    seconds = time.perf_counter() - started
    return seconds, json.loads((out / "reports" / "metrics.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="trainings of each kind (default 2)")
    parser.add_argument(
        "--framework", action="append", choices=sorted({m["framework"] for m in MODELS}), help="only these"
    )
    given = parser.parse_args()
    rounds, chosen = given.rounds, given.framework
    python = require_python("3.11")
    rows = []
    for answers in MODELS:
        if chosen and answers["framework"] not in chosen:
            continue
        with tempfile.TemporaryDirectory(prefix="mldt-distributed-") as folder:
            work = Path(folder)
            project, _, _ = bake_and_install(python, work, {**answers, "ci": "none"})
            metric = next(iter(model_facts(answers)["minimum"]))
            times: dict[str, list[float]] = {"train": [], "train-distributed": []}
            metrics: dict[str, float] = {}
            for round_ in range(rounds):
                for target in times:  # alternated, so that both see the same machine
                    print(f"{answers['framework']} {answers['model']}: {target} ...", file=sys.stderr)
                    seconds, found = trained(project, work / "venv", target, work / f"{target}-{round_}")
                    times[target].append(seconds)
                    metrics[target] = found[metric]
            one, two = (statistics.median(times[target]) for target in times)
            rows.append(
                f"| {answers['framework']} {answers['model']} | {one:.1f} | {two:.1f} | {two / one:.2f} "
                f"| {metric} {metrics['train']:.4f} | {metrics['train-distributed']:.4f} |"
            )
    print("| model | 1 process s | 2 processes s | ratio | metric, 1 process | 2 processes |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
