"""Image size, build and training-time figures for each variant's image, as ratios.

For every framework x model x Python version that the template accepts (CPU builds) it prints:
- size: the image size in MB and its ratio to the floor (base image + installed dependencies,
  i.e. the size of /opt/venv inside the image); target <= 1.10;
- cold build time (no layer cache, empty pip cache) and the rebuild time after a one-line code
  edit; target <= 3 s;
- training wall time in the container divided by the same training on the host with the same
  dependencies, each measured by the same clock around the command where it runs; medians of
  interleaved runs; target <= 1.15. Also the whole `docker run` against the host training, and
  what `docker run` adds around the training (creating, starting and removing the container),
  a fixed cost that weighs on a training of a second or two.

With --cuda-comparison it prints instead the size of a PyTorch project's image with the
CPU build of torch against the same project's image with PyPI's CUDA build
(`_frameworks/pytorch/requirements-gpu.txt`, about 2.7 GB of wheels), in total and for the
torch, nvidia-*, triton and cuda-* packages alone; target: the CPU image at least 5x smaller.

The images are removed after each variant, but the engine's build cache keeps their layers: a
few GB per PyTorch or TensorFlow variant, over 10 GB for the CUDA image. The bench drops that
cache only where MLDT_DISPOSABLE_ENGINE=1 (as .ci/run sets it); elsewhere the engine may be
shared, and `docker builder prune` reclaims it.

Run with `make bench` (needs a Docker engine: `bash .ci/install-docker.sh`), or from the
repository root, e.g. `.venv/bin/python -m bench.docker_bench --framework pytorch --rounds 3`.
"""

from __future__ import annotations

import argparse
import fnmatch
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cookiecutter.main import cookiecutter

from local_extensions import FRAMEWORKS
from tooling import TEMPLATE, base_image, docker_engine, wheel_server, wheelhouse
from tooling.commands import run
from tooling.pythons import require_python
from tooling.variants import accepted

DOCKER = docker_engine.docker_command()
BUILT: list[str] = []  # image ids this run made, removed at the end
QUESTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())


def run_timed(
    command: list[str], cwd: Path | None = None, environment: dict[str, str] | None = None
) -> tuple[float, str]:
    """Run ``command``, stop the bench if it fails; (wall seconds, its stderr)."""
    started = time.perf_counter()
    done = run(command, cwd, environment=environment)
    return time.perf_counter() - started, done.stderr


# The same clock around the training command on the host and inside the container, so the
# ratio compares the training itself; `docker run`'s own start and stop are measured apart.
TIMED = 'start=$(date +%s%N); "$@"; status=$?; echo "elapsed_ns=$(($(date +%s%N) - start))" >&2; exit $status'


def timed_inside(
    command: list[str], cwd: Path | None = None, environment: dict[str, str] | None = None
) -> tuple[float, float]:
    """Run a TIMED command: (seconds inside the timer, seconds for the whole command)."""
    whole, stderr = run_timed(command, cwd, environment)
    return int(stderr.rpartition("elapsed_ns=")[2].split()[0]) / 1e9, whole


def timed_build(project: Path, tag: str, url: str, *flags: str) -> float:
    """Seconds `docker build` took; the image is removed at the end."""
    started = time.perf_counter()
    docker_engine.build(project, tag, url, *flags)
    elapsed = time.perf_counter() - started
    BUILT.append(docker_engine.image_id(tag))  # each rebuild leaves the previous image untagged
    return elapsed


def image_size(tag: str) -> int:
    return int(run([*DOCKER, "image", "inspect", "--format", "{{.Size}}", tag]).stdout)


def venv_size(tag: str) -> int:
    du = run([*DOCKER, "run", "--rm", "--network", "none", "--entrypoint", "du", tag, "-sb", "/opt/venv"])
    return int(du.stdout.split()[0])


def host_venv(project: Path, framework: str, version: str, url: str, work: Path) -> Path:
    """A host virtualenv with the project's pinned requirements, from the same wheel folder.

    --no-index also ignores the --extra-index-url line of PyTorch's requirements.txt.
    """
    python = require_python(version)
    venv = work / f"venv-{framework}-{version}"  # the same requirements for every model
    if venv.exists():
        return venv / "bin/python"
    run([python, "-m", "venv", venv])
    install: list[str | Path] = [venv / "bin/pip", "install", "-q", "--no-index", "--find-links", url]
    run([*install, "-r", project / "requirements.txt"], env={"PIP_RETRIES": "0"})
    return venv / "bin/python"


def bake(framework: str, model: str, version: str, output_dir: Path) -> Path:
    answers = {"framework": framework, "model": model, "python_version": version}
    return Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output_dir), extra_context=answers))


