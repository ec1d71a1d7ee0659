"""Regenerate to upgrade: a project baked from one template commit takes a later one with
`make template-update`, keeping its owner's edits.

Made here from the working tree: template v1 as a git repository; projects baked from it with
the plain cookiecutter command (and some with `cruft create`), committed, then edited as a user
edits them; and a template v2 that changes the Dockerfile, moves a file, changes a sample
(which updates leave alone) and adds a question. v1 and v2 are released as their commits'
subjects name them, without tags, as in a copy of the template that lacks its tags. Each
project's `make` runs with the template's own virtualenv (VENV=...), which holds the same cruft
the project's requirements-dev.txt pins.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml

from tooling import TEMPLATE
from tooling.commands import BIN, run
from tooling.releases import CHANGELOG, release_commit, released_versions

from .support.release_history import README_NOTE, TRAINING_NOTE
from .support.templates import bake, commit_all, copy_of_the_template, files_of, git

SLUG = "{{cookiecutter.project_slug}}"
PACKAGE = "my_ml_project"  # the default answers' package
# What v2 changes.
DOCKERFILE_LINE = "# The template's v2 changed this line of comments."
MOVED_FROM, MOVED_TO = "tests/test_files.py", "tests/test_file_writes.py"
QUESTION, DEFAULT = "team", "Data Science"
OLD_EXAMPLE, NEW_EXAMPLE = (
    'config_example = "--model.init_args.C 0.5"',
    'config_example = "--model.init_args.C 0.25"',
)
SAMPLE = "samples/breast_cancer.csv"
V1, V2 = "0.1.0", "0.2.0"  # their releases
# What the user changes.
TEST_NOTE = "\n# Our note: these tests also guard our export.\n"
USER_DOCKERFILE_LINE = "# Our own line, where the template's v2 writes too."
# The tools that make a project, and those that update it.
MAKERS, UPDATERS = ("cookiecutter", "cruft create"), ("make template-update", "cruft update")


def make(project: Path, *words: str, check: bool = False):
    """A target of the project's Makefile, with the template's virtualenv as the project's."""
    return run(["make", "--no-print-directory", *words, f"VENV={Path(sys.prefix)}"], project, check=check)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def insert_after_first_line(path: Path, line: str) -> None:
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(f"{first}\n{line}\n{rest}", encoding="utf-8")


def make_v2(template: Path) -> None:
    """Change the Dockerfile, move a test file, change a sample, add a question (asked last,
    and shown at the top of the README), and change a fact of the default model (read by the
    template's Jinja extension: the README's example of a config.yaml override)."""
    project = template / SLUG
    facts = project / "_frameworks" / "sklearn" / "framework.toml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(OLD_EXAMPLE, NEW_EXAMPLE, 1), encoding="utf-8")
    insert_after_first_line(project / "Dockerfile", DOCKERFILE_LINE)
    (project / MOVED_FROM).rename(project / MOVED_TO)
    append(project / "_samples" / Path(SAMPLE).name, "\n")
    questions = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    questions = {
        **{key: value for key, value in questions.items() if not key.startswith("_")},
        QUESTION: DEFAULT,
        **{key: value for key, value in questions.items() if key.startswith("_")},
    }
    questions["__prompts__"][QUESTION] = "Team that owns the project (README)"
    text = json.dumps(questions, indent=2, ensure_ascii=False) + "\n"
    (template / "cookiecutter.json").write_text(text, encoding="utf-8")
    readme = project / "README.md"
    title = "# {{ cookiecutter.project_name }}\n"
    owned = f"{title}\nOwned by {{{{ cookiecutter.{QUESTION} }}}}.\n"
    readme.write_text(readme.read_text(encoding="utf-8").replace(title, owned, 1), encoding="utf-8")


def edit_as_a_user(project: Path) -> None:
    append(project / "src" / PACKAGE / "train.py", TRAINING_NOTE)
    append(project / "README.md", README_NOTE)
    append(project / MOVED_FROM, TEST_NOTE)


def own_sample(project: Path) -> bytes:
    """The owner's sample in place of the template's: its header and first row."""
    header, row = (project / SAMPLE).read_text(encoding="utf-8").splitlines()[:2]
    (project / SAMPLE).write_text(f"{header}\n{row}\n", encoding="utf-8")
    return (project / SAMPLE).read_bytes()


