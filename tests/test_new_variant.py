"""A new framework is one new folder; a new model of a framework is its facts table.

A copy of this template gains a framework that is a copy of an existing one under a new name:
the framework's folder copied, its facts file changed (name, display name, description, place
in the choices), and the documented `make sync-facts` run; nothing else is touched. The copy
bakes the new framework as it bakes the one it was copied from (only the names differ), the
copy's own static tier passes for it, and its generated project installs, tests and trains.
A facts file that is wrong stops the bake with one line naming the file and the key; facts
changed without `make sync-facts` fail the copy's facts test, which names the command.

Another copy gains a new scikit-learn model, NEW_MODEL, written as a person would: its
`[models.<name>]` table in the framework's facts file (its estimator's class path and
arguments), then `make sync-facts`. The copy's static tier passes for it, and its project
installs, passes its lint and tests, and trains to the model's quality bar.

Whatever imports the copy's `local_extensions` (cookiecutter, the sync script, the copy's
tests) runs in a subprocess in the copy: this process has already imported the checkout's.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import NamedTuple

import pytest

from local_extensions import FACTS_FILE, FRAMEWORKS, FRAMEWORKS_DIR
from tooling import TEMPLATE
from tooling.commands import BIN, run
from tooling.hooks import load_hook
from tooling.pythons import find_python
from tooling.variants import short_of_the_bar

from .support.disk import drop_installs
from .support.templates import bake, copy_of_the_template, files_of

SOURCE = "sklearn"  # the framework whose folder is copied
NEW = "sklearnlite"
NEW_FACTS: dict[str, str | int] = {
    "name": NEW,
    "display_name": "Sklearn Lite",
    "description": "Sklearn Lite: scikit-learn's estimators under a name of their own",
    "order": len(FRAMEWORKS) + 1,  # the last choice
}
FOLDER = FRAMEWORKS_DIR.relative_to(TEMPLATE)  # {{cookiecutter.project_slug}}/_frameworks
# What `make sync-facts` must rewrite for a new framework or model, and nothing else.
SYNCED = ["cookiecutter.json", "docs/variants.md", "README.md"]  # in the order it rewrites them

# A new model of SOURCE: the table added to its facts file, and nothing else.
NEW_MODEL = "ridge"
NEW_MODEL_FACTS = f"""
[models.{NEW_MODEL}]
description = "ridge regression"
task = "regression"
dataset = "diabetes"
inputs = "tables"
class_path = "sklearn.linear_model.Ridge"
init_args = {{ alpha = 0.5 }}
config_example = "--model.init_args.alpha 10"
minimum = {{ r2 = 0.40 }}
"""


def add_framework(template: Path) -> Path:
    """Copy the SOURCE framework's folder as NEW and change its facts file's NEW_FACTS keys,
    as a person would edit them (comments kept); returns the new facts file."""
    shutil.copytree(template / FOLDER / SOURCE, template / FOLDER / NEW)
    facts = template / FOLDER / NEW / FACTS_FILE
    text = facts.read_text(encoding="utf-8")
    for key, value in NEW_FACTS.items():
        line = re.compile(rf"^{key} = [^#\n]*?(?=[ \t]*(#.*)?$)", re.MULTILINE)
        text, found = line.subn(f"{key} = {json.dumps(value)}", text, count=1)
        assert found == 1, f"{facts} has no top-level `{key} = ...` line"
    facts.write_text(text, encoding="utf-8")
    source = tomllib.loads((template / FOLDER / SOURCE / FACTS_FILE).read_text(encoding="utf-8"))
    assert tomllib.loads(text) == source | NEW_FACTS  # those keys changed, and only those
    return facts


def pytest_in(template: Path, basetemp: Path, *words: str | Path) -> subprocess.CompletedProcess[str]:
    """The copy's own tests, run in the copy (its pyproject, its `local_extensions`), with
    temporary folders of their own."""
    options = ["-p", "no:randomly", "-p", "no:cacheprovider", f"--basetemp={basetemp}"]
    return run([BIN / "pytest", *options, *words], template, check=False)


def static_tier_in(template: Path, basetemp: Path, select: str, files: list[str]) -> list[str]:
    """The copy's static tests in `files` that `-k select` picks: all pass; returns their ids."""
    static = ["-m", "not generated and not docker", "-k", select]
    ran = pytest_in(template, basetemp, "-v", *static, *files)
    assert ran.returncode == 0, ran.stdout[-4000:]
    outcomes = re.findall(
        r"^(tests/\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)", ran.stdout, re.MULTILINE
    )
    assert [test for test, outcome in outcomes if outcome != "PASSED"] == []
    return [test for test, _ in outcomes]


