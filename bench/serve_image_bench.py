"""The serving image against the training image of the same project: size, start-up to ready
and one-row latency, side by side.

For each variant of bench/serve_bench.py (every framework's default model, and the CNNs) on
Python 3.11, it bakes the project (serving=rest), builds its training image and its serving
image (the Dockerfile's `serve` stage: ONNX Runtime, the web stack and the package, none of
the training framework) offline from a wheel folder, and trains in the training image as
`make docker-train` does (which exports the model to ONNX). Then, in rounds alternating
between the two, each image serves the model read-only on a free 127.0.0.1 port: the serving
image with ONNX Runtime, the training image with its framework (SERVE_ENGINE=framework). It
measures the seconds from `docker run` to the first 200 of /v2/health/ready, and the one-row
(one-image) /predict latency at concurrency 1 (`--requests` over all rounds, after a warm-up).

It prints both images' sizes and the ratios, with the targets: the serving image at most 0.35x
the training image for PyTorch and TensorFlow and 0.6x for scikit-learn; start-up to ready at
most half the training image's; a one-row p50 no worse than the framework's. It asserts
nothing.

Run with `make bench-serve-image` (needs a Docker engine: `bash .ci/install-docker.sh`), or from
the repository root `.venv/bin/python -m bench.serve_image_bench --variants sklearn-logistic`.
The images are removed at the end; the engine's build cache keeps their layers.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

from bench.serve_bench import (
    EPOCHS,
    VARIANTS,
    Connection,
    Variant,
    get_json,
    http_request,
    instances,
    load,
    output_to_stderr,
    percentile,
)
from local_extensions import FRAMEWORKS
from tooling import TEMPLATE, base_image, docker_engine, wheel_server, wheelhouse
from tooling.commands import run
from tooling.loopback import free_port

DOCKER = docker_engine.docker_command()
PYTHON = "3.11"
READY_TIMEOUT_S = 300
# The two ways of serving: the image, and the engine it answers with.
SERVERS = {"serving image (ONNX Runtime)": "onnx", "training image (framework)": "framework"}
SIZE_TARGETS = {"sklearn": 0.6, "pytorch": 0.35, "tensorflow": 0.35}


def image_size(tag: str) -> int:
    return int(run([*DOCKER, "image", "inspect", "--format", "{{.Size}}", tag]).stdout)


def seconds_to_ready(port: int, started: float, container: str) -> float:
    """From `started` (just before `docker run`) to the first 200 of the readiness route."""
    deadline = started + READY_TIMEOUT_S
    while time.perf_counter() < deadline:
        connection = Connection(port)
        try:
            if connection.send(http_request(port, "GET", "/v2/health/ready"))[0] == 200:
                return time.perf_counter() - started
        except OSError:
            pass  # not listening yet
        finally:
            connection.close()
        time.sleep(0.05)
    logs = run([*DOCKER, "logs", container], check=False)
    raise SystemExit(
        f"{container} was not ready in {READY_TIMEOUT_S} s:\n{(logs.stdout + logs.stderr)[-3000:]}"
    )


def serve_once(
    variant: Variant, image: str, engine: str, models: Path, requests: int
) -> tuple[float, list[float]]:
    """One start of `image` serving the model: seconds to ready, and the one-row latencies."""
    port, container = free_port(), f"mldt-bench-{os.getpid()}-{engine}"
    command = [*DOCKER, "run", "--detach", "--rm", "--name", container, "--network", "host"]
    command += ["--read-only", "--tmpfs", "/tmp", "-v", f"{models}:/app/models:ro"]
    command += ["-e", "HOST=127.0.0.1", "-e", f"PORT={port}", "-e", f"SERVE_ENGINE={engine}", image]
    started = time.perf_counter()
    run(command)
    try:
        ready = seconds_to_ready(port, started, container)
        rows = instances(variant, get_json(port, f"/v2/models/{variant.slug}")["inputs"])
        one = [http_request(port, "POST", "/predict", {"instances": [row]}) for row in rows]
        load(port, one, 50, 1)  # warm-up
        measured = load(port, one, requests, 1)
        if measured.errors:
            raise SystemExit(f"{variant.name} on {image}: {measured.errors} requests not answered with 200")
        return ready, measured.latencies
    finally:
        run([*DOCKER, "rm", "--force", container], check=False)


def bench_variant(variant: Variant, work: Path, rounds: int, requests: int, built: list[str]) -> dict:
    answers = {"framework": variant.framework, "model": variant.model, "project_slug": variant.slug}
    print(f"{variant.name}: baking, building both images ...", file=sys.stderr)
    with output_to_stderr():
        variant.project = Path(
            cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(work), extra_context=answers)
        )
    base_image.ensure_python_base_image(PYTHON)
    wheels = wheelhouse.download_wheels([variant.project / "requirements.txt"], PYTHON)
    images = {"onnx": f"mldt-bench/{variant.slug}:serve", "framework": f"mldt-bench/{variant.slug}:train"}
    built.extend(images.values())
    with wheel_server.serve_directory(wheels) as url:
        docker_engine.build(variant.project, images["framework"], url)
        docker_engine.build(variant.project, images["onnx"], url, "--target", "serve")
    # The digits the CNN's requests send are read by the project's Python: the training image's.
    variant.python = str(work / f"python-in-{variant.slug}")
    Path(variant.python).write_text(
        f"#!/bin/sh\nexec {shlex.join(DOCKER)} run --rm --network none --entrypoint python "
        f'{images["framework"]} "$@"\n'
    )
    Path(variant.python).chmod(0o755)
    print(f"{variant.name}: training in the training image ...", file=sys.stderr)
    models = variant.project / "models"
    models.mkdir()
    params = ["--training.epochs", str(EPOCHS)] if FRAMEWORKS[variant.framework]["network"] else []
    user = f"{os.getuid()}:{os.getgid()}"
    mounted = ["--user", user, "-v", f"{models}:/app/models"]
    run([*DOCKER, "run", "--rm", "--network", "none", *mounted, images["framework"], "train", *params])
    ready: dict[str, list[float]] = {engine: [] for engine in images}
    latencies: dict[str, list[float]] = {engine: [] for engine in images}
    for number in range(rounds):  # alternating, so both see the same machine load
        print(f"{variant.name}: round {number + 1} of {rounds} ...", file=sys.stderr)
        for engine in SERVERS.values():
            seconds, measured = serve_once(variant, images[engine], engine, models, requests // rounds)
            ready[engine].append(seconds)
            latencies[engine] += measured
    sizes = {engine: image_size(tag) for engine, tag in images.items()}
    return {
        "sizes": sizes,
        "ready": {engine: statistics.median(values) for engine, values in ready.items()},
        "p50": {engine: percentile(values, 0.5) * 1000 for engine, values in latencies.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS), metavar="VARIANT")
    parser.add_argument("--rounds", type=int, default=5, help="starts of each image (default: 5)")
    parser.add_argument(
        "--requests", type=int, default=2000, help="one-row requests per image, over all rounds"
    )
    args = parser.parse_args()
    problem = docker_engine.engine_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    built: list[str] = []
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="mldt-serve-image-") as scratch:
            for name in args.variants:
                variant = Variant(name, *VARIANTS[name])
                rows.append(
                    (variant, bench_variant(variant, Path(scratch), args.rounds, args.requests, built))
                )
    finally:
        docker_engine.remove_images(built)
    print(
        f"\nPython {PYTHON}, {args.rounds} starts of each image alternating, {args.requests:,} one-row "
        "requests per image at concurrency 1 (loopback, one worker); medians of the starts:\n"
    )
    print(
        "| variant | serving image MB | training image MB | size ratio | ready s (serving) "
        "| ready s (training) | ready ratio | p50 ms (ONNX Runtime) | p50 ms (framework) | p50 ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    checks = []
    for variant, found in rows:
        sizes, ready, p50 = found["sizes"], found["ready"], found["p50"]
        size_ratio = sizes["onnx"] / sizes["framework"]
        ready_ratio, p50_ratio = ready["onnx"] / ready["framework"], p50["onnx"] / p50["framework"]
        megabytes = {engine: f"{size / 1e6:,.0f}" for engine, size in sizes.items()}
        print(
            f"| {variant.name} | {megabytes['onnx']} | {megabytes['framework']} | {size_ratio:.2f} "
            f"| {ready['onnx']:.2f} | {ready['framework']:.2f} | {ready_ratio:.2f} "
            f"| {p50['onnx']:.2f} | {p50['framework']:.2f} | {p50_ratio:.2f} |"
        )
        checks += [
            (f"{variant.name} image size ratio", size_ratio, SIZE_TARGETS[variant.framework]),
            (f"{variant.name} start-up to ready ratio", ready_ratio, 0.5),
            (f"{variant.name} one-row p50 ratio", p50_ratio, 1.0),
        ]
    print()
    for what, value, bar in checks:
        print(f"- {what}: {value:.2f}x (target <= {bar}x): {'met' if value <= bar else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