def made_with(maker: str, template: Path, commit: str, output: Path) -> Path:
    """A project made from `commit` of `template` by `maker`, committed in its own repository."""
    if maker == "cookiecutter":
        project = bake(template, output)  # the template's working tree is at `commit`
    else:
        output.mkdir(parents=True)
        run([BIN / "cruft", "create", "--no-input", "--checkout", commit, str(template)], output)
        (project,) = output.iterdir()
    git(project, "init", "--quiet")
    commit_all(project, "The project as made")
    return project


def update_with(updater: str, project: Path, *words: str):
    if updater == "cruft update":
        return run([BIN / "cruft", "update", "--skip-apply-ask"], project)
    return make(project, "template-update", *words, check=True)


class Upgrade(NamedTuple):
    template: Path
    v1: str
    v2: str
    projects: dict[str, Path]  # by what the test does with it
    fresh_v2: Path  # the default project baked from v2, for comparison


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> Upgrade:
    root = tmp_path_factory.mktemp("upgrade")
    template = copy_of_the_template(root / "template")
    git(template, "init", "--quiet", "--initial-branch=main")
    v1 = commit_all(template, f"Release {V1}")
    projects = {}
    for name in ("edited", "conflicting", "dirty"):
        project = bake(template, root / name)
        git(project, "init", "--quiet")
        commit_all(project, "The project as made")
        projects[name] = project
    edit_as_a_user(projects["edited"])
    commit_all(projects["edited"], "Our edits")
    insert_after_first_line(projects["conflicting"] / "Dockerfile", USER_DOCKERFILE_LINE)
    commit_all(projects["conflicting"], "Our Dockerfile line")
    append(projects["dirty"] / "README.md", README_NOTE)  # not committed
    # `cruft create`, the other way to make a project, from v1.
    made = root / "made-with-cruft"
    made.mkdir()
    run([BIN / "cruft", "create", "--no-input", "--checkout", v1, str(template)], made)
    (projects["cruft"],) = made.iterdir()
    git(projects["cruft"], "init", "--quiet")
    commit_all(projects["cruft"], "The project as made")
    edit_as_a_user(projects["cruft"])
    commit_all(projects["cruft"], "Our edits")
    for maker in MAKERS:
        for updater in UPDATERS:
            project = made_with(maker, template, v1, root / f"{maker} then {updater}".replace(" ", "-"))
            own_sample(project)
            commit_all(project, "Our own sample")
            projects[f"{maker}, {updater}"] = project
    # Files the owner deleted, one of which (the Dockerfile) v2 changes; and the sample, which
    # v2 changes too, but which is the owner's.
    projects["deleting"] = made_with("cookiecutter", template, v1, root / "deleting")
    for name in ("Dockerfile", "LICENSE", SAMPLE):
        (projects["deleting"] / name).unlink()
    commit_all(projects["deleting"], "Files we do without")
    make_v2(template)
    v2 = commit_all(template, f"Release {V2}")
    return Upgrade(template, v1, v2, projects, bake(template, root / "fresh-v2"))


def record_of(project: Path) -> dict:
    return json.loads((project / ".cruft.json").read_text(encoding="utf-8"))


def unmerged(project: Path) -> list[str]:
    return git(project, "diff", "--name-only", "--diff-filter=U").split()