def installed_and_trained(project: Path, checks: tuple[str, ...] = ("test",)) -> dict:
    """`make install` with the Python the project names, the `make` checks given (their tests
    pass), then `make train`: the training's metrics."""
    version = (project / ".python-version").read_text().strip()
    python = find_python(version)
    if python is None:
        pytest.fail(f"no Python {version} on this machine; the generated tier needs each offered version")
    run(["git", "init", "--quiet"], project)
    try:
        run(["make", "install", f"PYTHON={python}"], project)
        outcome = run(["make", *checks], project).stdout
        assert " passed" in outcome and "failed" not in outcome
        run(["make", "train"], project)
    finally:
        drop_installs(project)
    metrics: dict = json.loads((project / "reports" / "metrics.json").read_text())
    return metrics


class Synced(NamedTuple):
    template: Path  # the copy, with NEW added and `make sync-facts` run
    printed: str  # what `make sync-facts` printed
    changed: list[str]  # the files it changed


@pytest.fixture(scope="module")
def with_new_framework(tmp_path_factory: pytest.TempPathFactory) -> Synced:
    template = copy_of_the_template(tmp_path_factory.mktemp("new-framework") / "template")
    before = files_of(template)
    add_framework(template)
    # What `make sync-facts` runs, in the copy: the copy's script reads the copy's facts.
    printed = run([sys.executable, "-m", "scripts.sync_facts"], template).stdout
    after = files_of(template)
    new_folder = f"{FOLDER.as_posix()}/{NEW}/"
    changed = [
        path for path in sorted(after) if not path.startswith(new_folder) and after[path] != before.get(path)
    ]
    return Synced(template, printed, changed)


def test_make_sync_facts_rewrites_only_the_choices_and_the_docs_table(with_new_framework: Synced) -> None:
    template, printed, changed = with_new_framework
    assert changed == sorted(SYNCED)
    assert printed.splitlines() == [f"rewrote {path}" for path in SYNCED]
    questions = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    assert questions["framework"] == [*FRAMEWORKS, NEW]  # `order` puts it last
    assert questions["__prompts__"]["framework"][NEW].startswith(f"{NEW}: {NEW_FACTS['description']}")
    assert f"| `{NEW}` ({NEW_FACTS['display_name']}) |" in (template / "docs" / "variants.md").read_text()
    # Not an import name the project installs (the hook refuses those as package names).
    assert NEW not in load_hook().INSTALLED_IMPORT_NAMES


def lines_naming(text: str, words: list[str]) -> set[str]:
    return {line for line in text.splitlines() if any(word in line for word in words)}


def test_the_copy_bakes_the_new_framework_as_its_source_with_the_names_changed(
    with_new_framework: Synced, tmp_path: Path
) -> None:
    """Every model of NEW bakes to the tree its source framework bakes to, but for the names;
    the README and pyproject name NEW's display name, and say the source's only where a
    README of another framework says it too (the bundled datasets ship with scikit-learn)."""
    template = with_new_framework.template
    source_display, new_display = FRAMEWORKS[SOURCE]["display_name"], str(NEW_FACTS["display_name"])
    for model in FRAMEWORKS[SOURCE]["models"]:
        new = bake(template, tmp_path / f"{NEW}-{model}", framework=NEW, model=model)
        source = bake(template, tmp_path / f"{SOURCE}-{model}", framework=SOURCE, model=model)
        renamed = {
            path: content.replace(new_display.encode(), source_display.encode()).replace(
                NEW.encode(), SOURCE.encode()
            )
            for path, content in files_of(new).items()
        }
        expected = files_of(source)
        differ = sorted(
            path for path in renamed.keys() | expected.keys() if renamed.get(path) != expected.get(path)
        )
        assert differ == [], f"{NEW} with {model} bakes otherwise than {SOURCE} does"
        readme = (new / "README.md").read_text(encoding="utf-8")
        pyproject = tomllib.loads((new / "pyproject.toml").read_text(encoding="utf-8"))
        assert f"built with {new_display}," in " ".join(readme.split())
        assert new_display in pyproject["project"]["keywords"]
        assert f'FRAMEWORK = "{NEW}"' in next(new.glob("src/*/config.py")).read_text(encoding="utf-8")
        # No file holds another framework's name as a string: a comparison with it is a branch
        # that NEW never takes, or always takes, whatever its facts say.
        others = "|".join(re.escape(name) for name in FRAMEWORKS)
        quoted = re.compile(rf"""["']({others})["']""")
        named = [
            f"{path}: {line.strip()}"
            for path, content in files_of(new).items()
            if not path.endswith(".png")
            for line in content.decode().splitlines()
            if quoted.search(line)
        ]
        assert named == [], "the bake compares with a framework's name where its facts should decide"
        witness = next(
            (name for name, facts in FRAMEWORKS.items() if name != SOURCE and model in facts["models"]), None
        )
        if witness is not None:
            other = bake(template, tmp_path / f"{witness}-{model}", framework=witness, model=model)
            other_readme = (other / "README.md").read_text(encoding="utf-8")
            other_readme = other_readme.replace(FRAMEWORKS[witness]["display_name"], new_display)
            leftover = lines_naming(readme, [source_display]) - lines_naming(other_readme, [source_display])
            assert leftover == set(), f"the README of {NEW} names {source_display} where it means {NEW}"


