"""The Docker engine as the docker tier and the benchmarks use it: which client, whether an
engine answers, building an image offline from a served wheel folder, and removing what was built.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from tooling.commands import run


def docker_command() -> list[str]:
    """The docker client to use, as the start of a command line.

    Debian's client (/usr/bin/docker, 20.10) has BuildKit built in, so ``DOCKER_BUILDKIT=1``
    builds with ``RUN --mount=...`` work offline. A newer client that may come first on PATH
    (v28 in /usr/local/bin) has no buildx plugin here and cannot build those Dockerfiles.
    """
    if os.access("/usr/bin/docker", os.X_OK):
        return ["/usr/bin/docker"]
    return ["docker"]


def engine_problem() -> str | None:
    """None when a Docker engine answers, else a one-line reason to skip the docker tier."""
    try:
        result = subprocess.run(
            [*docker_command(), "info"],
            capture_output=True,
            text=True,
            timeout=15,
        )
    except FileNotFoundError:
        return "no docker client installed (run .ci/install-docker.sh as root)"
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 15 s"
    if result.returncode != 0:
        # The 20.10 client prints the reason as "ERROR: ..." on stdout, newer ones on stderr.
        lines = (result.stdout + "\n" + result.stderr).splitlines()
        errors = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR: ")]
        reason = (errors or result.stderr.strip().splitlines() or ["docker info failed"])[0]
        return f"no Docker engine answers: {reason} (run .ci/install-docker.sh as root)"
    return None


def build_environment() -> dict[str, str]:
    """What `docker build` runs with: BuildKit on, and the engine DOCKER_HOST names, if any."""
    environment = {"DOCKER_BUILDKIT": "1", "PATH": "/usr/bin:/bin"}
    if "DOCKER_HOST" in os.environ:
        environment["DOCKER_HOST"] = os.environ["DOCKER_HOST"]
    return environment


def build(context: Path, tag: str, wheels_url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    """Build `context` as `tag` with pip taking every package from the wheel folder served at
    `wheels_url` (no index); `flags` go to `docker build` (``--no-cache``, ``--file``, ...)."""
    command = [*docker_command(), "build", "--network", "host", "--tag", tag, *flags]
    command += ["--build-arg", "PIP_NO_INDEX=1", "--build-arg", f"PIP_FIND_LINKS={wheels_url}", str(context)]
    return run(command, environment=build_environment())


def image_exists(tag: str) -> bool:
    return run([*docker_command(), "image", "inspect", tag], check=False).returncode == 0


def image_id(tag: str) -> str:
    """The id of the image `tag` names now (a rebuild moves the tag to another id)."""
    return run([*docker_command(), "image", "inspect", "--format", "{{.Id}}", tag]).stdout.strip()


def is_python_base_image(tag: str) -> bool:
    return re.fullmatch(r"python:\d+\.\d+-slim", tag) is not None


def remove_images(tags: Iterable[str]) -> None:
    """Remove images (tags or ids) that were built; python:X.Y-slim stand-ins are always kept.

    The stand-ins take a minute to rebuild and are shared by every session, so they stay.
    Missing images are not an error.
    """
    doomed = sorted({tag for tag in tags if not is_python_base_image(tag)})
    if doomed:
        run([*docker_command(), "image", "rm", "--force", *doomed], check=False)


def prune_cache_mounts() -> None:
    """Empty the builds' cache mounts (pip's cache), so that the next build installs every wheel."""
    run([*docker_command(), "builder", "prune", "--force", "--filter", "type=exec.cachemount"], check=False)


def prune_build_cache_if_disposable() -> None:
    """Drop the engine's unused build cache when MLDT_DISPOSABLE_ENGINE=1 (.ci/run sets it).

    A GPU image leaves its CUDA libraries twice in the build cache (the builder stage and the
    copy into the runtime stage: over 10 GB). On a CI machine that is thrown away afterwards
    this keeps the disk free for the tiers that follow; on a developer's engine the cache of
    their other builds is left alone.
    """
    if os.environ.get("MLDT_DISPOSABLE_ENGINE") == "1":
        run([*docker_command(), "builder", "prune", "--force"], check=False)
