"""The command line, whatever the model reads: bad input, or a system error, is one `error:`
line (naming the file when there is one) and a non-zero exit, never a traceback. The inputs
kind's own flags are tested in test_cli_<kind>.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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
    ("edit", "line"),
    [
        (
            lambda text: text + "metrics: [accuracy]\n",
            "error: config.yaml: 'metrics' is not one of its sections (model, training)",
        ),
        (
            lambda text: text.replace("training:\n", "training:\n  no_such_setting: 3\n"),
            "error: config key training.no_such_setting: training has no setting 'no_such_setting'",
        ),
        (lambda text: "model: [\n", "error: config.yaml is not valid YAML: "),
        (
            lambda text: "training:\n  seed: 1\n",
            "error: config.yaml or the command line: the following arguments are required: model",
        ),
        (
            lambda text: text.replace("class_path: ", "class_path: no_such_module.", 1),
            "error: config key model: ",
        ),
    ],
)
def test_a_config_file_that_is_wrong_is_one_line_naming_what(
    edit: Callable[[str], str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = Path("config.yaml")  # this test's copy of the project's
    config.write_text(edit(config.read_text()))
    assert main(["train"]) == 1
    assert one_error_line(capsys.readouterr().err).startswith(line)


def test_a_missing_config_file_says_what_it_is_for(capsys: pytest.CaptureFixture[str]) -> None:
    Path("config.yaml").unlink()
    assert main(["train"]) == 1
    assert "config.yaml is missing: it says which model to train" in capsys.readouterr().err


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
