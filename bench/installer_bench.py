"""Cold image build with pip against uv as the installer of the builder stage, as ratios.

For each framework (PyTorch and TensorFlow with the cnn model, and the default scikit-learn
project; Python 3.11) it builds the generated Dockerfile, whose builder stage runs
`pip install --requirement`, and a variant of it that installs the same requirements.txt with
`uv pip install` (uv itself installed from the same wheel folder, bytecode compiled as pip does,
the venv made by `python -m venv` as before). Every build is cold: `--no-cache` after pruning
BuildKit's cache mounts. Builds alternate pip, uv, uv, pip, ... so that both see the same
machine load. It prints a markdown table with, per framework, medians in seconds and the median
of the per-round ratios uv / pip for:

- the whole cold build (wall time of `docker build`);
- the install step alone (the RUN that installs requirements.txt, as BuildKit times it);
- the builder stage (all its steps; for uv this includes installing uv).

The first round also checks that the uv image is the same image: `train` runs in both
(`--network none`), and `pip list` in /opt/venv, the number of .pyc files and the size of
/opt/venv are compared; one line per framework says what it found, with each round's times.

Run from the repository root: `.venv/bin/python -m bench.installer_bench` (needs a Docker
engine: `bash .ci/install-docker.sh`); about 30 minutes on 2 cores with the default rounds.
Each cold build leaves its layers in BuildKit's build cache (about 3 GB for PyTorch, 5 GB
for TensorFlow), which `--no-cache` does not reuse. On a shared engine that cache cannot be
told apart from other builds'; so give the bench an engine of its own, e.g.
`dockerd --data-root DIR --exec-root DIR2 -H unix:///PATH.sock --bridge=none --iptables=false`,
and run with `DOCKER_HOST=unix:///PATH.sock ... --prune-build-cache`, which prunes that
engine's whole build cache after each build.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

from local_extensions import FRAMEWORKS
from tooling import TEMPLATE, base_image, docker_engine, wheel_server, wheelhouse
from tooling.commands import run

DOCKER = docker_engine.docker_command()
# The engine used when DOCKER_HOST names none (docker_engine.build passes DOCKER_HOST on).
DEFAULT_ENGINE = "unix:///var/run/docker.sock"
PYTHON = "3.11"
UV_VERSION = "0.13.8"
# Each framework's project (its first model: the framework's pins are the same for each).
PROJECTS = {name: {"framework": name, "model": next(iter(f["models"]))} for name, f in FRAMEWORKS.items()}
INSTALLERS = ("pip", "uv")
BUILT: set[str] = set()  # image ids this run made, removed at the end

# The generated builder stage, and what the uv variant puts in its place. uv reads no PIP_*
# variable: the index settings are mapped by hand (UV_FIND_LINKS is comma-separated where
# PIP_FIND_LINKS is space-separated, and uv has no variable for --no-index). uv's default
# index strategy (first-index) would take numpy and others only from the --extra-index-url
# that PyTorch's requirements.txt names; unsafe-best-match is pip's behaviour. The cache
# mount is another filesystem than the layer, so uv copies instead of hard-linking.
PIP_ENV = "ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n    PIP_ROOT_USER_ACTION=ignore\n"
UV_ENV = (
    "ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \\\n"
    "    PIP_ROOT_USER_ACTION=ignore \\\n"
    "    UV_COMPILE_BYTECODE=1 \\\n"
    "    UV_LINK_MODE=copy \\\n"
    "    UV_INDEX_STRATEGY=unsafe-best-match \\\n"
    "    UV_PYTHON_DOWNLOADS=never\n"
    f"RUN --mount=type=cache,target=/root/.cache/pip pip install uv=={UV_VERSION}\n"
)
PIP_INSTALL = (
    "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
    "    --mount=type=secret,id=netrc,target=/root/.netrc \\\n"
    "    /opt/venv/bin/pip install --requirement /tmp/requirements.txt\n"
)
UV_INSTALL = (
    "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
    "    --mount=type=secret,id=netrc,target=/root/.netrc \\\n"
    '    UV_INDEX_URL="$PIP_INDEX_URL" UV_EXTRA_INDEX_URL="$PIP_EXTRA_INDEX_URL" \\\n'
    "    UV_FIND_LINKS=\"$(echo $PIP_FIND_LINKS | tr ' ' ',')\" UV_INSECURE_HOST=\"$PIP_TRUSTED_HOST\" \\\n"
    "    uv pip install --python /opt/venv/bin/python \\\n"
    '        $(case "$PIP_NO_INDEX" in (1|[Tt]rue|[Yy]es|[Oo]n) echo --no-index;; esac) \\\n'
    "        --requirement /tmp/requirements.txt\n"
)
INSTALL_STEP = "--requirement /tmp/requirements.txt"  # how the install RUN is found in the log

# What the equivalence check prints from inside an image.
INSPECT = (
    "PIP_DISABLE_PIP_VERSION_CHECK=1 python -m pip list --format=freeze; echo ---; "
    "find /opt/venv -name '*.pyc' | wc -l; du -sb /opt/venv | cut -f1"
)


@dataclass
class Build:
    whole: float  # wall seconds of `docker build`
    install: float  # the RUN that installs requirements.txt
    builder: float  # every step of the builder stage


def uv_dockerfile(text: str) -> str:
    """The generated Dockerfile with the uv builder stage; stop if the template changed."""
    for old in (PIP_ENV, PIP_INSTALL):
        if text.count(old) != 1:
            raise SystemExit(f"error: the generated Dockerfile no longer contains:\n{old}")
    return text.replace(PIP_ENV, UV_ENV).replace(PIP_INSTALL, UV_INSTALL)


def step_times(log: str) -> dict[str, float]:
    """BuildKit's --progress=plain log: {step name: seconds} for the steps that ran."""
    names: dict[str, str] = {}
    times: dict[str, float] = {}
    for line in log.splitlines():
        if match := re.match(r"#(\d+) (\[.+)$", line):
            names.setdefault(match[1], match[2])
        elif (match := re.match(r"#(\d+) DONE ([\d.]+)s$", line)) and match[1] in names:
            times[names[match[1]]] = float(match[2])
    return times


