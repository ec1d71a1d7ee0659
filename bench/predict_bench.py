"""Scoring and training figures for users' tables: time against a plain baseline, peak memory.

Bakes the default project, installs its pinned requirements in a virtualenv, makes tables of
N rows x 20 numeric columns, trains on a sample, then prints:

- predict time / baseline at 200,000 rows (target <= 1.5): `<package> predict` against the
  plainest scoring with the same libraries (pandas.read_csv of the whole file, the fitted
  preprocessing and model, DataFrame.to_csv), each timed inside its own process around the
  work only (imports excluded), interleaved, medians;
- peak resident memory of `predict` and of the baseline at 100,000 and 1,000,000 rows
  (predict reads in batches, so it should not grow with the file), and of `train`;
- what the table libraries add to the image: the installed size of pandas and pyarrow.

Run with `make bench-data` (no Docker needed), or `.venv/bin/python -m bench.predict_bench` from
the repository root; about 3 minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from tooling.commands import run
from tooling.installed_project import ENV, bake_and_install
from tooling.pythons import require_python

COLUMNS = 20

MAKE_TABLE = f"""
import sys, numpy as np, pandas as pd
rows, path = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(rows)
names = [f"x{{i}}" for i in range({COLUMNS})]
frame = pd.DataFrame(rng.normal(size=(rows, {COLUMNS})).round(6), columns=names)
frame["label"] = np.where(frame.x0 + frame.x1 > 0, "yes", "no")
frame.to_csv(path, index=False)
"""

# Each job prints the seconds its work took and its peak resident memory in MB.
MEASURE = """
import json, resource, sys, time
from pathlib import Path
{imports}
started = time.perf_counter()
{work}
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak}}))
"""
JOBS = {
    "predict": (
        "import logging\nfrom {package}.predict import predict_file\nlogging.disable()",
        "predict_file(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))",
    ),
    "baseline": (
        "import json, joblib, pandas as pd",
        "models = Path(sys.argv[3])\n"
        "features = list(json.loads((models / 'model.json').read_text())['feature_types'])\n"
        "preprocessing = joblib.load(models / 'preprocessing.joblib')\n"
        "model = joblib.load(models / 'model.joblib')\n"
        "frame = pd.read_csv(sys.argv[1])\n"
        "frame['prediction'] = model.predict(preprocessing.transform(frame[features]))\n"
        "frame.to_csv(sys.argv[2], index=False)",
    ),
    "train": (
        "import logging\nfrom {package}.config import Settings\nfrom {package}.train import train\n"
        "logging.disable()",
        "train(Settings(data=Path(sys.argv[1]), target='label', models_dir=Path(sys.argv[3]), "
        "reports_dir=Path(sys.argv[2]).parent / 'reports'))",
    ),
}


def measure(python: str, package: str, job: str, *args: Path) -> dict[str, float]:
    imports, work = JOBS[job]
    script = MEASURE.format(imports=imports.format(package=package), work=work)
    return json.loads(run([python, "-c", script, *args], environment=ENV).stdout.splitlines()[-1])


def installed_mb(python: str, *distributions: str) -> float:
    script = (
        "import sys\nfrom importlib.metadata import distribution\n"
        "total = 0\nfor name in sys.argv[1:]:\n"
        "    for file in distribution(name).files:\n"
        "        path = file.locate()\n"
        "        total += path.stat().st_size if path.is_file() else 0\n"
        "print(total / 1e6)"
    )
    return float(run([python, "-c", script, *distributions], environment=ENV).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds at 200k rows")
    args = parser.parse_args()
    python = require_python("3.11")
    with tempfile.TemporaryDirectory(prefix="predict-bench-") as tmp:
        work = Path(tmp)
        _, package, venv_python = bake_and_install(python, work, {})

        tables = {}
        for rows in (20_000, 100_000, 200_000, 1_000_000):
            tables[rows] = work / f"rows{rows}.csv"
            print(f"writing {rows} rows ...", file=sys.stderr)
            run([venv_python, "-c", MAKE_TABLE, str(rows), tables[rows]], environment=ENV)
        models, output = work / "models", work / "out" / "scored.csv"
        output.parent.mkdir()
        measure(venv_python, package, "train", tables[20_000], output, models)

        timings: dict[str, list[float]] = {"predict": [], "baseline": []}
        for _ in range(args.rounds):
            for job in timings:
                measured = measure(venv_python, package, job, tables[200_000], output, models)
                timings[job].append(measured["seconds"])
        predict_s, baseline_s = (statistics.median(timings[job]) for job in ("predict", "baseline"))
        print(f"\n200,000 rows x {COLUMNS} columns, {args.rounds} interleaved rounds (medians):")
        print(f"  predict {predict_s:.2f} s, baseline {baseline_s:.2f} s: ratio {predict_s / baseline_s:.2f}")

        print("\n| rows | predict s | predict peak MB | baseline peak MB | train s | train peak MB |")
        print("|---|---|---|---|---|---|")
        for rows in (100_000, 1_000_000):
            scored = measure(venv_python, package, "predict", tables[rows], output, models)
            base = measure(venv_python, package, "baseline", tables[rows], output, models)
            trained = measure(venv_python, package, "train", tables[rows], output, work / f"m{rows}")
            print(
                f"| {rows:,} | {scored['seconds']:.1f} | {scored['peak_mb']:.0f} | {base['peak_mb']:.0f} "
                f"| {trained['seconds']:.1f} | {trained['peak_mb']:.0f} |"
            )
        print(f"\npandas + pyarrow installed: {installed_mb(venv_python, 'pandas', 'pyarrow'):.0f} MB")


if __name__ == "__main__":
    main()
