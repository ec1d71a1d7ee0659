"""The command line, whatever the model reads: bad input, or a system error, is one `error:`
line (naming the file when there is one) and a non-zero exit, never a traceback. The inputs
kind's own flags are tested in test_cli_<kind>.py."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.cli import main

from .conftest import CLI_USER_ERRORS
from .fixtures import one_error_line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["train", "--model.init_args.no_such_param", "1"],
            "config key model.init_args.no_such_param: ",
        ),
        (["train", "--training.seed", "-1"], "training.seed: expected a whole number from 0 to"),
        (["train", "--training.test_size", "1.5"], "training.test_size: expected a number between"),
        (["train", "--training.seed", "1.5"], "config key training.seed: expected int, got 1.5"),
        (["train", "--training.no_such_key", "1"], "unrecognized arguments: --training.no_such"),
        (["evaluate", "--models-dir", "nothing-here"], "run `train` first"),
        *CLI_USER_ERRORS,  # the inputs kind's own
    ],
)
def test_user_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 1
    assert message in one_error_line(capsys.readouterr().err)


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
    def failing(args: object, overrides: object) -> None:
        raise error

    monkeypatch.setattr(cli, "run", failing)
    assert main(["evaluate"]) == 1
    assert capsys.readouterr().err.strip() == line
