"""The pre-generation hook refuses what cannot work, with one line that says why."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from .variants import OUTSIDE_CHOICES, TEMPLATE, UNSUPPORTED, variant_id

spec = importlib.util.spec_from_file_location("pre_gen", TEMPLATE / "hooks" / "pre_gen_project.py")
pre_gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pre_gen)

VALID = {
    "project_slug": "my-ml-project",
    "package_name": "my_ml_project",
    "author_email": "you@example.com",
    "framework": "sklearn",
    "model": "logistic",
    "use_gpu": False,
}


def test_valid_answers_have_no_problems() -> None:
    assert pre_gen.problems(VALID) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "cnn"}, "model 'cnn' is not available with framework 'sklearn'; choose one of"),
        ({"framework": "mxnet"}, "framework 'mxnet' is not offered; choose one of: sklearn"),
        ({"use_gpu": True}, "use_gpu=yes is not available with framework 'sklearn'"),
        ({"use_gpu": "yes"}, "use_gpu=yes is not available"),
        ({"package_name": "for"}, "package_name 'for' is not a valid Python package name"),
        ({"project_slug": "-x"}, "project_slug '-x' is not valid"),
    ],
)
def test_each_problem_is_named(changes: dict, message: str) -> None:
    found = pre_gen.problems({**VALID, **changes})
    assert len(found) == 1
    assert message in found[0]


def cookiecutter_cli(answers: dict[str, str], output: Path) -> subprocess.CompletedProcess:
    arguments = [f"{key}={value}" for key, value in answers.items()]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output), str(TEMPLATE)]
    return subprocess.run(command + arguments, capture_output=True, text=True)


@pytest.mark.parametrize(("answers", "message"), UNSUPPORTED, ids=[variant_id(a) for a, _ in UNSUPPORTED])
def test_refused_answers_leave_nothing_behind(answers: dict, message: str, tmp_path: Path) -> None:
    done = cookiecutter_cli(answers, tmp_path)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, done.stdout + done.stderr
    assert message in errors[0]
    assert "Traceback" not in done.stdout + done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("answers", "message"), OUTSIDE_CHOICES, ids=[variant_id(a) for a, _ in OUTSIDE_CHOICES]
)
def test_values_outside_the_choices_are_refused(answers: dict, message: str, tmp_path: Path) -> None:
    done = cookiecutter_cli(answers, tmp_path)
    assert done.returncode != 0
    assert message in done.stderr.strip().splitlines()[-1]
    assert list(tmp_path.iterdir()) == []