def measured_build(project: Path, dockerfile: Path, tag: str, url: str) -> Build:
    """A cold build (no layer cache, empty cache mounts) and the times BuildKit logged."""
    docker_engine.prune_cache_mounts()
    started = time.perf_counter()
    done = docker_engine.build(project, tag, url, "--no-cache", "--progress=plain", "--file", str(dockerfile))
    whole = time.perf_counter() - started
    BUILT.add(docker_engine.image_id(tag))
    steps = step_times(done.stderr)
    builder = {name: seconds for name, seconds in steps.items() if name.startswith("[builder ")}
    install = [seconds for name, seconds in builder.items() if INSTALL_STEP in name]
    if len(install) != 1:
        raise SystemExit(f"error: no single install step in the build log of {tag}:\n{done.stderr[-3000:]}")
    return Build(whole, install[0], sum(builder.values()))


def remove_built(prune_build_cache: bool = False) -> None:
    """Remove the images this run built; with `prune_build_cache`, the engine's whole build cache."""
    docker_engine.remove_images(BUILT)
    BUILT.clear()
    if prune_build_cache:  # only on an engine of its own: see --prune-build-cache
        run([*DOCKER, "builder", "prune", "--all", "--force"], check=False)


def inspect(tag: str) -> tuple[list[str], int, int]:
    """Train in the image, then (pip list lines, number of .pyc files, bytes) of its /opt/venv."""
    run([*DOCKER, "run", "--rm", "--network", "none", tag, "train"])
    command = [*DOCKER, "run", "--rm", "--network", "none", "--entrypoint", "sh", tag, "-c", INSPECT]
    packages, _, counts = run(command).stdout.partition("---\n")
    pyc, size = (int(value) for value in counts.split())
    return sorted(packages.split()), pyc, size


def compare(found: dict[str, tuple[list[str], int, int]]) -> str:
    """What inspect() found in the pip and the uv image, as one line for the report."""
    (pip_list, pip_pyc, pip_size), (uv_list, uv_pyc, uv_size) = (found[name] for name in INSTALLERS)
    if pip_list == uv_list:
        line = f"the same {len(pip_list)} packages and versions"
    else:
        only_pip, only_uv = sorted(set(pip_list) - set(uv_list)), sorted(set(uv_list) - set(pip_list))
        line = f"DIFFERENT packages: only with pip {only_pip}, only with uv {only_uv}"
    line += f"; .pyc files {pip_pyc} / {uv_pyc}; /opt/venv {pip_size / 1e6:.1f} / {uv_size / 1e6:.1f} MB"
    return f"`train` ran in both images; {line} (pip / uv)"


