"""The command line: bad input gives one `error:` line and a non-zero exit, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.cli import main


def test_train_then_predict_from_the_command_line(
    tmp_path: Path, digits_npz: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quick = ["--param", "epochs=3"]  # how good the model is is not what this tests
    assert main(["train", "--models-dir", "m", "--reports-dir", "r", *quick]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert json.loads((tmp_path / "r" / "metrics.json").read_text()) == metrics
    args = ["predict", "--models-dir", "m", "--input", str(digits_npz), "--output", "o.csv"]
    assert main(args) == 0
    assert (tmp_path / "o.csv").read_text().startswith("id,prediction,probability\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "missing.npz"], "data file not found: missing.npz"),
        (["train", "--param", "no_such_param=1"], "unknown parameter(s)"),
        (["train", "--param", "filters=0"], "--param filters=0: expected a whole number"),
        (["evaluate", "--models-dir", "nothing-here"], "run `train` first"),
        (["predict", "--input", "in.npz", "--output", "o.csv"], "run `train` first"),
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


def test_table_options_are_not_offered(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--target", "y"])
    assert "unrecognized arguments: --target y" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = capsys.readouterr().out
    assert "an .npz file (X, y) or a folder" in help_text and "--categorical" not in help_text


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (PermissionError(13, "Permission denied", "m/x"), "error: Permission denied: m/x"),
        (OSError("Corrupt snappy compressed data."), "error: Corrupt snappy compressed data."),
    ],
)
def test_system_errors_are_one_line_naming_the_file_when_known(
    error: OSError, line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing(args: object) -> None:
        raise error

    monkeypatch.setattr(cli, "run", failing)
    assert main(["evaluate"]) == 1
    assert capsys.readouterr().err.strip() == line
