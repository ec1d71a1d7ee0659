"""Wheels for offline image builds: downloaded once on the host, cached, laid out as an index.

Containers cannot reach a package index on these machines, so builds install from a folder
of wheels that tooling/wheel_server.py serves on loopback, with
``--network host --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=<url>``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

from tooling.cache import cache_dir, file_lock
from tooling.commands import progress, run


def download_wheels(requirement_files: list[Path], python_version: str) -> Path:
    """Download wheels for ``requirement_files`` on the host and return their directory.

    pip runs with the host's configuration (a local mirror it consults first). The directory
    is cached by the requirement files' content and the Python version; files pulled in with
    ``-r``/``-c`` from inside them are not part of the key. Do not modify the returned
    directory: it is the cache.
    """
    key = hashlib.sha256(python_version.encode())
    for path in requirement_files:
        key.update(b"\0" + Path(path).read_bytes())
    wheelhouses = cache_dir() / "wheelhouses"
    wheelhouse = wheelhouses / f"py{python_version}-{key.hexdigest()[:16]}"
    with file_lock(wheelhouses / f"{wheelhouse.name}.lock"):
        if wheelhouse.is_dir():
            return wheelhouse
        progress(f"downloading wheels for Python {python_version} into {wheelhouse}")
        partial = wheelhouse.with_name(wheelhouse.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        # One resolution per file: the frameworks' pins need not install together. No retries:
        # an index a file names that is unreachable here (PyTorch's) is passed over at once.
        environment = {**os.environ, "PIP_RETRIES": "0"}
        for path in requirement_files:
            command: list[str | Path] = [sys.executable, "-m", "pip", "download", "--only-binary=:all:"]
            command += ["--python-version", python_version, "--dest", partial, "--requirement", path]
            run(command, environment=environment)
        partial.rename(wheelhouse)
    return wheelhouse


def simple_index(wheelhouse: Path, root: Path) -> Path:
    """Lay ``wheelhouse`` out under ``root`` as a PEP 503 "simple" index and return ``root``.

    Served with tooling/wheel_server.py, its URL is what a private mirror's PIP_INDEX_URL is:
    pip asks for ``<url>/<project>/`` and follows the links on that page.
    """
    for wheel in sorted(wheelhouse.glob("*.whl")):
        project = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
        (root / project).mkdir(parents=True, exist_ok=True)
        os.link(wheel, root / project / wheel.name)
    for folder in root.iterdir():
        links = "".join(
            f'<a href="{wheel.name}">{wheel.name}</a><br>\n' for wheel in sorted(folder.iterdir())
        )
        (folder / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n")
    return root