def test_the_copys_static_tier_passes_for_the_new_framework(
    with_new_framework: Synced, tmp_path: Path
) -> None:
    """The copy's own tests that bake variants select NEW's variants (its choices come from
    its facts) and pass; its facts test passes whole."""
    template = with_new_framework.template
    files = ["tests/test_bake.py", "tests/test_checklists.py", "tests/test_hooks.py", "tests/test_facts.py"]
    passed = static_tier_in(template, tmp_path / "basetemp", f"{NEW} or test_facts", files)
    baking_new = [test for test in passed if f"framework={NEW}" in test]
    for model in FRAMEWORKS[SOURCE]["models"]:  # every model of NEW is baked and checked
        assert any(f"framework={NEW}-model={model}" in test for test in baking_new), model
    assert {"tests/test_bake.py", "tests/test_checklists.py"} <= {test.split("::")[0] for test in baking_new}
    assert any(test.startswith("tests/test_facts.py::") for test in passed)


@pytest.mark.generated
def test_the_new_frameworks_project_installs_tests_and_trains(
    with_new_framework: Synced, tmp_path: Path
) -> None:
    """The project of NEW's default model: `make install`, `make test` and `make train` pass,
    and the training reaches the model's quality bar (its facts' `minimum`)."""
    template = with_new_framework.template
    model = next(iter(FRAMEWORKS[SOURCE]["models"]))  # the default: the first of its facts file
    metrics = installed_and_trained(bake(template, tmp_path / "baked", framework=NEW))
    assert metrics["framework"] == NEW
    assert metrics["class_path"] == FRAMEWORKS[SOURCE]["models"][model]["class_path"]
    bar_of = {"framework": SOURCE, "model": model}  # NEW's facts are SOURCE's
    assert short_of_the_bar(metrics, bar_of) == {}, metrics


def test_a_wrong_facts_file_stops_the_bake_in_one_line(tmp_path: Path) -> None:
    """A missing key: `make sync-facts` and every bake of the copy stop with one line naming
    the file and the key, and leave nothing behind."""
    template = copy_of_the_template(tmp_path / "template")
    facts = add_framework(template)
    facts.write_text(
        re.sub(r"(?m)^model_file = .*\n", "", facts.read_text(encoding="utf-8")), encoding="utf-8"
    )
    output = tmp_path / "out"
    commands: list[list[str | Path]] = [
        [sys.executable, "-m", "scripts.sync_facts"],  # `make sync-facts`, in the copy
        [BIN / "cookiecutter", "--no-input", "-o", output, template],
    ]
    for command in commands:
        done = run(command, template, check=False)
        assert done.returncode != 0
        assert "Traceback" not in done.stdout + done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"ERROR: {facts}: missing keys ['model_file']"), lines
    assert not output.exists()


def test_facts_changed_without_sync_fail_the_copys_facts_test_naming_the_command(tmp_path: Path) -> None:
    """NEW added, `make sync-facts` not run: the copy's facts test fails, saying to run it."""
    template = copy_of_the_template(tmp_path / "template")
    add_framework(template)
    done = pytest_in(template, tmp_path / "basetemp", "-vv", "tests/test_facts.py")  # -vv: lists in full
    assert done.returncode == 1, done.stdout
    assert "FAILED tests/test_facts.py::test_the_copies_derived_from_the_facts_are_fresh" in done.stdout
    assert "stale: run `make sync-facts`" in done.stdout
    assert f"{SYNCED}" in done.stdout  # the stale files are named


# --- a new model of an existing framework ------------------------------------------------


