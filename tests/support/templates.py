"""Copies of the template and bakes made as a user makes them, with the cookiecutter command."""

from __future__ import annotations

import shutil
from pathlib import Path

from tooling import TEMPLATE
from tooling.commands import BIN, run

IDENTITY = ["-c", "user.name=Template Tests", "-c", "user.email=tests@example.com"]


def copy_of_the_template(destination: Path) -> Path:
    """The checkout's files as a commit would hold them (tracked ones, and new ones git does
    not ignore): no .git, .venv, caches or build outputs."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], TEMPLATE).stdout
    for name in filter(None, listed.split("\0")):
        if (TEMPLATE / name).is_file():  # a tracked file may be deleted in the working tree
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE / name, destination / name)
    return destination


def files_of(root: Path) -> dict[str, bytes]:
    """Every file under `root` but git's own, by its path from there."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def bake(template: Path, output: Path, **answers: str) -> Path:
    """Bake with the cookiecutter command, as a user does; returns the project folder."""
    output.mkdir(parents=True, exist_ok=True)
    words = [f"{key}={value}" for key, value in answers.items()]
    run([BIN / "cookiecutter", "--no-input", "-o", output, template, *words], output.parent)
    (project,) = output.iterdir()
    return project


def git(folder: Path, *args: str) -> str:
    return run(["git", *IDENTITY, *args], folder).stdout


def commit_all(folder: Path, message: str) -> str:
    """Commit everything in `folder` (if anything); returns the commit."""
    git(folder, "add", "--all")
    git(folder, "commit", "--quiet", "--allow-empty", "-m", message)
    return git(folder, "rev-parse", "HEAD").strip()
