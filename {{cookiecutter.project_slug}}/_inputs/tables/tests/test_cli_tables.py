"""The command line: bad input gives one `error:` line and a non-zero exit, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli import main

from .conftest import QUICK

QUICK_ARGS = list(QUICK)


def test_train_then_predict_from_the_command_line(
    tmp_path: Path, bundled_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--models-dir", "m", "--reports-dir", "r", *QUICK_ARGS]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert json.loads((tmp_path / "r" / "metrics.json").read_text()) == metrics
    assert (
        main(["predict", "--models-dir", "m", "--input", str(bundled_csv), "--output", "o.csv"])
        == 0
    )
    assert (tmp_path / "o.csv").is_file()


def test_column_flags_and_the_columns_file_choose_the_same_types(
    customers_csv: Path, tmp_path: Path
) -> None:
    def trained_types(*options: str) -> dict[str, str]:
        models = tmp_path / f"m{len(list(tmp_path.iterdir()))}"
        args = [
            "train",
            "--data",
            str(customers_csv),
            "--target",
            "label",
            "--models-dir",
            str(models),
            *QUICK_ARGS,
        ]
        assert main([*args, *options]) == 0
        types: dict[str, str] = json.loads((models / "model.json").read_text())["feature_types"]
        return types

    expected = {"tenure": "categorical", "contract": "categorical", "payment": "categorical"}
    by_flags = trained_types(
        "--drop", "customer_id", "--drop", "monthly_charges", "--categorical", "tenure"
    )
    assert by_flags == expected
    columns = tmp_path / "columns.toml"
    columns.write_text('drop = ["customer_id", "monthly_charges"]\ncategorical = ["tenure"]\n')
    assert trained_types("--columns", str(columns)) == expected
    columns.write_text('drop = ["customer_id"]\nmax_categories = 2\n')
    assert (
        main(
            ["train", "--data", str(customers_csv), "--target", "label", "--columns", str(columns)]
        )
        == 1
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("dorp = []", "unknown key 'dorp'; expected: categorical, numeric, drop, max_categories"),
        ('drop = "id"', "drop = 'id': expected a list of column names"),
        ("max_categories = 1", "max_categories = 1: expected a whole number of at least 2"),
        ("drop = [", "is not a valid TOML file"),
    ],
)
def test_a_bad_columns_file_is_one_error_line(
    content: str,
    message: str,
    customers_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "c.toml").write_text(content)
    args = ["train", "--data", str(customers_csv), "--target", "label", "--columns", "c.toml"]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: c.toml") and message in err and "\n" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["train", "--max-categories", "1"],
            "--max-categories: expected a whole number of at least 2",
        ),
        ([], "the following arguments are required: COMMAND"),
        (["train", "--no-such-flag", "1"], "unrecognized arguments: --no-such-flag 1"),
        (
            ["predict", "--input", "i.csv", "--output", "o.csv", "--training.seed", "1"],
            "unrecognized arguments: --training.seed 1",
        ),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