def add_model(template: Path) -> None:
    """Add NEW_MODEL to SOURCE as a person would: its table at the end of the facts file."""
    facts = template / FOLDER / SOURCE / FACTS_FILE
    facts.write_text(facts.read_text(encoding="utf-8") + NEW_MODEL_FACTS, encoding="utf-8")


def differing(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


class Added(NamedTuple):
    template: Path  # the copy, with NEW_MODEL added and `make sync-facts` run
    by_hand: list[str]  # the files a person wrote or changed
    by_sync: list[str]  # the files `make sync-facts` rewrote after them
    printed: str  # what `make sync-facts` printed


@pytest.fixture(scope="module")
def with_new_model(tmp_path_factory: pytest.TempPathFactory) -> Added:
    template = copy_of_the_template(tmp_path_factory.mktemp("new-model") / "template")
    before = files_of(template)
    add_model(template)
    written = files_of(template)
    printed = run([sys.executable, "-m", "scripts.sync_facts"], template).stdout
    return Added(template, differing(before, written), differing(written, files_of(template)), printed)


def test_a_new_model_takes_one_file_by_hand_and_three_by_make_sync_facts(with_new_model: Added) -> None:
    """Four files in all. By hand: the model's table in the framework's facts file. By `make
    sync-facts`: cookiecutter.json (the model choice and its prompt), docs/variants.md (the
    frameworks table, with the model's quality bar) and README.md (the table of choices)."""
    template, by_hand, by_sync, printed = with_new_model
    assert by_hand == [f"{FOLDER.as_posix()}/{SOURCE}/{FACTS_FILE}"]
    assert by_sync == sorted(SYNCED)
    assert printed.splitlines() == [f"rewrote {path}" for path in SYNCED]
    facts = tomllib.loads(NEW_MODEL_FACTS)["models"][NEW_MODEL]
    questions = json.loads((template / "cookiecutter.json").read_text(encoding="utf-8"))
    models, last_of_source = questions["model"], list(FRAMEWORKS[SOURCE]["models"])[-1]
    assert models.index(NEW_MODEL) == models.index(last_of_source) + 1  # after its framework's models
    assert questions["__prompts__"]["model"][NEW_MODEL] == (
        f"{NEW_MODEL}: {facts['description']}, {facts['task']} of tables; bundled dataset "
        f"{facts['dataset']} ({SOURCE} only)"
    )
    table = (template / "docs" / "variants.md").read_text(encoding="utf-8")
    assert f"`{NEW_MODEL}` ({facts['task']}, {facts['dataset']}; r2 >= 0.4)" in table


def test_the_copys_static_tier_passes_for_the_new_model(with_new_model: Added, tmp_path: Path) -> None:
    """The copy's tests that bake variants bake NEW_MODEL (its choice comes from the facts) and
    pass, as do its facts and contracts tests."""
    files = [
        "tests/test_bake.py",
        "tests/test_checklists.py",
        "tests/test_contracts.py",
        "tests/test_hooks.py",
        "tests/test_facts.py",
    ]
    select = f"{NEW_MODEL} or test_facts or test_every_variant_module_provides_its_contract"
    passed = static_tier_in(with_new_model.template, tmp_path / "basetemp", select, files)
    baking_new = [test for test in passed if f"model={NEW_MODEL}" in test]
    assert {test.split("::")[0] for test in baking_new} == {
        "tests/test_bake.py",
        "tests/test_checklists.py",
        "tests/test_contracts.py",
    }
    assert any(f"framework={SOURCE}-model={NEW_MODEL}" in test for test in baking_new)  # crossed
    assert any(test.startswith("tests/test_facts.py::") for test in passed)


@pytest.mark.generated
def test_the_new_models_project_installs_lints_tests_and_trains_to_its_bar(
    with_new_model: Added, tmp_path: Path
) -> None:
    """`make install`, `make lint`, `make test` and `make train` pass, config.yaml names the
    model's estimator with its arguments, and the training reaches the quality bar of the
    model's facts."""
    project = bake(with_new_model.template, tmp_path / "baked", model=NEW_MODEL)
    config = (project / "config.yaml").read_text(encoding="utf-8")
    assert "class_path: sklearn.linear_model.Ridge\n  init_args:\n    alpha: 0.5\n" in config
    metrics = installed_and_trained(project, checks=("lint", "test"))
    assert (metrics["framework"], metrics["model"]) == (SOURCE, "Ridge")
    assert metrics["params"]["alpha"] == 0.5
    minimum = tomllib.loads(NEW_MODEL_FACTS)["models"][NEW_MODEL]["minimum"]
    assert all(metrics[metric] >= lowest for metric, lowest in minimum.items()), metrics
