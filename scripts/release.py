"""`make release VERSION=X.Y.Z`: release the template.

CHANGELOG.md's `## Unreleased` entries become `## X.Y.Z (today)`, pyproject.toml takes the
version, and both are committed as `Release X.Y.Z` and tagged `vX.Y.Z`. Refused, with nothing
changed, on a dirty working tree, with no entries to release (`- ` lines), without the line that
says whether taking it needs a step by hand (`Step by hand: ...`), or with a version that is not
newer than the last.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys

from tooling import TEMPLATE
from tooling.releases import CHANGELOG, UNRELEASED, release_subject, released_versions

PYPROJECT = TEMPLATE / "pyproject.toml"
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
STEP_BY_HAND = "Step by hand:"  # what a generated repository's owner does besides the update


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=TEMPLATE, capture_output=True, text=True, check=True).stdout


def as_numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def released(changelog: str, version: str, today: str) -> str:
    """CHANGELOG.md with the Unreleased entries under the new version's heading."""
    head, _, rest = changelog.partition(UNRELEASED + "\n")
    entries, heading, older = rest.partition("\n## ")
    lines = entries.splitlines()
    if not _ or not any(line.startswith("- ") for line in lines):
        raise SystemExit(
            f"error: {CHANGELOG.name} has no entries under '{UNRELEASED}' to release: "
            "expected one '- ' line per change"
        )
    if not any(line.startswith(STEP_BY_HAND) for line in lines):
        raise SystemExit(
            f"error: {CHANGELOG.name}'s '{UNRELEASED}' does not say whether an update needs a step "
            f"by hand: expected a line '{STEP_BY_HAND} none.' or '{STEP_BY_HAND} <what to do>'"
        )
    return f"{head}{UNRELEASED}\n\n## {version} ({today})\n{entries.rstrip()}\n{heading}{older}"


def main(version: str) -> None:
    if not VERSION.match(version):
        raise SystemExit(f"error: VERSION={version!r}: expected MAJOR.MINOR.PATCH, such as 1.2.0")
    if git("status", "--porcelain"):
        raise SystemExit("error: the working tree has uncommitted changes: commit them first")
    changelog = CHANGELOG.read_text(encoding="utf-8")
    versions = released_versions(changelog)
    if versions and as_numbers(version) <= as_numbers(versions[0]):
        raise SystemExit(f"error: VERSION={version} is not newer than the last release, {versions[0]}")
    today = datetime.date.today().isoformat()
    new_changelog = released(changelog, version, today)
    pyproject = PYPROJECT.read_text(encoding="utf-8")
    new_pyproject = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject, count=1)
    CHANGELOG.write_text(new_changelog, encoding="utf-8")
    PYPROJECT.write_text(new_pyproject, encoding="utf-8")
    git("commit", "--quiet", "-m", release_subject(version), "--", str(CHANGELOG), str(PYPROJECT))
    git("tag", "--annotate", f"v{version}", "-m", release_subject(version))
    print(f"released {version}: commit {git('rev-parse', '--short', 'HEAD').strip()}, tag v{version}")
    print(f"publish it with: git push origin main v{version}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1]:
        raise SystemExit("usage: make release VERSION=X.Y.Z")
    main(sys.argv[1])
