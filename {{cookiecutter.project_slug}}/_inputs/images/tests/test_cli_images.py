"""The command line: bad input gives one `error:` line and a non-zero exit, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli import main


def test_train_then_predict_from_the_command_line(
    tmp_path: Path, digits_npz: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quick = ["--training.epochs", "3"]  # how good the model is is not what this tests
    assert main(["train", "--models-dir", "m", "--reports-dir", "r", *quick]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert json.loads((tmp_path / "r" / "metrics.json").read_text()) == metrics
    args = ["predict", "--models-dir", "m", "--input", str(digits_npz), "--output", "o.csv"]
    assert main(args) == 0
    assert (tmp_path / "o.csv").read_text().startswith("id,prediction,probability\n")


def test_table_options_are_not_offered(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--target", "y"])
    assert "unrecognized arguments: --target y" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    help_text = capsys.readouterr().out
    assert "an .npz file (X, y) or a folder" in help_text and "--categorical" not in help_text
