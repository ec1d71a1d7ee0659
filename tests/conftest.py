"""Fixtures shared by the template's tests: cached bakes and a runner for commands."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent  # tools installed beside pytest: ruff, hadolint, ...


def user_environment() -> dict[str, str]:
    """This process's environment, less what an outer `make test` passes to sub-makes.

    A generated project's `make` must behave as when a user types it, not as a sub-make
    (which would print "Entering directory" lines into its output).
    """
    return {
        key: value for key, value in os.environ.items() if key not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }


def run(
    command: list[str],
    cwd: Path,
    check: bool = True,
    environment: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command, returning its output; on failure show what it printed.

    `environment` replaces the default one (the user's, with the test tools on PATH);
    `env` is added on top.
    """
    if environment is None:
        environment = {**user_environment(), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    environment = {**environment, **(env or {})}
    done = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
    if check and done.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {done.returncode} in {cwd}\n"
            f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
        )
    return done


@pytest.fixture(scope="session")
def bake(cookies_session) -> Callable[..., Path]:
    """Bake a variant once per session (answers as keyword arguments); returns its folder."""
    baked: dict[tuple, Path] = {}

    def _bake(**answers: str) -> Path:
        key = tuple(sorted(answers.items()))
        if key not in baked:
            result = cookies_session.bake(extra_context=answers)
            assert result.exception is None, f"{answers}: {result.exception}"
            baked[key] = Path(result.project_path)
        return baked[key]

    return _bake
