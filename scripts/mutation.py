"""How many deliberate faults a baked project's own tests catch, per module (mutmut 3).

Bakes one project (default: the default answers), installs it as a user would
(`make install`), runs `mutmut run` over its package, then prints, for each module, the
mutants killed (a test failed, or timed out) out of those mutmut made, the score of the core
modules together (target: at least 85%), and writes the surviving mutants of the core
modules, with their diffs, to `<output>/survivors.txt` for review.

Run with `make mutation` (about 15 minutes on 2 cores), or `.venv/bin/python -m scripts.mutation`
from the repository root; `--keep DIR` keeps the project.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

from tooling import TEMPLATE
from tooling.commands import run
from tooling.pythons import require_python

MUTMUT = "mutmut==3.8.1"
# The modules that decide results, of every variant (a bake holds those its answers reach).
CORE = (
    "data",
    "tables",
    "images",
    "targets",
    "features",
    "task",
    "model",
    "estimator",
    "layers",
    "outputs",
    "network_training",
    "params",
    "train",
    "predict",
    "artifact",
    "files",
    # What the REST service answers with (serving=rest, the default).
    "columns",
    "scores",
    "payloads",
    "protocol",
    "served_model",
    "server",
    "onnx_engine",
    "framework_engine",
    "onnx_export",
    "preprocessing_onnx",
    "model_onnx",
)
TARGET = 0.85
CAUGHT = {"killed", "timeout"}
# `mutmut results --all true` prints "    package.module.x_function__mutmut_7: survived".
RESULT = re.compile(r"^\s*(?P<module>[\w.]+?)\.(?:x.|x_)\S*__mutmut_\d+: (?P<status>[\w ]+)$")


def score(project: Path, output: Path) -> float:
    results: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    survivors = []
    for line in run([".venv/bin/mutmut", "results", "--all", "true"], project).stdout.splitlines():
        match = RESULT.match(line)
        if match:
            module = match["module"].rsplit(".", 1)[-1]
            results[module][match["status"].strip()] += 1
            if module in CORE and match["status"].strip() not in CAUGHT:
                survivors.append(line.split(":")[0].strip())
    print("\n| module | killed | mutants | score |\n|---|---|---|---|")
    core_caught = core_total = 0
    for module, counts in sorted(results.items()):
        caught, total = sum(counts[s] for s in CAUGHT), sum(counts.values())
        marker = " (core)" if module in CORE else ""
        print(f"| {module}{marker} | {caught} | {total} | {caught / total:.1%} |")
        if module in CORE:
            core_caught, core_total = core_caught + caught, core_total + total
    core = core_caught / core_total
    print(f"| core modules | {core_caught} | {core_total} | {core:.1%} (target {TARGET:.0%}) |")
    with (output / "survivors.txt").open("w") as handle:
        for name in survivors:
            handle.write(run([".venv/bin/mutmut", "show", name], project).stdout + "\n")
    print(f"\n{len(survivors)} surviving core mutants, with diffs: {output / 'survivors.txt'}")
    return core


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", nargs="*", metavar="KEY=VALUE", help="answers to bake, e.g. model=svm")
    parser.add_argument("--keep", type=Path, help="bake into this folder and keep it")
    parser.add_argument("--max-children", type=int, default=2, help="parallel test runs")
    args = parser.parse_args()
    python = require_python("3.11")
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        output = args.keep or Path(scratch)
        output.mkdir(parents=True, exist_ok=True)
        context = dict(answer.split("=", 1) for answer in args.answers)
        project = Path(
            cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output), extra_context=context)
        )
        print(f"installing {project.name} ...", file=sys.stderr)
        run(["make", "install", f"PYTHON={python}"], project)
        run([".venv/bin/python", "-m", "pip", "install", "-q", MUTMUT], project)
        print("running mutmut (progress below) ...", file=sys.stderr)
        run([".venv/bin/mutmut", "run", "--max-children", str(args.max_children)], project, capture=False)
        core = score(project, Path.cwd() if args.keep is None else output)
    return 0 if core >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
