"""Fixtures shared by the template's tests: cached bakes. Commands run through tooling.commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


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