def test_a_bake_records_its_template_commit_and_answers_and_no_local_path(upgrade: Upgrade, tmp_path) -> None:
    again = bake(upgrade.template, tmp_path / "again")
    record = record_of(again)
    assert (record["template"], record["commit"]) == (str(upgrade.template), upgrade.v2)
    answers = record["context"]["cookiecutter"]
    assert answers[QUESTION] == DEFAULT and answers["framework"] == "sklearn"
    assert (answers["_template"], answers["_commit"]) == (str(upgrade.template), upgrade.v2)
    text = (again / ".cruft.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in text and not {"_output_dir", "_repo_dir", "_checkout"} & answers.keys()
    # What updates leave alone is in pyproject.toml, where cruft reads it too, as for a project
    # made with `cruft create` (whose record has no `skip`).
    assert "skip" not in record
    settings = tomllib.loads((again / "pyproject.toml").read_text(encoding="utf-8"))
    assert settings["tool"]["cruft"]["skip"] == ["data", "models", "notebooks", "reports", "samples"]


def test_bakes_are_pure(upgrade: Upgrade, tmp_path) -> None:
    """The same answers and template commit: byte-identical files, wherever they are baked."""
    first = bake(upgrade.template, tmp_path / "first", framework="pytorch", model="cnn")
    second = bake(upgrade.template, tmp_path / "elsewhere" / "second", framework="pytorch", model="cnn")
    assert files_of(first) == files_of(second)


def test_an_update_brings_the_template_changes_and_keeps_the_edits(upgrade: Upgrade) -> None:
    project = upgrade.projects["edited"]
    checked = make(project, "template-check")
    assert checked.returncode != 0 and f"behind: the template at {upgrade.template}" in checked.stdout
    sample_before = (project / SAMPLE).read_bytes()
    done = make(project, "template-update", check=True)
    assert f"updated from template commit {upgrade.v1[:12]} to {upgrade.v2[:12]}" in done.stdout
    assert f"new question '{QUESTION}': answered with its default '{DEFAULT}'" in done.stdout
    assert unmerged(project) == [] and not list(project.rglob("*.rej"))
    # The whole tree is v2's, but for the user's edits and the samples, which updates skip.
    updated, fresh = files_of(project), files_of(upgrade.fresh_v2)
    assert updated.keys() == fresh.keys()
    edited = {
        f"src/{PACKAGE}/train.py": TRAINING_NOTE,
        "README.md": README_NOTE,
        MOVED_TO: TEST_NOTE,  # the edit moved with its file
    }
    for path, note in edited.items():
        assert updated[path] == fresh[path] + note.encode(), path
    assert updated[SAMPLE] == sample_before != fresh[SAMPLE]
    differ = {path for path in fresh if updated[path] != fresh[path]} - {".cruft.json"}
    assert differ == {*edited, SAMPLE}
    record = record_of(project)
    assert record["commit"] == upgrade.v2 and record["context"]["cookiecutter"][QUESTION] == DEFAULT
    assert DOCKERFILE_LINE in (project / "Dockerfile").read_text(encoding="utf-8")
    assert "--model.init_args.C 0.25" in (project / "README.md").read_text(encoding="utf-8")
    commit_all(project, "Take the template's v2")
    checked = make(project, "template-check", check=True)
    assert f"up to date with the template at {upgrade.template} ({upgrade.v2[:12]})" in checked.stdout
    again = make(project, "template-update", check=True)
    assert f"up to date: the template has nothing new since {upgrade.v2[:12]}" in again.stdout
    assert git(project, "status", "--porcelain") == ""
    # An answer changed: the files it decides are rendered again.
    changed = make(project, "template-update", "ANSWERS=ci=gitlab", check=True)
    assert "answer to 'ci': 'github', now 'gitlab'" in changed.stdout
    assert (project / ".gitlab-ci.yml").is_file() and not (project / ".github").exists()
    assert record_of(project)["context"]["cookiecutter"]["ci"] == "gitlab"


def test_a_conflicting_edit_is_reported_and_nothing_is_lost(upgrade: Upgrade) -> None:
    project = upgrade.projects["conflicting"]
    done = make(project, "template-update")
    assert done.returncode != 0
    assert "conflict in Dockerfile: you and the template changed the same lines" in done.stdout
    assert "then: git add Dockerfile" in done.stdout and "git reset --hard" in done.stdout
    assert unmerged(project) == ["Dockerfile"] and not list(project.rglob("*.rej"))
    dockerfile = (project / "Dockerfile").read_text(encoding="utf-8")
    assert USER_DOCKERFILE_LINE in dockerfile and DOCKERFILE_LINE in dockerfile and "<<<<<<<" in dockerfile
    assert USER_DOCKERFILE_LINE in git(project, "show", "HEAD:Dockerfile")  # the edit, committed
    assert (project / MOVED_TO).is_file() and not (project / MOVED_FROM).exists()  # the rest arrived


def test_a_dirty_working_tree_is_refused_before_anything_is_touched(upgrade: Upgrade) -> None:
    project = upgrade.projects["dirty"]
    before, status = files_of(project), git(project, "status", "--porcelain")
    done = make(project, "template-update")
    assert done.returncode != 0
    assert "error: 1 uncommitted changes (README.md): commit or stash them first" in done.stderr
    assert files_of(project) == before and git(project, "status", "--porcelain") == status


def test_a_project_made_with_cruft_create_updates_too(upgrade: Upgrade) -> None:
    project = upgrade.projects["cruft"]
    assert record_of(project)["commit"] == upgrade.v1
    assert make(project, "template-check").returncode != 0
    make(project, "template-update", check=True)
    assert DOCKERFILE_LINE in (project / "Dockerfile").read_text(encoding="utf-8")
    assert (project / MOVED_TO).read_text(encoding="utf-8").endswith(TEST_NOTE)
    assert (project / f"src/{PACKAGE}/train.py").read_text(encoding="utf-8").endswith(TRAINING_NOTE)


@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("updater", UPDATERS)
def test_samples_stay_the_owners_whichever_tool_made_or_updates_the_project(
    upgrade: Upgrade, maker: str, updater: str
) -> None:
    """v2 changes the sample the owner replaced: the update leaves it alone, without a conflict,
    whether the project was made by cookiecutter or `cruft create`, and updated by
    `make template-update` or by `cruft update` run directly."""
    project = upgrade.projects[f"{maker}, {updater}"]
    theirs = (project / SAMPLE).read_bytes()
    update_with(updater, project)
    assert record_of(project)["commit"] == upgrade.v2
    assert DOCKERFILE_LINE in (project / "Dockerfile").read_text(encoding="utf-8")
    assert (project / SAMPLE).read_bytes() == theirs
    assert unmerged(project) == [] and not list(project.rglob("*.rej"))
    assert "skip" not in record_of(project)  # cruft adds pyproject's list to a record's own


def test_a_template_change_to_a_file_deleted_here_is_named_and_it_stays_deleted(upgrade: Upgrade) -> None:
    """The owner deleted the Dockerfile (which v2 changes), LICENSE (which it does not) and the
    sample (which v2 changes, but updates leave alone): only the Dockerfile is named."""
    project = upgrade.projects["deleting"]
    done = make(project, "template-update", check=True)
    named = [line for line in done.stdout.splitlines() if line.startswith("not taken:")]
    assert named == ["not taken: the template changed Dockerfile, which was deleted here; it stays deleted"]
    assert not (project / "Dockerfile").exists() and not (project / "LICENSE").exists()
    assert not (project / SAMPLE).exists() and (project / MOVED_TO).is_file()  # the rest arrived


def test_an_older_template_is_taken_only_when_asked(upgrade: Upgrade, tmp_path) -> None:
    """A project made from v2 asked for v1 (by its release's tag, which this template lacks:
    its commit is found by its subject): refused in one line saying where the project is."""
    project = shutil.copytree(upgrade.fresh_v2, tmp_path / "made-from-v2")
    git(project, "init", "--quiet")
    commit_all(project, "The project as made")
    before = files_of(project)
    done = make(project, "template-update", f"TEMPLATE_REF=v{V1}")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    (said,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert said == (
        f"error: v{V1} ({upgrade.v1[:12]}) is older than the template commit this project is on, "
        f"{upgrade.v2[:12]} (release {V2}): taking it undoes the template's later changes here; "
        "to do so all the same: ALLOW_DOWNGRADE=1 (--allow-downgrade)"
    )
    assert files_of(project) == before and git(project, "status", "--porcelain") == ""
    make(project, "template-update", f"TEMPLATE_REF=v{V1}", "ALLOW_DOWNGRADE=1", check=True)
    assert record_of(project)["commit"] == upgrade.v1
    assert DOCKERFILE_LINE not in (project / "Dockerfile").read_text(encoding="utf-8")
    commit_all(project, "Back to v1")
    done = make(project, "template-update", f"TEMPLATE_REF=v{V2}", check=True)  # forward, by name
    assert f"to {upgrade.v2[:12]}:" in done.stdout
    commit_all(project, "v2 again")
    done = make(project, "template-update", "TEMPLATE_REF=v9.9.9")
    assert done.returncode != 0 and "error: v9.9.9 is no tag, branch or commit of the template" in done.stderr


def test_the_changelogs_last_release_is_taken_by_its_tag(tmp_path) -> None:
    """A project made from the release before the last (with that release's own
    tools/template.py) takes the last with TEMPLATE_REF=vX.Y.Z from a clone of the template.
    `make release` tags each release; a clone of this checkout may lack the tags (CI's may),
    so missing ones are put back on their `Release X.Y.Z` commits, as published."""
    versions = released_versions(CHANGELOG.read_text(encoding="utf-8"))
    if len(versions) < 2:
        pytest.skip("one release only: nothing to update from")
    template = tmp_path / "template"
    run(["git", "clone", "--quiet", TEMPLATE, template])
    for version in versions:
        if not git(template, "tag", "--list", f"v{version}"):
            git(template, "tag", f"v{version}", str(release_commit(version, template)))
    git(template, "checkout", "--quiet", "--detach", f"v{versions[1]}")
    project = bake(template, tmp_path / "project")
    git(template, "checkout", "--quiet", "-")
    git(project, "init", "--quiet")
    commit_all(project, f"The project as made by the template's {versions[1]}")
    make(project, "template-update", f"TEMPLATE_REF=v{versions[0]}", check=True)
    assert record_of(project)["commit"] == release_commit(versions[0], template)


def copy_of_project(project: Path, destination: Path) -> Path:
    """A clone of a project's repository: its committed state, whatever its tests did since."""
    run(["git", "clone", "--quiet", project, destination])
    return destination


def test_template_check_says_an_update_is_not_finished_until_its_conflicts_are_resolved(
    upgrade: Upgrade, tmp_path
) -> None:
    """Unmerged paths, conflict markers committed by mistake and `.rej` files each keep the
    update unfinished: never "up to date" then."""
    project = copy_of_project(upgrade.projects["conflicting"], tmp_path / "conflicting")
    assert make(project, "template-update").returncode != 0 and unmerged(project) == ["Dockerfile"]
    unfinished = "not finished: the last template update left Dockerfile to resolve"
    for fault in ("unmerged", "markers added"):
        if fault == "markers added":
            git(project, "add", "Dockerfile")
        checked = make(project, "template-check")
        assert checked.returncode != 0 and unfinished in checked.stdout, fault
        assert "up to date" not in checked.stdout
    assert run([sys.executable, "tools/template.py", "check"], project, check=False).returncode == 3
    dockerfile = project / "Dockerfile"
    kept = [
        line
        for line in dockerfile.read_text(encoding="utf-8").splitlines(keepends=True)
        if not line.startswith(("<<<<<<< ", "=======", ">>>>>>> "))
    ]
    dockerfile.write_text("".join(kept), encoding="utf-8")
    commit_all(project, "The template's v2, conflict resolved")
    assert "up to date with the template" in make(project, "template-check", check=True).stdout
    (project / "Dockerfile.rej").write_text("@@ a change not applied\n", encoding="utf-8")
    checked = make(project, "template-check")
    assert checked.returncode != 0 and "left Dockerfile.rej to resolve" in checked.stdout


def ci_template_step(project: Path) -> str:
    """The shell script of the CI job's step that runs the template check."""
    github = project / ".github" / "workflows" / "ci.yml"
    if github.is_file():
        steps = yaml.safe_load(github.read_text(encoding="utf-8"))["jobs"]["lint-and-test"]["steps"]
        scripts = [step.get("run", "") for step in steps]
    else:
        pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
        scripts = pipeline["lint-and-test"]["script"]
    (script,) = [script for script in scripts if "template" in script]
    return script


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_ci_tells_a_project_behind_from_a_template_it_cannot_reach(
    upgrade: Upgrade, ci: str, tmp_path
) -> None:
    """Through make, every failure of template-check exits 2; CI runs tools/template.py itself,
    whose exit status says which, and its notice says so in words."""
    step = ci_template_step(bake(upgrade.template, tmp_path / "ci", ci=ci))
    notice = "::notice title=Project template::" if ci == "github" else "notice: "
    behind = copy_of_project(upgrade.projects["dirty"], tmp_path / "behind")  # made from v1
    gone = copy_of_project(upgrade.projects["dirty"], tmp_path / "gone")
    record = record_of(gone) | {"template": str(tmp_path / "moved-away")}
    (gone / ".cruft.json").write_text(json.dumps(record), encoding="utf-8")
    unfinished = copy_of_project(upgrade.projects["dirty"], tmp_path / "unfinished")
    (unfinished / "Dockerfile.rej").write_text("@@ a change not applied\n", encoding="utf-8")
    current = shutil.copytree(upgrade.fresh_v2, tmp_path / "current")
    expected = {
        current: (0, None),
        behind: (1, "behind: the template has changes not taken yet; make template-update takes them"),
        gone: (2, "template unreachable from CI (exit 2): nothing to take from here"),
        unfinished: (3, "the last template update is not finished"),
    }
    for project, (status, said) in expected.items():
        (project / ".venv").symlink_to(sys.prefix)  # as `make install` leaves it in CI
        assert (
            run([".venv/bin/python", "tools/template.py", "check"], project, check=False).returncode == status
        )
        done = run(["bash", "-e", "-c", step], project)  # a notice, never a failure
        notices = [line for line in done.stdout.splitlines() if line.startswith(notice)]
        if said is None:
            assert notices == [], done.stdout
        else:
            assert len(notices) == 1 and notices[0].startswith(notice + said), done.stdout


@pytest.mark.parametrize("target", ["template-update", "template-check"])
def test_the_template_targets_without_the_virtualenv_say_to_run_make_install(
    upgrade: Upgrade, target: str, tmp_path
) -> None:
    """No .venv at all, or one without the update tools (made by hand): one line each."""
    project = upgrade.projects["dirty"]
    bare = tmp_path / "bare"
    (bare / "bin").mkdir(parents=True)
    (bare / "bin" / "python").symlink_to(Path(sys.base_prefix) / "bin" / "python3")  # no cruft
    for venv, said in [
        (tmp_path / "none", f"error: no {tmp_path / 'none'}/bin/python: run make install first"),
        (bare, "error: cruft is not installed in"),
    ]:
        done = run(["make", "--no-print-directory", target, f"VENV={venv}"], project, check=False)
        assert done.returncode != 0 and said in done.stderr, done.stderr
        assert "Error 127" not in done.stderr and "Traceback" not in done.stderr
        assert "run make install first" in done.stderr.splitlines()[0]


def test_a_project_without_a_template_commit_or_template_says_so(upgrade: Upgrade, tmp_path) -> None:
    """Baked from a folder that is no git checkout: no commit to update from. A template that
    cannot be reached: one line, and nothing changed."""
    unpacked = copy_of_the_template(tmp_path / "unpacked")
    project = bake(unpacked, tmp_path / "from-unpacked")
    assert record_of(project)["commit"] is None
    git(project, "init", "--quiet")
    commit_all(project, "The project as made")
    done = make(project, "template-update")
    assert done.returncode != 0 and "names no template commit" in done.stderr
    record = record_of(project) | {"template": str(tmp_path / "gone"), "commit": upgrade.v1}
    (project / ".cruft.json").write_text(json.dumps(record), encoding="utf-8")
    commit_all(project, "A template that moved")
    for target in ("template-check", "template-update"):
        done = make(project, target)
        assert done.returncode != 0, target
        assert f"error: the template at {tmp_path / 'gone'} could not be" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert git(project, "status", "--porcelain") == ""


def test_a_bake_from_an_archive_records_the_archive_and_no_commit(tmp_path) -> None:
    """cookiecutter unpacks a .zip into a temporary folder: the archive is the source, not that."""
    unpacked = copy_of_the_template(tmp_path / "unpacked")
    archive = tmp_path / "ml-docker-template.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("ml-docker-template/", "")  # cookiecutter wants one top-level folder
        for path in sorted(unpacked.rglob("*")):
            if path.is_file():
                packed.write(path, f"ml-docker-template/{path.relative_to(unpacked).as_posix()}")
    record = record_of(bake(archive, tmp_path / "from-archive"))
    assert (record["template"], record["commit"]) == (str(archive), None)


def test_template_commits_that_change_no_file_leave_the_project_up_to_date(tmp_path) -> None:
    """cruft's update stops early when the template's files are as they were (an empty commit,
    a change undone); the newest commit is recorded all the same, so that `make template-check`
    stops saying behind."""
    template = copy_of_the_template(tmp_path / "template")
    git(template, "init", "--quiet", "--initial-branch=main")
    commit_all(template, "v1")
    project = bake(template, tmp_path / "project")
    git(project, "init", "--quiet")
    commit_all(project, "The project as made")
    newest = commit_all(template, "v1 again: a commit that changes no file")
    assert make(project, "template-check").returncode != 0
    done = make(project, "template-update", check=True)
    assert f".cruft.json now records {newest[:12]} (commit it)" in done.stdout
    assert git(project, "status", "--porcelain").split() == ["M", ".cruft.json"]
    commit_all(project, "The template's newest commit")
    assert "up to date" in make(project, "template-check", check=True).stdout
