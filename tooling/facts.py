"""The frameworks' facts files, `_frameworks/<name>/framework.toml`, read and checked.

What each framework offers lives in its facts file; cookiecutter reads them through
local_extensions.py (cookiecutter.json's derived values, the hooks, the generated files), and the
tests, benchmarks and scripts read them here. Standard library only: cookiecutter runs it in the
user's environment.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # before Python 3.11, which the generated projects need too
    sys.exit("ERROR: this template needs cookiecutter on Python 3.11 or newer (pipx install cookiecutter)")

FRAMEWORKS_DIR = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}" / "_frameworks"
FACTS_FILE = "framework.toml"
# The keys of a facts file (docs/adding-a-framework.md says what each means), with the default
# of each optional one (None: required).
FRAMEWORK_KEYS: dict[str, Any] = {
    "name": None,
    "display_name": None,
    "description": None,
    "order": None,
    "network": None,
    "model_file": None,
    "model_file_note": "",
    "ignored_warnings": [],
    "builds": None,
    "models": None,
    "distributed": {},  # none: it trains in one process (`make train-distributed` is not offered)
}
DISTRIBUTED_KEYS: dict[str, Any] = {
    "engine": None,
    "launcher": None,
    "launcher_args": None,
    "multi_node": False,  # the command takes NNODES and RDZV_ENDPOINT (torchrun's rendezvous)
    "multi_worker": False,  # the command takes WORKER_HOSTS and WORKER_INDEX (one worker a machine)
    "readme": None,  # what the generated README adds about it
}
BUILD_KEYS: dict[str, Any] = {"requirements": None, "package": None, "pythons": None}
GPU_BUILD_KEYS: dict[str, Any] = {
    **BUILD_KEYS,
    "cuda": None,
    "min_driver": None,
    "cuda_probe": None,
    "cuda_probe_prints": None,
}
MODEL_KEYS: dict[str, Any] = {
    "description": None,
    "task": None,
    "dataset": None,
    "inputs": None,
    "class_path": None,  # the model's class; a network's is in the package (layers.ConvNet)
    "init_args": {},
    "training": {},  # a network's training settings where they differ from the shared ones
    "config_example": None,
    "minimum": None,
    "architecture": "",
    "parts": [],
}
BUILDS = {"cpu": BUILD_KEYS, "gpu": GPU_BUILD_KEYS}


def load_frameworks(folder: Path = FRAMEWORKS_DIR) -> dict[str, dict[str, Any]]:
    """Each framework's facts by name, in choice order: its `framework.toml` as written, plus
    what is read from its pins: each build's `pin` (the framework's requirement line) and
    `extra_index` (whether its requirements add a package index).

    A folder of `_frameworks/` without a facts file is shared code, not a framework.
    """
    frameworks = []
    for facts_file in sorted(folder.glob(f"*/{FACTS_FILE}")):
        try:
            written = tomllib.loads(facts_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{facts_file}: {error}") from None
        facts = checked(written, FRAMEWORK_KEYS, str(facts_file))
        folder_name = facts_file.parent.name
        if facts["name"] != folder_name:
            raise ValueError(f"{facts_file}: name = {facts['name']!r}, but its folder is {folder_name!r}")
        if "cpu" not in facts["builds"] or set(facts["builds"]) - set(BUILDS):
            raise ValueError(
                f"{facts_file}: [builds] needs a cpu build and may add a gpu build; "
                f"it has {', '.join(facts['builds'])}"
            )
        for name, build in facts["builds"].items():
            facts["builds"][name] = checked(build, BUILDS[name], f"{facts_file} [builds.{name}]")
        if facts["distributed"]:
            facts["distributed"] = checked(
                facts["distributed"], DISTRIBUTED_KEYS, f"{facts_file} [distributed]"
            )
        for name, model in facts["models"].items():
            facts["models"][name] = checked(model, MODEL_KEYS, f"{facts_file} [models.{name}]")
            checked_bar(facts["models"][name]["minimum"], f"{facts_file} [models.{name}]")
        for build in facts["builds"].values():
            lines = (facts_file.parent / build["requirements"]).read_text(encoding="utf-8").splitlines()
            build["pin"] = pinned_line(lines, build["package"], facts_file.parent / build["requirements"])
            build["extra_index"] = any(line.startswith("--extra-index-url") for line in lines)
        frameworks.append(facts)
    frameworks.sort(key=lambda facts: (facts["order"], facts["name"]))
    return {facts["name"]: facts for facts in frameworks}


def checked(table: dict[str, Any], keys: dict[str, Any], where: str) -> dict[str, Any]:
    """`table` with its optional keys' defaults filled in; unknown or missing keys are refused."""
    missing = [key for key, default in keys.items() if default is None and key not in table]
    unknown = [key for key in table if key not in keys]
    if missing or unknown:
        expected = ", ".join(keys)
        raise ValueError(f"{where}: missing keys {missing}, unknown keys {unknown}; expected: {expected}")
    return {key: table.get(key, default) for key, default in keys.items()}


def checked_bar(bar: object, where: str) -> None:
    """A model's quality bar: a table of at least one metric and the lowest value it may take."""
    numbers = isinstance(bar, dict) and all(
        isinstance(value, int | float) and not isinstance(value, bool) for value in bar.values()
    )
    if not bar or not numbers:
        expected = "a table of metric = lowest value, e.g. { accuracy = 0.95 }"
        raise ValueError(f"{where}: minimum = {bar!r}: expected {expected}")


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_line(lines: list[str], package: str, path: Path) -> str:
    """The `package==version` line of a requirements file, as written (markers left out)."""
    for line in lines:
        match = re.match(r"([A-Za-z0-9_.-]+)(===?)([^\s;]+)", line)
        if match and canonical(match[1]) == canonical(package):
            return match[0]
    raise ValueError(f"{path} pins no {package}")
