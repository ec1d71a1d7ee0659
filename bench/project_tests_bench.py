"""How long each generated project's own `make test` takes, and whether it passes every run.

For every framework x model (REST serving, which has the most tests), bakes the project,
`git init` and `make install` as its user would, then runs `make test` `--rounds` times and
prints, per model, the median wall time, the tests it ran and the runs that passed. The target
is at most 60 s on two cores, and no run failing. Run with `make bench-project-tests` (no
Docker needed), about 30 minutes on two cores with the default 2 rounds; `--rounds 10 --model
cnn` checks that the slowest ones pass ten runs in a row.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

from local_extensions import FRAMEWORKS
from tooling import TEMPLATE
from tooling.commands import run
from tooling.pythons import require_python

# PyTorch's CPU index, which its requirements name, is not reachable from here: no retries.
ENV = {**os.environ, "PIP_RETRIES": "0"}
MODELS = [
    {"framework": name, "model": model} for name, facts in FRAMEWORKS.items() for model in facts["models"]
]


def timed_test(project: Path) -> tuple[float, int, bool]:
    """One `make test`: its wall time, how many tests it ran, and whether all passed."""
    started = time.perf_counter()
    done = run(["make", "test"], project, check=False, environment=ENV)
    seconds = time.perf_counter() - started
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (passed|failed|error)", done.stdout)}
    return seconds, sum(counts.values()), done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="runs of make test per project (default 2)")
    parser.add_argument("--framework", action="append", choices=sorted(FRAMEWORKS), help="only these")
    parser.add_argument("--model", action="append", help="only these models")
    given = parser.parse_args()
    python = require_python("3.11")
    rows = []
    for answers in MODELS:
        if (given.framework and answers["framework"] not in given.framework) or (
            given.model and answers["model"] not in given.model
        ):
            continue
        name = f"{answers['framework']} {answers['model']}"
        with tempfile.TemporaryDirectory(prefix="mldt-project-tests-") as folder:
            context = {**answers, "ci": "none"}
            baked = cookiecutter(str(TEMPLATE), no_input=True, output_dir=folder, extra_context=context)
            project = Path(baked)
            run(["git", "init", "--quiet"], project)
            print(f"{name}: make install ...", file=sys.stderr)
            run(["make", "install", f"PYTHON={python}"], project, environment=ENV)
            results = []
            for round_ in range(given.rounds):
                print(f"{name}: make test, run {round_ + 1} of {given.rounds} ...", file=sys.stderr)
                results.append(timed_test(project))
        seconds = statistics.median(result[0] for result in results)
        passed = sum(result[2] for result in results)
        rows.append(f"| {name} | {seconds:.0f} | {max(r[1] for r in results)} | {passed} of {len(results)} |")
    print(f"`make test` of each generated project, on {os.cpu_count()} cores:\n")
    print("| model | make test s (median) | tests | runs passed |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
