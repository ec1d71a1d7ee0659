"""Write out what derives from the frameworks' facts files where a copy must be written.

Each framework's facts live in `_frameworks/<name>/framework.toml`. cookiecutter.json must hold
its choice lists and prompts as plain JSON, and the README and docs show them as tables: this script
rewrites those copies from the facts (`make sync-facts`). The static tests fail while a copy is
stale, naming this command.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from tooling.facts import load_frameworks

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "make sync-facts"
# A derived table in a docs page sits between these two lines.
TABLE_START = "<!-- derived from the frameworks' facts files by `{command}`: {name} -->"
TABLE_END = "<!-- end of derived table -->"

Facts = dict[str, dict[str, Any]]


def models_of(frameworks: Facts) -> dict[str, dict[str, Any]]:
    """Every model, in the order the frameworks list them, with the frameworks offering it."""
    models: dict[str, dict[str, Any]] = {}
    for name, facts in frameworks.items():
        for model, model_facts in facts["models"].items():
            models.setdefault(model, {**model_facts, "frameworks": []})["frameworks"].append(name)
    return models


def pythons_of(frameworks: Facts) -> list[str]:
    builds = [build for facts in frameworks.values() for build in facts["builds"].values()]
    versions = {version for build in builds for version in build["pythons"]}
    return sorted(versions, key=lambda version: tuple(int(part) for part in version.split(".")))


def gpu_frameworks(frameworks: Facts) -> list[str]:
    return [name for name, facts in frameworks.items() if "gpu" in facts["builds"]]


def framework_prompt(facts: dict[str, Any], pythons: list[str]) -> str:
    text = f"{facts['name']}: {facts['description']}; models {', '.join(facts['models'])}"
    cpu, gpu = facts["builds"]["cpu"]["pythons"], facts["builds"].get("gpu")
    if gpu is None:
        return f"{text}; trains on the CPU"
    if cpu != pythons:
        more = [version for version in gpu["pythons"] if version not in cpu]
        text += f"; Python {', '.join(cpu)}" + (f" ({', '.join(more)} with use_gpu)" if more else "")
    return text


def model_prompt(model: str, facts: dict[str, Any], every_framework: bool) -> str:
    offered = "any framework" if every_framework else ", ".join(facts["frameworks"])
    if len(facts["frameworks"]) == 1 and not every_framework:
        offered += " only"
    reads = "images" if facts["inputs"] == "images" else "tables"
    return (
        f"{model}: {facts['description']}, {facts['task']} of {reads}; bundled dataset "
        f"{facts['dataset']} ({offered})"
    )


def questions(current: dict[str, Any], frameworks: Facts) -> dict[str, Any]:
    """cookiecutter.json with its framework, model and Python choices and their prompts derived."""
    models, pythons = models_of(frameworks), pythons_of(frameworks)
    everywhere = {model for model, facts in models.items() if len(facts["frameworks"]) == len(frameworks)}
    needs = [
        f"{model} needs {' or '.join(facts['frameworks'])}"
        for model, facts in models.items()
        if model not in everywhere
    ]
    gpu = gpu_frameworks(frameworks)
    derived = {
        **current,
        "framework": list(frameworks),
        "model": list(models),
        "python_version": pythons,
    }
    prompts = dict(current["__prompts__"])
    prompts["framework"] = {
        "__prompt__": prompts["framework"]["__prompt__"],
        **{name: framework_prompt(facts, pythons) for name, facts in frameworks.items()},
    }
    prompts["model"] = {
        "__prompt__": f"Model (each trains on a bundled dataset{'; ' if needs else ''}{', '.join(needs)})",
        **{model: model_prompt(model, facts, model in everywhere) for model, facts in models.items()},
    }
    prompts["use_gpu"] = (
        f"Train on an NVIDIA GPU? ({', '.join(gpu)}: the image gets the CUDA build, several GB "
        "larger; no: the CPU build)"
    )
    prompts["python_version"] = {
        "__prompt__": prompts["python_version"]["__prompt__"],
        **{version: version for version in pythons},
    }
    derived["__prompts__"] = prompts
    return derived


def quality_bar(minimum: dict[str, float]) -> str:
    """A model's `minimum` as the docs write it: `accuracy >= 0.95`."""
    return ", ".join(f"{metric} >= {value:g}" for metric, value in minimum.items())


