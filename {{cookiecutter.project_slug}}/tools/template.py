"""Take the project template's newer changes into this repository, keeping your own edits.

`make template-update` and `make template-check` run this file. The work is cruft's: it renders
the template at the commit recorded in .cruft.json and at the newest one, with the answers
recorded there (questions new to the template take their defaults), and applies the difference
with git's three-way merge. This file refuses a working tree git could not restore, and an
older template unless asked, and says what happened file by file: what changed, what
conflicts and how to finish, and which of the template's changes went to files deleted here.

What updates leave alone is `skip` under [tool.cruft] in pyproject.toml (and in .cruft.json,
if listed there): cruft reads both, so `cruft update` run directly keeps the same files.

`check` exits 0 when the project is up to date, 1 when the template has changes not taken yet,
2 when the template cannot be read (or the record is incomplete) and 3 while the last update is
not finished. `make template-check` turns every failure into make's 2: CI runs this file.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import io
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import cruft
    from cruft._commands.utils import generate
    from cruft._commands.utils.cruft import json_dumps
except ImportError as missing:  # a .venv made by hand, or before the project pinned cruft
    sys.exit(f"error: {missing.name} is not installed in {sys.prefix}: run make install first")

RECORD = Path(".cruft.json")
PYPROJECT = Path("pyproject.toml")
RELEASE_TAG = re.compile(r"v(\d+\.\d+\.\d+)")
# check's exit codes, as the README documents them (CI tells them apart). REFUSED is also
# the update's: nothing was done.
CURRENT, BEHIND, REFUSED, UNFINISHED = 0, 1, 2, 3
# Modules the template's renderer imports from the template itself (its Jinja extensions).
# cruft imports them once, from the older commit, and renders the newer one with them too
# (cruft issue #253): they are dropped before each render.
TEMPLATE_MODULES = ("local_extensions", "tooling")


class Refused(Exception):
    """One line saying why nothing was done."""


def git(*args: str, check: bool = True) -> str:
    """git's output; with `check=False`, "" when git fails (a question answered no)."""
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except OSError as error:
        raise Refused(f"git cannot be run ({error}): the update merges with git") from error
    if done.returncode != 0:
        if not check:
            return ""
        raise Refused(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def read_record() -> dict[str, Any]:
    if not RECORD.is_file():
        raise Refused(
            f"{RECORD} is missing: it records the template and answers this project was made "
            "from. Record them with: cruft link <template URL>"
        )
    record: dict[str, Any] = json.loads(RECORD.read_text(encoding="utf-8"))
    if not record.get("commit"):
        raise Refused(
            f"{RECORD} names no template commit (the template was not a git checkout when this "
            f'project was made): set "commit" to the template commit it was made from'
        )
    return record


def refuse_unsaved_work() -> None:
    """The update is undone with git, so everything git would lose is refused first."""
    try:
        top = git("rev-parse", "--show-toplevel").strip()
    except Refused:  # not in a repository
        top = ""
    if top != str(Path.cwd().resolve()):
        raise Refused(
            "this folder is not a git repository of its own, and the update merges with git: "
            "git init && git add -A && git commit -m 'The project as made', then again"
        )
    unsaved = git("status", "--porcelain", "--untracked-files=all").splitlines()
    if unsaved:
        names = ", ".join(line[3:] for line in unsaved[:5]) + (" ..." if len(unsaved) > 5 else "")
        raise Refused(
            f"{len(unsaved)} uncommitted changes ({names}): commit or stash them first, so that "
            "the update can be reviewed and undone with git"
        )


def skipped_by_updates(record: dict[str, Any]) -> list[str]:
    """The paths updates leave alone, read where cruft reads them."""
    skip = list(record.get("skip", []))
    if PYPROJECT.is_file():
        settings = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
        skip += settings.get("tool", {}).get("cruft", {}).get("skip", [])
    return skip


def is_skipped(name: str, skip: list[str]) -> bool:
    """`name` is a skipped path, or inside one (an entry with `*` is a pattern, as for cruft)."""
    within = [name, *(parent.as_posix() for parent in Path(name).parents)]
    return any(
        fnmatch.fnmatch(path, entry) if "*" in entry else path == entry.rstrip("/")
        for entry in skip
        for path in within
    )


def rendering_for_the_update(
    render: Callable[..., Any], renders: list[dict[str, bytes]]
) -> Callable[..., Any]:
    """cruft's render, with the template's modules imported afresh for each commit, keeping
    each render's files (the recorded commit's, then the new one's) in `renders`."""

    def fresh(
        cruft_state: Any, commit: str, project_dir: Path, cookiecutter_input: bool, output_dir: Path
    ) -> Any:
        for name in [m for m in sys.modules if m.split(".")[0] in TEMPLATE_MODULES]:
            del sys.modules[name]
        context = render(cruft_state, commit, project_dir, cookiecutter_input, output_dir)
        renders.append(
            {
                path.relative_to(output_dir).as_posix(): path.read_bytes()
                for path in output_dir.rglob("*")
                if path.is_file()
            }
        )
        return context

    return fresh


def changed_but_deleted_here(renders: list[dict[str, bytes]], skip: list[str]) -> list[str]:
    """Files deleted here that the template changed: cruft leaves them out of the update (they
    stay deleted) without a word, so the update names them."""
    if len(renders) != 2:
        return []
    old, new = renders
    return sorted(
        name
        for name, content in old.items()
        if new.get(name, content) != content
        and not Path(name).exists()
        and not is_skipped(name, skip)
    )


def quietly(action: Callable[[], bool], failure: str) -> bool:
    """Run one of cruft's commands with its messages held back; when it fails, show them, then
    say `failure` and why in one line."""
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            return action()
    except Exception as error:  # a clone, render or hook failure, whatever raised it
        sys.stderr.write(output.getvalue())
        raise Refused(f"{failure}: {error}") from error


def answers_of(record: dict[str, Any]) -> dict[str, Any]:
    """The questions' answers: the recorded context without its derived (`_`) values."""
    context: dict[str, Any] = record["context"]["cookiecutter"]
    return {key: value for key, value in context.items() if not key.startswith("_")}


def new_answers(record: dict[str, Any], settings: list[str]) -> dict[str, str]:
    """`question=answer` settings, for questions the record has."""
    answers, changes = answers_of(record), {}
    for setting in settings:
        question, equals, answer = setting.partition("=")
        if not equals or question not in answers:
            raise Refused(
                f"--set {setting}: expected QUESTION=ANSWER, with a question of "
                f"{RECORD}: {', '.join(answers)}"
            )
        changes[question] = answer
    return changes


def release_of(clone: str, commit: str) -> str:
    """`commit`, and the release it is, by its tag or by its `Release X.Y.Z` subject."""
    tags = git("-C", clone, "tag", "--points-at", commit, check=False).split()
    subject = git("-C", clone, "log", "-1", "--format=%s", commit, check=False).strip()
    versions = [m[1] for m in map(RELEASE_TAG.fullmatch, tags) if m]
    versions += re.findall(r"^Release (\d+\.\d+\.\d+)$", subject)
    return f"{commit[:12]} (release {versions[0]})" if versions else commit[:12]


def named_commit(clone: str, ref: str) -> str | None:
    """The commit `ref` names in `clone`: a tag, a branch or a commit; or, for `vX.Y.Z`, the
    commit named `Release X.Y.Z`, so that a release is found in a copy of the template that
    lacks its tags."""
    names = [ref, f"origin/{ref}"]
    found = [
        git("-C", clone, "rev-parse", "--verify", "-q", name + "^{commit}", check=False)
        for name in names
    ]
    release = RELEASE_TAG.fullmatch(ref)
    if release:
        subject = f"--grep=^Release {re.escape(release[1])}$"
        found.append(git("-C", clone, "log", "--format=%H", "-E", subject, check=False))
    return next((text.split()[0] for text in found if text.strip()), None)


def template_commit(template: str, ref: str, on: str, allow_downgrade: bool) -> str:
    """The template commit `ref` names. One older than `on`, the recorded commit, would undo
    the template's later changes here: refused unless `allow_downgrade`."""
    with tempfile.TemporaryDirectory() as clone:
        cloning = [
            "git",
            "clone",
            "--quiet",
            "--no-checkout",
            "--filter=blob:none",
            template,
            clone,
        ]
        cloned = subprocess.run(cloning, capture_output=True, text=True, check=False)
        if cloned.returncode != 0:
            raise Refused(f"the template at {template} could not be read: {cloned.stderr.strip()}")
        commit = named_commit(clone, ref)
        if commit is None:
            raise Refused(
                f"{ref} is no tag, branch or commit of the template at {template}: expected a "
                "release tag such as v1.2.0 (or its 'Release 1.2.0' commit), a branch or a commit"
            )
        if (
            commit != on
            and not allow_downgrade
            and succeeds("-C", clone, "merge-base", "--is-ancestor", commit, on)
        ):
            raise Refused(
                f"{ref} ({commit[:12]}) is older than the template commit this project is on, "
                f"{release_of(clone, on)}: taking it undoes the template's later changes here; "
                "to do so all the same: ALLOW_DOWNGRADE=1 (--allow-downgrade)"
            )
    return commit


def succeeds(*args: str) -> bool:
    """Whether a git command that answers by its exit status answers yes."""
    return subprocess.run(["git", *args], capture_output=True, check=False).returncode == 0


def nothing_new(record: dict[str, Any], ref: str | None) -> int:
    """cruft's update finds nothing to merge when the template's newer commits leave its files
    as they were, and keeps the recorded commit; its check then calls the project behind. The
    newest commit is recorded instead, so that `make template-check` agrees."""
    newest = None if ref else git("ls-remote", record["template"], "HEAD").split()[0]
    if newest is None or newest == record["commit"]:
        print(f"up to date: the template has nothing new since {record['commit'][:12]}")
        return 0
    since = record["commit"][:12]
    record["commit"] = record["context"]["cookiecutter"]["_commit"] = newest
    RECORD.write_text(json_dumps(record), encoding="utf-8")  # as cruft writes it
    print(
        f"up to date: the template's commits since {since} change no file here; "
        f"{RECORD} now records {newest[:12]} (commit it)"
    )
    return 0


def update(ref: str | None, settings: list[str], allow_downgrade: bool = False) -> int:
    record = read_record()
    changes = new_answers(record, settings)
    refuse_unsaved_work()
    commit = ref and template_commit(record["template"], ref, record["commit"], allow_downgrade)
    skip, renders = skipped_by_updates(record), list[dict[str, bytes]]()
    generate._generate_output = rendering_for_the_update(generate._generate_output, renders)
    quietly(
        lambda: cruft.update(
            Path("."), skip_apply_ask=True, checkout=commit, extra_context=changes
        ),
        f"the template at {record['template']} could not be rendered",
    )
    after = read_record()
    if "skip" in record and after.get("skip") != record["skip"]:
        # cruft adds pyproject's list to the record's own, in place, and saves it: undone.
        after["skip"] = record["skip"]
        RECORD.write_text(json_dumps(after), encoding="utf-8")
    before, now = answers_of(record), answers_of(after)
    if after["commit"] == record["commit"] and now == before:
        return nothing_new(record, ref)
    changed = git("status", "--porcelain", "--untracked-files=all").splitlines()
    conflicts = git("diff", "--name-only", "--diff-filter=U").split()
    rejected = [line[3:] for line in changed if line.endswith(".rej")]
    print(f"updated from template commit {record['commit'][:12]} to {after['commit'][:12]}:")
    for line in changed:
        print(f"  {line}")
    for key, value in now.items():
        if key not in before:
            print(f"new question {key!r}: answered with its default {value!r} (in {RECORD})")
        elif value != before[key]:
            print(f"answer to {key!r}: {before[key]!r}, now {value!r}")
    for name in changed_but_deleted_here(renders, skip):
        print(f"not taken: the template changed {name}, which was deleted here; it stays deleted")
    for name in conflicts:
        print(
            f"conflict in {name}: you and the template changed the same lines. Edit it where "
            f"<<<<<<< marks them, keep what you want, then: git add {name}"
        )
    for name in rejected:
        print(
            f"not applied: the template's change to {name[: -len('.rej')]} is in {name}; "
            f"apply it by hand, then delete {name}"
        )
    print("Review with 'git diff HEAD' and 'make test', then commit; to undo: git reset --hard")
    return 1 if conflicts or rejected else 0


def unfinished_update() -> list[str]:
    """Files a template update left for a hand to finish: unmerged in git, holding conflict
    markers, or a `.rej` file beside them. Outside a git repository, none are found; in one
    the project is nested in, only the project's own files count."""
    unmerged = git("diff", "--name-only", "--relative", "--diff-filter=U", check=False).splitlines()
    rejected = git("ls-files", "--cached", "--others", "--exclude-standard", "*.rej", check=False)
    markers = ["-e", "^<<<<<<< ", "-e", "^>>>>>>> "]
    marked = git("grep", "-l", "-I", "--untracked", "--all-match", *markers, check=False)
    return sorted({*unmerged, *rejected.splitlines(), *marked.splitlines()})


def check() -> int:
    record = read_record()
    unfinished = unfinished_update()
    if unfinished:
        print(
            f"not finished: the last template update left {', '.join(unfinished)} to resolve "
            "(conflict markers <<<<<<<, .rej files, unmerged paths): resolve them, then commit"
        )
        return UNFINISHED
    current = quietly(
        lambda: cruft.check(Path(".")), f"the template at {record['template']} could not be read"
    )
    if current:
        print(f"up to date with the template at {record['template']} ({record['commit'][:12]})")
        return CURRENT
    print(
        f"behind: the template at {record['template']} has changes since {record['commit'][:12]}; "
        "make template-update takes them"
    )
    return BEHIND


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="exit 1 when the template has changes not taken yet")
    taking = commands.add_parser("update", help="take the template's changes, keeping your edits")
    taking.add_argument("--ref", help="a template tag or branch to update to (default: its newest)")
    taking.add_argument(
        "--allow-downgrade",
        action="store_true",
        help="take a --ref older than the recorded commit, undoing the template's later changes",
    )
    taking.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="QUESTION=ANSWER",
        help="change an answer: the files it decides are rendered again (repeatable)",
    )
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "check":
            return check()
        return update(arguments.ref, arguments.set, arguments.allow_downgrade)
    except Refused as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return REFUSED


if __name__ == "__main__":
    sys.exit(main())
