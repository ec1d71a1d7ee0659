"""The Python community's own checklists, on every supported bake and on the template itself.

Scientific Python's repo-review passes, or skips a check for the reason written in the
`[tool.repo-review.ignore]` table of pyproject.toml; pyroma rates the generated packaging 10/10;
zizmor finds nothing in the generated workflow, Dependabot and pre-commit files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pyroma import projectdata, ratings
from repo_review.processor import process

from tooling.commands import run
from tooling.variants import SUPPORTED, TEMPLATE, variant_id

EVERY_BAKE = pytest.mark.parametrize("answers", SUPPORTED, ids=[variant_id(answers) for answers in SUPPORTED])
# repo-review's --ignore replaces the pyproject's list; no check is named this.
NO_CHECK = "NONE"


def repo_review(root: Path, ignore: frozenset[str] = frozenset()) -> dict[str, dict]:
    """Each check repo-review ran or skipped, by name: result (None when skipped), reason, message.

    Run in-process, as `repo-review ROOT` runs it: its start-up took three times the checks.
    """
    _, results = process(root, ignore=ignore)
    return {
        check.name: {
            "result": check.result,
            "skip_reason": check.skip_reason,
            "description": check.description,
            "err_msg": check.err_msg,
        }
        for check in results
    }


def assert_passes_with_reasoned_skips(root: Path) -> None:
    checks = repo_review(root)
    failed = {name: f"{check['description']}: {check['err_msg']}" for name, check in checks.items()}
    failed = {name: text for name, text in failed.items() if checks[name]["result"] is False}
    assert failed == {}
    skipped = {name for name, check in checks.items() if check["skip_reason"]}
    # A skip stays only while it is needed: without the list, each skipped check fails.
    unskipped = repo_review(root, ignore=frozenset({NO_CHECK}))
    assert {name for name in skipped if unskipped[name]["result"] is not False} == set()


@EVERY_BAKE
def test_repo_review_passes_or_says_why_not(answers: dict[str, str], bake) -> None:
    assert_passes_with_reasoned_skips(bake(**answers))


def test_repo_review_passes_on_the_template_itself() -> None:
    assert_passes_with_reasoned_skips(TEMPLATE)


@EVERY_BAKE
def test_pyroma_rates_the_packaging_ten(answers: dict[str, str], bake) -> None:
    rating, problems = ratings.rate(projectdata.get_data(str(bake(**answers))))  # as `pyroma`
    assert (rating, problems) == (10, [])


@EVERY_BAKE
def test_zizmor_finds_nothing_even_pedantic(answers: dict[str, str], bake) -> None:
    project = bake(**answers)
    run(["zizmor", "--offline", "--persona", "pedantic", "."], project)
    dependabot = project / ".github" / "dependabot.yml"
    assert dependabot.exists() == (answers.get("ci", "github") == "github")
    if dependabot.exists():
        run(["check-jsonschema", "--builtin-schema", "vendor.dependabot", str(dependabot)], project)
        updates = yaml.safe_load(dependabot.read_text(encoding="utf-8"))["updates"]
        # The pins (requirements*.txt), the Dockerfile's base image and the actions, from the top.
        kinds = {(update["package-ecosystem"], update["directory"]) for update in updates}
        assert kinds == {("pip", "/"), ("docker", "/"), ("github-actions", "/")}