def frameworks_table(frameworks: Facts) -> list[str]:
    rows = [
        "| framework | models (task, bundled dataset; quality bar) | trains a network | CPU build "
        "| CUDA build (`use_gpu=yes`) |",
        "|---|---|---|---|---|",
    ]
    for name, facts in frameworks.items():
        models = "; ".join(
            f"`{model}` ({m['task']}, {m['dataset']}{' images' if m['inputs'] == 'images' else ''}; "
            f"{quality_bar(m['minimum'])})"
            for model, m in facts["models"].items()
        )
        cpu, gpu = facts["builds"]["cpu"], facts["builds"].get("gpu")
        cuda = (
            f"`{gpu['pin']}`, CUDA {gpu['cuda']}, driver >= {gpu['min_driver']}, "
            f"Python {', '.join(gpu['pythons'])}"
            if gpu
            else "none: trains on the CPU"
        )
        rows.append(
            f"| `{name}` ({facts['display_name']}) | {models} | {'yes' if facts['network'] else 'no'} "
            f"| `{cpu['pin']}`, Python {', '.join(cpu['pythons'])} | {cuda} |"
        )
    return rows


def builds_table(frameworks: Facts) -> list[str]:
    """The CPU and the CUDA build of each framework that has both."""
    rows = [
        "| framework | CPU build (`use_gpu=no`) | CUDA build (`use_gpu=yes`) | CUDA "
        "| minimum NVIDIA driver |",
        "|---|---|---|---|---|",
    ]
    for facts in frameworks.values():
        if "gpu" not in facts["builds"]:
            continue
        cpu, gpu = facts["builds"]["cpu"], facts["builds"]["gpu"]
        rows.append(
            f"| {facts['display_name']} | `{cpu['pin']}`, Python {', '.join(cpu['pythons'])} "
            f"| `{gpu['pin']}`, Python {', '.join(gpu['pythons'])} | {gpu['cuda']} | {gpu['min_driver']} |"
        )
    return rows


def choices_table(questions_json: dict[str, Any]) -> list[str]:
    """cookiecutter.json's choice questions, their values (default first) and what each means,
    as its prompts say it; `use_gpu` is a yes/no question."""
    rows = ["| question | values (default first) |", "|---|---|"]
    prompts = questions_json["__prompts__"]
    for key, values in questions_json.items():
        if key.startswith("_") or not isinstance(values, list | bool):
            continue
        if isinstance(values, bool):
            rows.append(f"| `{key}` | `no`, `yes`: {prompts[key].split('? ', 1)[-1].strip('()')} |")
            continue
        meanings = []
        for value in values:
            meaning = prompts[key][value].split(": ", 1)[-1] if ": " in prompts[key][value] else ""
            meanings.append(f"`{value}`" + (f" ({meaning})" if meaning and meaning != value else ""))
        rows.append(f"| `{key}` | {', '.join(meanings)} |")
    return rows


# Each docs page with derived tables, and the tables' names and contents.
DOCS_TABLES = {
    "docs/variants.md": {"frameworks": frameworks_table},
    "docs/gpu.md": {"builds": builds_table},
}


def with_table(text: str, name: str, rows: list[str], path: str) -> str:
    start = TABLE_START.format(command=COMMAND, name=name)
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(TABLE_END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(
            f"ERROR: {path} has no derived table {name!r}: put these two lines where it goes:\n"
            f"{start}\n{TABLE_END}"
        )
    return pattern.sub(lambda _: "\n".join([start, *rows, TABLE_END]), text)


def derived_files(root: Path = ROOT) -> dict[Path, str]:
    """Every derived copy as it should read now, by path."""
    frameworks = load_frameworks(root / "{{cookiecutter.project_slug}}" / "_frameworks")
    current = json.loads((root / "cookiecutter.json").read_text(encoding="utf-8"))
    derived = json.dumps(questions(current, frameworks), indent=2, ensure_ascii=False) + "\n"
    files = {root / "cookiecutter.json": derived}
    for page, tables in DOCS_TABLES.items():
        text = (root / page).read_text(encoding="utf-8")
        for name, table in tables.items():
            text = with_table(text, name, table(frameworks), page)
        files[root / page] = text
    readme = (root / "README.md").read_text(encoding="utf-8")
    choices = choices_table(json.loads(derived))
    files[root / "README.md"] = with_table(readme, "choices", choices, "README.md")
    return files


def stale_files(root: Path = ROOT) -> list[str]:
    return [
        str(path.relative_to(root))
        for path, text in derived_files(root).items()
        if path.read_text(encoding="utf-8") != text
    ]


def main() -> int:
    try:
        files = derived_files()
    except ValueError as error:  # a facts file that is wrong: one line naming the file and the key
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    for path, text in files.items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