def remove_built() -> None:
    """Remove the images this run built; on a disposable engine, their build cache too."""
    if BUILT:
        docker_engine.remove_images(BUILT)
        BUILT.clear()
        docker_engine.prune_build_cache_if_disposable()


def bench_variant(framework: str, model: str, version: str, rounds: int, work: Path) -> dict:
    name = f"{framework}-{model}-{version}"
    project = bake(framework, model, version, work / name)
    base = base_image.ensure_python_base_image(version)
    wheels = wheelhouse.download_wheels([project / "requirements.txt"], version)
    tag = f"mldt-bench/{framework}-{model}:{version}"
    with wheel_server.serve_directory(wheels) as url:
        docker_engine.prune_cache_mounts()  # a cold build installs every wheel from the folder
        cold = timed_build(project, tag, url, "--no-cache")
        edited = next(project.glob("src/*/train.py"))
        rebuilds = []
        for index in range(rounds):
            edited.write_text(edited.read_text() + f"# edit {index}\n")
            rebuilds.append(timed_build(project, tag, url))
        python = host_venv(project, framework, version, url, work)

    out = work / f"out-{name}"
    out.mkdir()
    module = project.name.replace("-", "_")
    train_args = ["-m", module, "train"]
    host_cmd = ["sh", "-c", TIMED, "sh", str(python), *train_args]
    host_cmd += ["--models-dir", f"{out}/h-models", "--reports-dir", f"{out}/h-reports"]
    user = f"{os.getuid()}:{os.getgid()}"  # as `make docker-train` runs it
    docker_run = [*DOCKER, "run", "--rm", "--network", "none", "--user", user, "-v", f"{out}:/out"]
    container_cmd = [*docker_run, "--entrypoint", "sh", tag, "-c", TIMED, "sh", "python", *train_args]
    container_cmd += ["--models-dir", "/out/c-models", "--reports-dir", "/out/c-reports"]
    host_env = {"PYTHONPATH": str(project / "src"), "MPLCONFIGDIR": str(work), "PATH": "/usr/bin:/bin"}
    timed_inside(host_cmd, project, host_env)  # warm-up: page cache, first-run imports
    timed_inside(container_cmd)
    times: dict[str, list[float]] = {"host": [], "container": [], "docker_run": []}
    for _ in range(rounds):  # interleaved, so both see the same machine load
        times["host"].append(timed_inside(host_cmd, project, host_env)[0])
        inside, whole = timed_inside(container_cmd)
        times["container"].append(inside)
        times["docker_run"].append(whole)
    size, floor = image_size(tag), image_size(base) + venv_size(tag)
    remove_built()

    def ratio(numerators: list[float]) -> float:
        return statistics.median(n / h for n, h in zip(numerators, times["host"], strict=True))

    return {
        "variant": f"{framework} {model} py{version}",
        "size_mb": size / 1e6,
        "size_ratio": size / floor,
        "cold_build_s": cold,
        "rebuild_s": statistics.median(rebuilds),
        "host_train_s": statistics.median(times["host"]),
        "container_train_s": statistics.median(times["container"]),
        "train_ratio": ratio(times["container"]),
        "docker_run_ratio": ratio(times["docker_run"]),
        "docker_overhead_s": statistics.median(
            whole - inside for whole, inside in zip(times["docker_run"], times["container"], strict=True)
        ),
    }


# The packages of PyTorch's CUDA build, by top-level name in site-packages (with their .dist-info).
TORCH_PACKAGES = {
    "torch": ["torch", "torch-*", "torchgen", "functorch"],
    "nvidia": ["nvidia", "nvidia_*"],
    "triton": ["triton", "triton-*"],
    "cuda*": ["cuda*"],
}


def torch_package_sizes(tag: str) -> dict[str, int]:
    """Bytes under /opt/venv's site-packages for each group of TORCH_PACKAGES, measured by du."""
    listing = "cd /opt/venv/lib/python*/site-packages && du -sb *"
    out = run([*DOCKER, "run", "--rm", "--network", "none", "--entrypoint", "sh", tag, "-c", listing])
    sizes = dict.fromkeys(TORCH_PACKAGES, 0)
    for line in out.stdout.splitlines():
        size, entry = line.split("\t", 1)
        for group, patterns in TORCH_PACKAGES.items():
            if any(fnmatch.fnmatch(entry, pattern) for pattern in patterns):
                sizes[group] += int(size)
    return sizes


