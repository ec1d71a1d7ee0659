"""The template's releases: CHANGELOG.md's headings, and the commits that made them.

A release is a `## X.Y.Z (YYYY-MM-DD)` heading in CHANGELOG.md, a commit whose subject is
`Release X.Y.Z` and a tag `vX.Y.Z` on it (`make release` makes all three). The tag is found
first; a clone without tags still finds the commit by its subject.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tooling import TEMPLATE

CHANGELOG = TEMPLATE / "CHANGELOG.md"
UNRELEASED = "## Unreleased"
RELEASE_HEADING = re.compile(r"^## (\d+)\.(\d+)\.(\d+) \((\d{4}-\d\d-\d\d)\)$", re.MULTILINE)


def released_versions(changelog: str) -> list[str]:
    """The versions CHANGELOG.md lists as released, newest first."""
    return [".".join(match.groups()[:3]) for match in RELEASE_HEADING.finditer(changelog)]


def release_subject(version: str) -> str:
    return f"Release {version}"


def release_commit(version: str, repository: Path = TEMPLATE) -> str | None:
    """The commit of a release: its tag's, or the commit named after it; None if neither is in
    this clone's history."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repository, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    tagged = git("rev-parse", "--verify", "--quiet", f"refs/tags/v{version}^{{commit}}")
    if tagged:
        return tagged
    subject = f"^{re.escape(release_subject(version))}$"
    named = git("log", "--format=%H", "--extended-regexp", f"--grep={subject}", "HEAD").split()
    return named[0] if named else None
