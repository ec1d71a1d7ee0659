"""Every variant folder's modules provide what contracts.py says their kind must: a framework's
model.py, an inputs kind's data.py, features.py, predict.py and options.py, a task's task.py.

Read from the source (no framework is imported), so the failure names what is missing; the
signatures are checked by mypy in each generated project (`make lint`, the generated tier).
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tooling.variants import SUPPORTED, TEMPLATE, variant_id

PROJECT = "{{cookiecutter.project_slug}}"
CONTRACTS = Path(PROJECT, "src", "{{cookiecutter.package_name}}", "contracts.py")


def contracts(root: Path) -> dict[str, tuple[str, set[str]]]:
    """By module name (`model`), its contract's name and members, from contracts.py's Protocols
    and the bindings at its end (`_framework: Framework = model`)."""
    tree = ast.parse((root / CONTRACTS).read_text(encoding="utf-8"))
    members = {
        node.name: {
            item.name if isinstance(item, ast.FunctionDef) else ast.unparse(item.target)
            for item in node.body
            if isinstance(item, ast.FunctionDef | ast.AnnAssign)
        }
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }
    bindings = [
        node
        for block in tree.body
        if isinstance(block, ast.If)
        for node in block.body
        if isinstance(node, ast.AnnAssign)
    ]
    return {
        ast.unparse(b.value): (ast.unparse(b.annotation), members[ast.unparse(b.annotation)])
        for b in bindings
        if b.value
    }


def top_level_names(path: Path) -> set[str]:
    """What a module defines or imports at its top level."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {ast.unparse(target) for target in node.targets}
        elif isinstance(node, ast.AnnAssign):
            names.add(ast.unparse(node.target))
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def broken_contracts(root: Path) -> list[str]:
    """Each variant module that lacks a member of its contract, with what it lacks."""
    found = []
    for module, (contract, members) in contracts(root).items():
        providers = sorted((root / PROJECT).glob(f"_*/**/src/{module}.py"))
        assert providers, f"no variant folder provides {module}.py"
        for path in providers:
            missing = sorted(members - top_level_names(path))
            if missing:
                where = path.relative_to(root / PROJECT)
                found.append(f"{where} lacks {', '.join(missing)} (contracts.py: {contract})")
    return found


def test_every_variant_module_provides_its_contract() -> None:
    assert broken_contracts(TEMPLATE) == []


def test_every_variant_kind_has_a_contract() -> None:
    bound = set(contracts(TEMPLATE))
    assert bound == {"model", "data", "features", "predict", "options", "task"}


def test_a_module_that_lacks_a_member_is_named_with_what_it_lacks(tmp_path: Path) -> None:
    shutil.copytree(TEMPLATE / PROJECT, tmp_path / PROJECT)
    model = tmp_path / PROJECT / "_frameworks" / "tensorflow" / "src" / "model.py"
    text = model.read_text(encoding="utf-8")
    model.write_text(text.replace("def save_model(", "def write_model(").replace("VERSION = ", "RELEASE = "))
    assert broken_contracts(tmp_path) == [
        "_frameworks/tensorflow/src/model.py lacks VERSION, save_model (contracts.py: Framework)"
    ]


@pytest.mark.parametrize("answers", SUPPORTED, ids=[variant_id(answers) for answers in SUPPORTED])
def test_every_bake_holds_a_module_for_every_contract(answers: dict[str, str], bake) -> None:
    """A variant folder the hook failed to lay over would leave a contract without its module."""
    (package,) = (bake(**answers) / "src").iterdir()
    assert set(contracts(TEMPLATE)) - {path.stem for path in package.glob("*.py")} == set()