def cuda_comparison(work: Path) -> None:
    """Print the PyTorch CPU image against the same project's image with PyPI's CUDA build of torch."""
    version = "3.11"
    base_image.ensure_python_base_image(version)
    pytorch_files = TEMPLATE / "{{cookiecutter.project_slug}}" / "_frameworks" / "pytorch"
    rows: dict[str, dict[str, float]] = {}
    for build_name in ("CPU", "CUDA"):
        project = bake("pytorch", "linear", version, work / f"cuda-comparison-{build_name}")
        if build_name == "CUDA":  # the same project and Dockerfile, only the pins differ
            cuda_pins = pytorch_files / FRAMEWORKS["pytorch"]["builds"]["gpu"]["requirements"]
            shutil.copyfile(cuda_pins, project / "requirements.txt")
        wheels = wheelhouse.download_wheels([project / "requirements.txt"], version)
        tag = f"mldt-bench/pytorch-linear-{build_name.lower()}:{version}"
        with wheel_server.serve_directory(wheels) as url:
            docker_engine.prune_cache_mounts()
            seconds = timed_build(project, tag, url, "--no-cache")
        sizes = torch_package_sizes(tag)
        size, torch_related = image_size(tag), sum(sizes.values())
        rows[build_name] = {"size": size, **sizes, "torch-related": torch_related}
        rows[build_name] |= {"rest": size - torch_related, "build_s": seconds}
    remove_built()

    print(f"\nPyTorch linear py{version}, one project and Dockerfile: torch's CPU build and its CUDA build")
    columns = ["image", "size MB", *(f"{group} MB" for group in TORCH_PACKAGES), "torch-related MB"]
    columns += ["rest of the image MB", "cold build s"]
    print("| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|")
    for build_name, row in rows.items():
        megabytes = [f"{value / 1e6:.0f}" for key, value in row.items() if key != "build_s"]
        cells = [build_name, *megabytes, f"{row['build_s']:.1f}"]
        print("| " + " | ".join(cells) + " |")
    cpu, cuda = rows["CPU"], rows["CUDA"]
    ratios = {key: cuda[key] / cpu[key] for key in ("size", "torch-related", "rest")}
    print(
        f"CUDA / CPU: whole image {ratios['size']:.2f}x, torch-related packages "
        f"{ratios['torch-related']:.2f}x, rest of the image {ratios['rest']:.2f}x"
    )
    print("target: the CPU image at least 5x smaller than the CUDA image (whole image CUDA / CPU >= 5)")


def print_table(variants: list[tuple[str, str, str]], rounds: int, work: Path) -> None:
    columns = ["variant", "size MB", "size / floor", "cold build s", "code-edit rebuild s"]
    columns += ["host train s", "container train s", "container / host"]
    columns += ["docker run / host", "docker run start + stop s"]
    print("| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|")
    for framework, model, version in variants:
        row = bench_variant(framework, model, version, rounds, work)
        cells = [row["variant"], f"{row['size_mb']:.0f}", f"{row['size_ratio']:.3f}"]
        cells += [f"{row['cold_build_s']:.1f}", f"{row['rebuild_s']:.2f}", f"{row['host_train_s']:.2f}"]
        cells += [f"{row['container_train_s']:.2f}", f"{row['train_ratio']:.3f}"]
        cells += [f"{row['docker_run_ratio']:.3f}", f"{row['docker_overhead_s']:.2f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print("targets: size / floor <= 1.10, code-edit rebuild <= 3 s, container / host <= 1.15")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed repetitions (default: 5)")
    parser.add_argument("--framework", choices=QUESTIONS["framework"], action="append", help="default: all")
    parser.add_argument("--model", choices=QUESTIONS["model"], action="append", help="default: all")
    parser.add_argument("--python", choices=QUESTIONS["python_version"], action="append", help="default: all")
    parser.add_argument(
        "--cuda-comparison",
        action="store_true",
        help="instead of the table: PyTorch's CPU image against its CUDA build (downloads ~2.7 GB)",
    )
    args = parser.parse_args()
    problem = docker_engine.engine_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    combinations = itertools.product(
        args.framework or QUESTIONS["framework"],
        args.model or QUESTIONS["model"],
        args.python or QUESTIONS["python_version"],
    )
    variants = [
        (framework, model, version)
        for framework, model, version in combinations
        if accepted({"framework": framework, "model": model, "python_version": version})
    ]
    if not variants and not args.cuda_comparison:
        print("error: the template accepts none of these combinations", file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="mldt-bench-") as scratch:
            if args.cuda_comparison:
                cuda_comparison(Path(scratch))
            else:
                print_table(variants, args.rounds, Path(scratch))
    finally:
        remove_built()  # also the images of a variant that failed half-way
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
