"""Fixtures shared by the template's tests: cached bakes. Commands run through tooling.commands.

`make test` runs the tests in two pytest-xdist workers (`--dist loadgroup`): one worker takes all
the tests of one xdist group, so whatever a group's tests share (a session's bakes, a module's
fixtures) is made once. A test's group is its module unless it names one: the docker tier is one
group (its images and caches are removed when it ends), and each generated project is its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


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
