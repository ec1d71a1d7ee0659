"""Local stand-ins for the official ``python:X.Y-slim`` images.

No registry is reachable on the machines that run the docker tier, so ``FROM python:X.Y-slim``
only works if an image with exactly that name is already in the local engine. This makes one
from a cached root filesystem (tooling/rootfs.py builds it) and tags it with the official name,
so tests build the generated Dockerfile unchanged.
"""

from __future__ import annotations

import re

from tooling.cache import cache_dir, file_lock
from tooling.commands import progress, run
from tooling.docker_engine import docker_command, image_exists
from tooling.pythons import pyenv_build
from tooling.rootfs import DEBIAN_SUITE, IMAGE_PATH, RECIPE_VERSION, build_rootfs_tarball


def ensure_python_base_image(python_version: str) -> str:
    """Make sure ``python:{python_version}-slim`` exists locally and return that tag.

    The image is Debian minbase from the host's mirror plus the pyenv build of the newest
    installed X.Y.Z, laid out like the official image (python in /usr/local/bin, same ENV and
    CMD). The rootfs tarball is cached, so an engine that lost its images re-imports in seconds
    instead of rebuilding (~1 minute).
    """
    if not re.fullmatch(r"\d+\.\d+", python_version):
        raise ValueError(f"expected a version like '3.11', got {python_version!r}")
    tag = f"python:{python_version}-slim"
    if image_exists(tag):
        return tag

    images = cache_dir() / "base-images"
    # One lock for all versions: builds share debootstrap's package cache, and two at once
    # would only compete for the same CPUs anyway.
    with file_lock(images / "build.lock"):
        if image_exists(tag):  # another process built it while we waited
            return tag
        version_dir = pyenv_build(python_version)
        full_version = version_dir.name
        tarball = images / f"python-{full_version}-{DEBIAN_SUITE}-r{RECIPE_VERSION}.tar"
        if not tarball.exists():
            build_rootfs_tarball(version_dir, tarball)
        progress(f"importing {tarball.name} as {tag}")
        config = [f"ENV PATH={IMAGE_PATH}", "ENV LANG=C.UTF-8", f"ENV PYTHON_VERSION={full_version}"]
        command = [*docker_command(), "import"]
        for change in [*config, 'CMD ["python3"]']:
            command += ["--change", change]
        run([*command, str(tarball), tag])
    progress(f"{tag} ready (Python {full_version})")
    return tag
