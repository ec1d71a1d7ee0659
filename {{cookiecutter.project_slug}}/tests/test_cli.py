"""The command line: bad input gives one `error:` line and a non-zero exit, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli import main

from .conftest import write_csv


def test_train_then_predict_from_the_command_line(
    tmp_path: Path, bundled_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--models-dir", "m", "--reports-dir", "r"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert json.loads((tmp_path / "r" / "metrics.json").read_text()) == metrics
    assert (
        main(["predict", "--models-dir", "m", "--input", str(bundled_csv), "--output", "o.csv"])
        == 0
    )
    assert (tmp_path / "o.csv").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "missing.csv", "--target", "y"], "data file not found: missing.csv"),
        (["train", "--target", "y"], "--target needs --data"),
        (["train", "--param", "no_such_param=1"], "unknown parameter(s)"),
        (["evaluate", "--models-dir", "nothing-here"], "run `train` first"),
        (["predict", "--input", "in.csv", "--output", "o.csv"], "run `train` first"),
    ],
)
def test_user_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ")
    assert message in err[-1]
    assert "Traceback" not in "\n".join(err)


def test_non_numeric_column_names_column_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_csv(tmp_path / "d.csv", ["x", "y"], [[1, 0], [2, 1]] * 5 + [["high", 1]])
    assert main(["train", "--data", "d.csv", "--target", "y"]) == 1
    assert "column 'x' has 'high' on line 12" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["train", "--test-size", "1.5"], ["train", "--param", "C"], []])
def test_bad_flags_exit_2_with_usage(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
