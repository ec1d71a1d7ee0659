"""Writing files all at once, and JSON that every parser reads."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.files import atomic_path, to_json, write_json


def test_the_file_appears_only_when_the_block_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "files" / "out.txt"
    target.parent.mkdir()
    target.write_text("old")
    with atomic_path(target) as temporary:
        temporary.write_text("new")
        assert target.read_text() == "old"  # not written in place
        assert temporary.parent == target.parent  # same file system: the rename is atomic
    assert target.read_text() == "new"
    assert sorted(path.name for path in target.parent.iterdir()) == ["out.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_failure_keeps_the_old_file_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "files" / "out.txt"
    target.parent.mkdir()
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(path.name for path in target.parent.iterdir()) == ["out.txt"]


def test_missing_folders_are_made(tmp_path: Path) -> None:
    write_json(tmp_path / "a" / "b" / "m.json", {"x": 1})
    assert json.loads((tmp_path / "a" / "b" / "m.json").read_text()) == {"x": 1}


def test_json_has_no_nan_or_infinity_tokens() -> None:
    text = to_json({"r2": math.nan, "scores": [1.5, math.inf], "nested": {"x": -math.inf}})
    assert json.loads(text, parse_constant=lambda token: pytest.fail(token)) == {
        "r2": None,
        "scores": [1.5, None],
        "nested": {"x": None},
    }


def test_json_is_indented_for_reading_and_ends_with_a_newline() -> None:
    assert to_json({"b": 1, "a": [2]}) == '{\n  "b": 1,\n  "a": [\n    2\n  ]\n}\n'
