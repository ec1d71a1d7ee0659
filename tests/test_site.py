"""The template's own files beyond the bakes: its documentation site, its releases and the
configuration of the bot that keeps its pins fresh."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from scripts.release import released
from tooling import TEMPLATE
from tooling.commands import BIN, run
from tooling.releases import CHANGELOG, release_commit, released_versions

SITE = yaml.safe_load((TEMPLATE / "mkdocs.yml").read_text(encoding="utf-8"))
DOCS = TEMPLATE / "docs"
RENOVATE = json.loads((TEMPLATE / "renovate.json").read_text(encoding="utf-8"))
TEMPLATE_FOLDER = TEMPLATE / "{{cookiecutter.project_slug}}"


def build_site(root: Path, into: Path):
    return run([BIN / "mkdocs", "build", "--strict", "--site-dir", into], root, check=False)


def nav_pages(nav: list) -> list[str]:
    pages: list[str] = []
    for entry in nav:
        for value in entry.values():
            pages += nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_the_site_builds_strict_with_every_page_in_its_navigation(tmp_path: Path) -> None:
    done = build_site(TEMPLATE, tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(nav_pages(SITE["nav"])) == sorted(path.name for path in DOCS.glob("*.md"))
    changelog = (tmp_path / "site" / "changelog" / "index.html").read_text(encoding="utf-8")
    assert f"{released_versions(CHANGELOG.read_text(encoding='utf-8'))[0]} (" in changelog


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("a broken link", "is not found among documentation files"),
        ("a page left out of the navigation", 'are not included in the "nav" configuration'),
    ],
)
def test_the_site_build_fails_on(fault: str, said: str, tmp_path: Path) -> None:
    copy = tmp_path / "template"
    shutil.copytree(DOCS, copy / "docs")
    for name in ("mkdocs.yml", "CHANGELOG.md"):
        shutil.copy(TEMPLATE / name, copy / name)
    if fault == "a broken link":
        with (copy / "docs" / "index.md").open("a", encoding="utf-8") as page:
            page.write("\nSee [the missing page](missing.md).\n")
    else:
        (copy / "docs" / "orphan.md").write_text("# Not in the navigation\n", encoding="utf-8")
    done = build_site(copy, tmp_path / "site")
    assert done.returncode != 0 and said in done.stdout + done.stderr


def test_the_changelog_lists_each_release_newest_first_with_its_step_by_hand_and_commit() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    versions = released_versions(text)
    numbers = [tuple(int(part) for part in version.split(".")) for version in versions]
    assert versions and numbers == sorted(numbers, reverse=True)
    assert text.index("## Unreleased") < text.index(f"## {versions[0]} (")
    sections = re.split(r"^## \d+\.\d+\.\d+ .*$", text, flags=re.M)[1:]
    for version, section in zip(versions, sections, strict=True):
        assert "Step by hand:" in section, f"{version} does not say whether an update needs a step by hand"
    project = (TEMPLATE / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{versions[0]}"' in project
    assert release_commit(versions[0]) is not None, (
        f"no tag v{versions[0]} nor 'Release {versions[0]}' commit"
    )


def test_a_release_moves_the_unreleased_entries_under_its_heading() -> None:
    unreleased = "Step by hand: none.\n\n- A fix.\n"
    before = f"# Changelog\n\nIntro.\n\n## Unreleased\n\n{unreleased}\n## 1.0.0 (2026-01-01)\n\n- First.\n"
    after = released(before, "1.0.1", "2026-02-01")
    assert after == (
        f"# Changelog\n\nIntro.\n\n## Unreleased\n\n## 1.0.1 (2026-02-01)\n\n{unreleased}\n"
        "## 1.0.0 (2026-01-01)\n\n- First.\n"
    )
    assert released_versions(after) == ["1.0.1", "1.0.0"]


@pytest.mark.parametrize(
    ("unreleased", "said"),
    [
        ("", "has no entries under '## Unreleased' to release: expected one '- ' line per change"),
        ("Step by hand: none.\n", "no entries under '## Unreleased' to release"),
        ("- A fix.\n", "does not say whether an update needs a step by hand: expected a line 'Step by"),
    ],
    ids=["nothing", "no entries", "no step by hand"],
)
def test_a_release_is_refused_without_entries_or_their_step_by_hand(unreleased: str, said: str) -> None:
    changelog = f"# Changelog\n\n## Unreleased\n\n{unreleased}\n## 1.0.0 (2026-01-01)\n\n- First.\n"
    with pytest.raises(SystemExit, match=re.escape(said)):
        released(changelog, "1.0.1", "2026-02-01")


def renovate_pattern(pattern: str) -> re.Pattern[str]:
    assert pattern.startswith("/") and pattern.endswith("/"), pattern  # Renovate's regex form
    return re.compile(pattern[1:-1])


def test_renovate_config_is_valid_and_reaches_every_pin() -> None:
    """Valid against Renovate's published schema; its managers find every requirements file
    (every framework's CPU and GPU builds, serving, development, the template's own), and
    every pin of the pre-commit config; a moved pin runs the commands whose files follow it."""
    run(["check-jsonschema", "--builtin-schema", "vendor.renovate", TEMPLATE / "renovate.json"], TEMPLATE)
    requirements = [
        path.relative_to(TEMPLATE).as_posix()
        for path in [*TEMPLATE_FOLDER.rglob("requirements*.txt"), TEMPLATE / "requirements-dev.txt"]
    ]
    assert len(requirements) > 8  # the frameworks' builds, serving, development
    pip = [renovate_pattern(p) for p in RENOVATE["pip_requirements"]["managerFilePatterns"]]
    assert [path for path in requirements if not any(p.search(path) for p in pip)] == []
    (hooks,) = RENOVATE["customManagers"]
    config = ".pre-commit-config.yaml"
    assert any(
        renovate_pattern(p).search(f"{TEMPLATE_FOLDER.name}/{config}") for p in hooks["managerFilePatterns"]
    )
    text = (TEMPLATE_FOLDER / config).read_text(encoding="utf-8")
    pins = {pin for line in text.splitlines() for pin in re.findall(r'"([^"\s]+==[^"\s]+)"', line)}
    found = {
        f"{match['depName']}=={match['currentValue']}"
        for pattern in hooks["matchStrings"]
        for match in re.finditer(pattern.replace("(?<", "(?P<"), text)
    }
    assert pins and found == pins and hooks["datasourceTemplate"] == "pypi"
    commands = RENOVATE["postUpgradeTasks"]["commands"]
    makefile = (TEMPLATE / "Makefile").read_text(encoding="utf-8")
    assert commands == ["make sync-facts", "make sync-hook"]
    assert all(re.search(rf"^{command.split()[1]}:", makefile, re.M) for command in commands)
