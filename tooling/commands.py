"""Running a command: its output back, or a failure that shows what it printed.

One helper for the tests, the benchmarks and the scripts. Its failure is a SystemExit: a
benchmark or a script that does not catch it stops with the message and no traceback, and
pytest reports it as the failure of the test (or fixture) that ran the command.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

BIN = Path(sys.executable).parent  # tools installed beside this interpreter: ruff, hadolint, ...
TAIL = 4000  # characters of each output stream a failure shows


class CommandFailed(SystemExit):
    """A command exited non-zero; the message holds the command, where it ran and its output."""


def user_environment() -> dict[str, str]:
    """This process's environment, less what an outer `make test` passes to sub-makes.

    A generated project's `make` must behave as when a user types it, not as a sub-make
    (which would print "Entering directory" lines into its output).
    """
    return {
        key: value for key, value in os.environ.items() if key not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }


def run(
    command: Sequence[str | Path],
    cwd: Path | None = None,
    check: bool = True,
    environment: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    capture: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command and return it, its output as text; if it fails and `check`, raise
    CommandFailed with the end of what it printed.

    `environment` replaces the default one (the user's, with the tools beside this interpreter
    first on PATH); `env` is added on top. Without `capture` the output goes to this process's
    own, as it comes (a long run's progress), and the failure cannot show it.
    """
    if environment is None:
        environment = {**user_environment(), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    environment = {**environment, **(env or {})}
    words = [str(word) for word in command]
    done = subprocess.run(words, cwd=cwd, env=environment, capture_output=capture, text=True)
    if check and done.returncode != 0:
        message = f"{shlex.join(words)} exited {done.returncode} in {cwd or Path.cwd()}"
        if capture:
            message += f"\n--- stdout\n{done.stdout[-TAIL:]}\n--- stderr\n{done.stderr[-TAIL:]}"
        raise CommandFailed(message)
    return done


def progress(message: str) -> None:
    """Say what a long step is doing, on stderr (visible with pytest -s)."""
    print(f"[tooling] {message}", file=sys.stderr, flush=True)