def wheel_folder(project: Path, uv_wheels: Path, work: Path) -> Path:
    """The project's wheelhouse plus the uv wheel, linked into one folder to serve."""
    folder = work / f"wheels-{project.parent.name}"
    folder.mkdir()
    wheels = wheelhouse.download_wheels([project / "requirements.txt"], PYTHON)
    for wheel in [*wheels.glob("*.whl"), *uv_wheels.glob("*.whl")]:
        try:
            os.link(wheel, folder / wheel.name)
        except OSError:  # another filesystem
            shutil.copy2(wheel, folder / wheel.name)
    return folder


def bench_framework(
    name: str, rounds: int, uv_wheels: Path, work: Path, prune_build_cache: bool
) -> tuple[list[str], str]:
    context = {**PROJECTS[name], "python_version": PYTHON}
    project = Path(
        cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(work / name), extra_context=context)
    )
    dockerfiles = {"pip": project / "Dockerfile", "uv": project / "Dockerfile.uv"}
    dockerfiles["uv"].write_text(uv_dockerfile(dockerfiles["pip"].read_text()))
    tags = {installer: f"mldt-uv/{name}:{installer}" for installer in INSTALLERS}
    builds: dict[str, list[Build]] = {installer: [] for installer in INSTALLERS}
    found: dict[str, tuple[list[str], int, int]] = {}
    with wheel_server.serve_directory(wheel_folder(project, uv_wheels, work)) as url:
        for index in range(rounds):
            order = INSTALLERS if index % 2 == 0 else INSTALLERS[::-1]  # pip uv, uv pip, ...
            for installer in order:
                builds[installer].append(
                    measured_build(project, dockerfiles[installer], tags[installer], url)
                )
                if index == 0:
                    found[installer] = inspect(tags[installer])
                remove_built(prune_build_cache)  # each build starts without the previous image

    cells = [name, str(rounds)]
    for field in ("whole", "install", "builder"):
        pip_times = [getattr(done, field) for done in builds["pip"]]
        uv_times = [getattr(done, field) for done in builds["uv"]]
        ratio = statistics.median(uv / pip for uv, pip in zip(uv_times, pip_times, strict=True))
        cells += [f"{statistics.median(pip_times):.1f}", f"{statistics.median(uv_times):.1f}", f"{ratio:.2f}"]
    rounds_seen = ", ".join(
        f"{pip.whole:.1f}/{uv.whole:.1f} ({pip.install:.1f}/{uv.install:.1f})"
        for pip, uv in zip(builds["pip"], builds["uv"], strict=True)
    )
    return cells, f"{name}: {compare(found)}; each round, whole (install step) s, pip/uv: {rounds_seen}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold builds per installer (default: 3)")
    parser.add_argument(
        "--estimator-rounds",
        type=int,
        default=2,
        help="the same for a framework that trains no network, a smaller install (default: 2)",
    )
    parser.add_argument("--framework", choices=PROJECTS, action="append", help="default: all")
    parser.add_argument(
        "--prune-build-cache",
        action="store_true",
        help="after each build, prune the engine's whole build cache; only for an engine of this bench's "
        "own, named by DOCKER_HOST",
    )
    args = parser.parse_args()
    if args.prune_build_cache and os.environ.get("DOCKER_HOST", DEFAULT_ENGINE) == DEFAULT_ENGINE:
        parser.error("--prune-build-cache needs DOCKER_HOST set to an engine of this bench's own")
    problem = docker_engine.engine_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    base_image.ensure_python_base_image(PYTHON)
    columns = ["framework", "rounds"]
    for part in ("whole build", "install step", "builder stage"):
        columns += [f"{part} pip s", f"{part} uv s", f"{part} uv / pip"]
    lines = []
    print("| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|", flush=True)
    with tempfile.TemporaryDirectory(prefix="mldt-installer-bench-") as scratch:
        work = Path(scratch)
        uv_wheels = work / "uv"
        download = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--no-deps"]
        download += ["--python-version", PYTHON, "--dest", str(uv_wheels), f"uv=={UV_VERSION}"]
        run(download, env={"PIP_RETRIES": "0"})
        try:
            for name in args.framework or PROJECTS:
                rounds = args.rounds if FRAMEWORKS[name]["network"] else args.estimator_rounds
                cells, line = bench_framework(name, rounds, uv_wheels, work, args.prune_build_cache)
                print("| " + " | ".join(cells) + " |", flush=True)
                lines.append(line)
        finally:
            remove_built()
    print("\nmedians of cold builds; uv / pip is the median of each round's ratio")
    for line in lines:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
