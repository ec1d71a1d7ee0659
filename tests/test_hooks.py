"""The answers: the hook refuses what cannot work with one line, read first, that says why;
free text reaches the generated files as the user typed it."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from local_extensions import FRAMEWORKS, toml_string
from scripts import sync_hook_with_pins
from tooling.hooks import load_hook
from tooling.variants import (
    EMAILS_SETUPTOOLS_ACCEPTS,
    EMAILS_SETUPTOOLS_REFUSES,
    OUTSIDE_CHOICES,
    QUESTIONS,
    TEMPLATE,
    UNSUPPORTED,
    variant_id,
)

pre_gen = load_hook()

VALID = {
    "project_name": "My ML Project",
    "project_slug": "my-ml-project",
    "package_name": "my_ml_project",
    "author_name": "Zoë O'Brien-Łukasz",
    "author_email": "you@example.com",
    "framework": "sklearn",
    "model": "logistic",
    "use_gpu": False,
    "python_version": "3.11",
}


def test_valid_answers_have_no_problems() -> None:
    assert pre_gen.problems(VALID, FRAMEWORKS) == []


# Each framework with a CUDA build (its facts' [builds.gpu]), with each model it offers and each
# Python version that build installs on, whether or not its CPU build does (PyTorch's: 3.11 only).
GPU_ANSWERS = [
    (framework, model, python_version)
    for framework, facts in FRAMEWORKS.items()
    if "gpu" in facts["builds"]
    for model in facts["models"]
    for python_version in facts["builds"]["gpu"]["pythons"]
]


@pytest.mark.parametrize(("framework", "model", "python_version"), GPU_ANSWERS)
def test_gpu_training_is_offered_with_each_framework_that_has_a_cuda_build(
    framework: str, model: str, python_version: str
) -> None:
    answers = {**VALID, "framework": framework, "model": model, "python_version": python_version}
    assert pre_gen.problems({**answers, "use_gpu": True}, FRAMEWORKS) == []
    assert pre_gen.problems({**answers, "use_gpu": "yes"}, FRAMEWORKS) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "cnn"}, "model 'cnn' is not available with framework 'sklearn'; choose one of"),
        ({"framework": "mxnet"}, "framework 'mxnet' is not offered; choose one of: sklearn"),
        ({"use_gpu": True}, "use_gpu=yes is not available with framework 'sklearn'"),
        ({"use_gpu": "yes"}, "use_gpu=yes is not available"),
        ({"use_gpu": "yes", "python_version": "3.12"}, "choose one of: pytorch, tensorflow"),
        ({"framework": "pytorch", "model": "svm"}, "model 'svm' is not available with framework 'pytorch'"),
        ({"framework": "pytorch", "python_version": "3.12"}, "framework 'pytorch' with python_version=3.12"),
        ({"package_name": "for"}, "package_name 'for' is not a valid Python package name"),
        ({"project_slug": "-x"}, "project_slug '-x' is not valid"),
        ({"project_slug": "-", "package_name": "_"}, "project_name 'My ML Project' has no letter or digit"),
        ({"package_name": "__init__"}, "package_name '__init__' is a double-underscore name"),
        ({"package_name": "tests"}, "package_name 'tests' is a name pytest and the project's tests use"),
        ({"package_name": "pylab"}, "package_name 'pylab' is the import name of matplotlib"),
        ({"package_name": "pip"}, "package_name 'pip' is the import name of pip"),
        ({"package_name": "_distutils_hack"}, "is the import name of setuptools"),
        ({"package_name": "nvidia"}, "is the import name of nvidia-cublas and 26 other distributions"),
        ({"author_email": "a b@example.com"}, "Python's email parser says: local-part is not dot-atom"),
    ],
)
def test_each_problem_is_named(changes: dict, message: str) -> None:
    found = pre_gen.problems({**VALID, **changes}, FRAMEWORKS)
    assert len(found) == 1
    assert message in found[0]


@pytest.mark.parametrize("address", EMAILS_SETUPTOOLS_REFUSES)
def test_addresses_setuptools_refuses_are_refused(address: str) -> None:
    found = pre_gen.problems({**VALID, "author_email": address}, FRAMEWORKS)
    assert len(found) == 1
    assert found[0].startswith(f"author_email {address!r} would make installing the project fail")


@pytest.mark.parametrize("address", EMAILS_SETUPTOOLS_ACCEPTS)
def test_addresses_setuptools_accepts_are_accepted(address: str) -> None:
    assert pre_gen.problems({**VALID, "author_email": address}, FRAMEWORKS) == []


def test_the_hook_was_synced_with_the_current_pins() -> None:
    """Changing a pinned requirements file means running scripts/sync_hook_with_pins.py again."""
    assert sync_hook_with_pins.pins_sha256() == pre_gen.PINS_SHA256, "pins changed: run `make sync-hook`"


HOOK_FAILED_NOTICE = "Hook script failed (exit status: 1)"  # cookiecutter's own line, after the hook's


def cookiecutter_cli(
    answers: dict[str, str], output: Path, merge: bool = False
) -> subprocess.CompletedProcess:
    """`cookiecutter --no-input`; with `merge`, stdout and stderr in one stream, as a terminal shows them."""
    arguments = [f"{key}={value}" for key, value in answers.items()]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output), str(TEMPLATE)]
    stderr = subprocess.STDOUT if merge else subprocess.PIPE
    return subprocess.run(command + arguments, stdout=subprocess.PIPE, stderr=stderr, text=True)


@pytest.mark.parametrize(("answers", "message"), UNSUPPORTED, ids=[variant_id(a) for a, _ in UNSUPPORTED])
def test_refused_answers_leave_nothing_behind(answers: dict, message: str, tmp_path: Path) -> None:
    done = cookiecutter_cli(answers, tmp_path, merge=True)
    assert done.returncode != 0
    # The hook's one line comes first, and the only other line is cookiecutter's notice.
    error, *rest = done.stdout.splitlines()
    assert error.startswith("ERROR: ") and message in error, done.stdout
    assert rest == [HOOK_FAILED_NOTICE], done.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("answers", "message"), OUTSIDE_CHOICES, ids=[variant_id(a) for a, _ in OUTSIDE_CHOICES]
)
def test_values_outside_the_choices_are_refused(answers: dict, message: str, tmp_path: Path) -> None:
    done = cookiecutter_cli(answers, tmp_path)
    assert done.returncode != 0
    assert message in done.stderr.strip().splitlines()[-1]
    assert list(tmp_path.iterdir()) == []


ANSI_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def answer_in_a_terminal(answers: list[str], output: Path) -> list[str]:
    """Run cookiecutter interactively in a pseudo-terminal, typing each answer when a prompt
    waits for one; return the lines of the screen (questions, typed answers, messages)."""
    primary, secondary = pty.openpty()
    command = [sys.executable, "-m", "cookiecutter", "-o", str(output), str(TEMPLATE)]
    env = {**os.environ, "COLUMNS": "250", "LANG": "C.UTF-8"}
    process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, env=env)
    os.close(secondary)
    screen, to_type, deadline = "", list(answers), time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if not select.select([primary], [], [], 1)[0]:
                continue
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: cookiecutter exited and the terminal closed
                break
            screen += chunk.decode("utf-8", "replace")
            if to_type and ANSI_CODES.sub("", screen).endswith("): "):  # a question waits
                os.write(primary, f"{to_type.pop(0)}\n".encode())
    finally:
        os.close(primary)
        process.wait(timeout=30)
    assert not to_type, f"cookiecutter asked fewer questions than expected:\n{screen}"
    return ANSI_CODES.sub("", screen).replace("\r\n", "\n").splitlines()


def test_in_a_terminal_a_refused_answer_is_read_first_and_alone(tmp_path: Path) -> None:
    questions = [key for key in QUESTIONS if not key.startswith("_")]
    answers = ["you@localhost" if key == "author_email" else "" for key in questions]
    lines = answer_in_a_terminal(answers, tmp_path)
    last_question = max(i for i, line in enumerate(lines) if line.rstrip().endswith("):"))
    assert [line for line in lines[last_question + 1 :] if line.strip()] == [
        "ERROR: author_email 'you@localhost' would make installing the project fail: setuptools refuses "
        "it (it needs one '@' and a domain with a dot after it); give a plain address such as "
        "'you@example.com'",
        HOOK_FAILED_NOTICE,
    ], "\n".join(lines)
    assert list(tmp_path.iterdir()) == []


def test_free_text_is_written_readably_into_pyproject(bake) -> None:
    answers = {
        "author_name": "Zoë O'Brien-Łukasz",
        "author_email": '"zoe o\'brien"@exämple.org',
        "description": 'Prédit le "churn" \\ de C:\\données',
    }
    text = (bake(**answers) / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    assert project["authors"] == [{"name": answers["author_name"], "email": answers["author_email"]}]
    assert project["description"] == answers["description"]
    assert "Zoë O'Brien-Łukasz" in text and "Prédit" in text and "exämple" in text
    assert "\\u" not in text


@pytest.mark.parametrize(
    "text",
    ["plain", "Zoë 東京 🙂", 'quote " and \\ backslash', "tab\tnew\nline\rcr", "bell\x07 del\x7f esc\x1b"],
)
def test_toml_string_reads_back_as_the_same_text(text: str) -> None:
    assert tomllib.loads(f"value = {toml_string(text)}")["value"] == text
