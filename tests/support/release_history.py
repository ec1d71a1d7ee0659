"""The template's latest release and its working tree as one git history, to bake a project
from the release and update it to the working tree, as a user of the release would."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import NamedTuple

import pytest

from tooling import TEMPLATE
from tooling.commands import run
from tooling.releases import CHANGELOG, release_commit, released_versions

from .templates import bake, commit_all, copy_of_the_template, files_of, git

# A user's edits, which the update must keep.
TRAINING_NOTE = "\n\n# Our note: retrained each month on the shop's data.\n"  # as ruff formats it
README_NOTE = "\n## Our notes\n\nThe data comes from the shop's nightly export.\n"


class History(NamedTuple):
    repository: Path  # main: the release's commit, then the working tree's
    version: str
    release: str  # the release's commit in `repository`


def template_history(folder: Path) -> History:
    """A repository whose first commit is the latest release's tree (from this checkout's
    history) and whose second is the working tree."""
    version = released_versions(CHANGELOG.read_text(encoding="utf-8"))[0]
    commit = release_commit(version)
    if commit is None:
        pytest.fail(f"release {version} is not in this clone's history (no tag v{version}, no commit)")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=TEMPLATE, capture_output=True, check=True
    ).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    git(folder, "init", "--quiet", "--initial-branch=main")
    release = commit_all(folder, f"Release {version}")
    for path in folder.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    copy_of_the_template(folder)
    commit_all(folder, "The working tree")
    return History(folder, version, release)


def upgraded_from_release(history: History, output: Path, fresh: Path, answers: dict[str, str]) -> Path:
    """A project baked from the release with the plain cookiecutter command, committed, edited
    by its user (training code, README) and updated with `make template-update`: it must then be
    `fresh` (the working tree's bake of the same answers) with the user's edits."""
    git(history.repository, "checkout", "--quiet", "--detach", history.release)
    try:
        project = bake(history.repository, output, **answers)
    finally:
        git(history.repository, "checkout", "--quiet", "main")
    git(project, "init", "--quiet")
    commit_all(project, f"The project as made by the template's {history.version}")
    package = next(project.glob("src/*/train.py")).parent.name
    edited = {f"src/{package}/train.py": TRAINING_NOTE, "README.md": README_NOTE}
    for path, note in edited.items():
        with (project / path).open("a", encoding="utf-8") as file:
            file.write(note)
    commit_all(project, "Our edits")
    # The template's own virtualenv holds the cruft that the project's requirements-dev.txt pins.
    done = run(["make", "--no-print-directory", "template-update", f"VENV={sys.prefix}"], project)
    assert "conflict" not in done.stdout and not list(project.rglob("*.rej")), done.stdout
    commit_all(project, "The template's changes")
    updated, expected = files_of(project), files_of(fresh)
    for path, note in edited.items():
        expected[path] += note.encode()
    differ = sorted(p for p in updated.keys() | expected.keys() if updated.get(p) != expected.get(p))
    assert differ == [".cruft.json"], (
        f"updated from {history.version}, these differ from a fresh bake: {differ}"
    )
    return project
