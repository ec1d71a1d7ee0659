"""Take the project template's newer changes into this repository, keeping your own edits.

`make template-update` and `make template-check` run this file. The work is cruft's: it renders
the template at the commit recorded in .cruft.json and at the newest one, with the answers
recorded there (questions new to the template take their defaults), and applies the difference
with git's three-way merge. This file refuses a working tree git could not restore, and says
what happened file by file: what changed, what conflicts and how to finish.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cruft
from cruft._commands.utils import generate
from cruft._commands.utils.cruft import json_dumps

RECORD = Path(".cruft.json")
# Modules the template's renderer imports from the template itself (its Jinja extensions).
# cruft imports them once, from the older commit, and renders the newer one with them too
# (cruft issue #253): they are dropped before each render.
TEMPLATE_MODULES = ("local_extensions", "tooling")


class Refused(Exception):
    """One line saying why nothing was done."""


def git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except OSError as error:
        raise Refused(f"git cannot be run ({error}): the update merges with git") from error
    if done.returncode != 0:
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


def rendering_with_fresh_template_modules(render: Callable[..., Any]) -> Callable[..., Any]:
    def fresh(*args: Any, **kwargs: Any) -> Any:
        for name in [m for m in sys.modules if m.split(".")[0] in TEMPLATE_MODULES]:
            del sys.modules[name]
        return render(*args, **kwargs)

    return fresh


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


def update(ref: str | None, settings: list[str]) -> int:
    record = read_record()
    changes = new_answers(record, settings)
    refuse_unsaved_work()
    generate._generate_output = rendering_with_fresh_template_modules(generate._generate_output)
    quietly(
        lambda: cruft.update(Path("."), skip_apply_ask=True, checkout=ref, extra_context=changes),
        f"the template at {record['template']} could not be rendered",
    )
    after = read_record()
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


def check() -> int:
    record = read_record()
    current = quietly(
        lambda: cruft.check(Path(".")), f"the template at {record['template']} could not be read"
    )
    if current:
        print(f"up to date with the template at {record['template']} ({record['commit'][:12]})")
        return 0
    print(
        f"behind: the template at {record['template']} has changes since {record['commit'][:12]}; "
        "make template-update takes them"
    )
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="exit 1 when the template has changes not taken yet")
    taking = commands.add_parser("update", help="take the template's changes, keeping your edits")
    taking.add_argument("--ref", help="a template tag or branch to update to (default: its newest)")
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
        return update(arguments.ref, arguments.set)
    except Refused as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
