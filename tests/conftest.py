"""Fixtures shared by the template's tests: cached bakes. Commands run through tooling.commands.

`make test` runs the tests in two pytest-xdist workers. One worker takes all the tests of one
scope, so that what they share (a session's bakes, a module's fixtures) is made once: a
module's tests, or in the modules below, the tests of one parameter (a generated project, a
documented project, a bake), which share nothing with another parameter's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

# Split by parameter; the docker tier stays one scope: its images share layers, and its end
# removes them and the build cache.
SPLIT_BY_PARAMETER = {"tests/test_generated.py", "tests/test_docs.py", "tests/test_bake.py"}


class ByModuleOrParameter(LoadScopeScheduling):
    """pytest-xdist's --dist loadscope, with a scope per parameter in SPLIT_BY_PARAMETER."""

    def _split_scope(self, nodeid: str) -> str:
        module, _, test = nodeid.partition("::")
        if module in SPLIT_BY_PARAMETER and "[" in test:
            return module + test[test.index("[") :]
        return module


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> ByModuleOrParameter:
    return ByModuleOrParameter(config, log)


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
