"""Each framework's facts live in one file, `_frameworks/<name>/framework.toml`: the copies
that must be written out (cookiecutter.json's choices and prompts, the docs tables) are fresh,
and a facts file that lacks a key, or names another folder, is refused with what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from local_extensions import FACTS_FILE, FRAMEWORKS, FRAMEWORKS_DIR, load_frameworks
from scripts.sync_facts import COMMAND, DOCS_TABLES, stale_files
from tooling.variants import QUESTIONS, TEMPLATE, task_metrics


def test_the_copies_derived_from_the_facts_are_fresh() -> None:
    assert stale_files() == [], f"derived from the frameworks' facts files but stale: run `{COMMAND}`"


def test_every_framework_folder_has_facts_and_every_facts_file_a_framework() -> None:
    with_code = {path.parent.parent.name for path in FRAMEWORKS_DIR.glob("*/src/model.py")}
    assert with_code == set(FRAMEWORKS) == {p.parent.name for p in FRAMEWORKS_DIR.glob(f"*/{FACTS_FILE}")}
    assert QUESTIONS["framework"] == list(FRAMEWORKS)


def test_a_model_means_the_same_in_every_framework() -> None:
    shared = ("description", "task", "dataset", "inputs")
    meanings: dict[str, set[tuple]] = {}
    for facts in FRAMEWORKS.values():
        for model, model_facts in facts["models"].items():
            meanings.setdefault(model, set()).add(tuple(model_facts[key] for key in shared))
    assert {model: len(found) for model, found in meanings.items()} == dict.fromkeys(meanings, 1)


def test_every_quality_bar_names_metrics_its_models_task_writes() -> None:
    """A model's `minimum` names metrics of its task's reports/metrics.json (the task's
    `compute_metrics`), so the tests that hold a training to it read a metric that is there."""
    unknown = {
        f"{framework}.{model}": sorted(set(facts["minimum"]) - task_metrics(facts["task"]))
        for framework, framework_facts in FRAMEWORKS.items()
        for model, facts in framework_facts["models"].items()
    }
    assert {name: metrics for name, metrics in unknown.items() if metrics} == {}


def copy_of_the_facts_and_their_copies(tmp_path: Path) -> Path:
    root = tmp_path / "template"
    shutil.copytree(FRAMEWORKS_DIR, root / FRAMEWORKS_DIR.relative_to(TEMPLATE))
    for path in ("cookiecutter.json", "README.md", *DOCS_TABLES):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(TEMPLATE / path, root / path)
    return root


def test_a_changed_fact_makes_its_copies_stale(tmp_path: Path) -> None:
    root = copy_of_the_facts_and_their_copies(tmp_path)
    facts = root / FRAMEWORKS_DIR.relative_to(TEMPLATE) / "pytorch" / FACTS_FILE
    facts.write_text(facts.read_text().replace('pythons = ["3.11"]', 'pythons = ["3.11", "3.12"]', 1))
    assert stale_files(root) == ["cookiecutter.json", "docs/variants.md", "docs/gpu.md", "README.md"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('dataset = "digits"\n', "", "[models.svm]: missing keys ['dataset']"),
        ('class_path = "sklearn.svm.SVC"\n', 'class_path = "x"\nkernel = "rbf"\n', "unknown keys ['kernel']"),
        ("minimum = { accuracy = 0.97 }", "minimum = {}", "[models.svm]: minimum = {}: expected a table"),
        ("minimum = { accuracy = 0.97 }", 'minimum = { accuracy = "high" }', "expected a table of metric"),
        ('name = "sklearn"', 'name = "scikit"', "name = 'scikit', but its folder is 'sklearn'"),
        ('package = "scikit-learn"', 'package = "xgboost"', "requirements.txt pins no xgboost"),
    ],
)
def test_a_facts_file_that_is_wrong_is_refused_with_what_is_wrong(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = tmp_path / "_frameworks"
    shutil.copytree(FRAMEWORKS_DIR / "sklearn", folder / "sklearn")
    facts = folder / "sklearn" / FACTS_FILE
    assert old in facts.read_text()
    facts.write_text(facts.read_text().replace(old, new, 1))
    with pytest.raises(ValueError) as refused:
        load_frameworks(folder)
    assert message in str(refused.value)
