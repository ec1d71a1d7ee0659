"""Rewrite the facts the pre-generation hook takes from the generated project's pinned requirements.

The hook must stay standard-library only, so it cannot ask pip or setuptools what a generated
project will install. This script does: for each framework it installs the pins a generated
project installs (`_frameworks/<framework>/requirements*.txt` and `requirements-dev.txt`) into a
scratch virtualenv, then writes into the hook, between its marker comments:

- every top-level import name of every distribution in that virtualenv (read from each one's
  RECORD; pip and setuptools included, since a generated `.venv` holds them too), so that a
  `package_name` that would hide one of them is refused;
- the pattern the pinned setuptools applies to `project.authors[].email` (the `idn-email`
  format of its pyproject schema), so that the hook refuses the addresses the build refuses.

Run it after changing any pinned requirements file (`make sync-hook`, or `.venv/bin/python -m
scripts.sync_hook_with_pins` from the repository root); `--check` exits 1 when the hook is stale.
The generated test tier compares the result with a real install (tests/test_generated.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from tooling import TEMPLATE
from tooling.commands import run

PROJECT = TEMPLATE / "{{cookiecutter.project_slug}}"
HOOK = TEMPLATE / "hooks" / "pre_gen_project.py"
BEGIN = "# --- begin: written by scripts/sync_hook_with_pins.py from the pinned requirements; do not edit ---"
END = "# --- end: written by scripts/sync_hook_with_pins.py ---"

# Runs inside the scratch virtualenv: what it installed, and the email rule of its setuptools.
INSPECT = r"""
import importlib.machinery, importlib.metadata, json

SUFFIXES = tuple(importlib.machinery.all_suffixes())
provided = {}
for dist in importlib.metadata.distributions():
    for file in dist.files or ():
        top = file.parts[0]
        if top == ".." or top.endswith((".dist-info", ".data")):
            continue  # metadata, scripts and data installed outside site-packages
        if len(file.parts) > 1:
            name = top  # a package folder, regular or namespace
        elif top.endswith(SUFFIXES):
            name = top.split(".")[0]  # module.py, or an extension module.cpython-311-...so
        else:
            continue  # .pth files and other data
        if name.isidentifier() and name != "__pycache__":
            provided.setdefault(name, set()).add(dist.metadata["Name"])

from setuptools.config._validate_pyproject.fastjsonschema_validations import REGEX_PATTERNS

print(json.dumps({
    "names": {name: sorted(dists) for name, dists in provided.items()},
    "email_pattern": REGEX_PATTERNS["idn-email_re_pattern"].pattern,
}))
"""


def framework_requirements() -> list[Path]:
    """Each framework's runtime pins, CPU and CUDA builds; the post-gen hook moves one of them
    to requirements.txt."""
    return sorted(PROJECT.glob("_frameworks/*/requirements*.txt"))


SERVING_FILES = ("requirements.txt", "requirements-dev.txt", "requirements-serve.txt")


def serving_requirements(name: str, framework: Path | None = None) -> list[Path]:
    """What a serving answer adds to `name` (one of SERVING_FILES; the post-gen hook appends
    them): the serving's own, its inputs kinds', and with `framework` (a framework's folder)
    what that framework adds for it (`_frameworks/<name>/rest/`)."""
    found = [*PROJECT.glob(f"_serving/*/{name}"), *PROJECT.glob(f"_serving/*/*/{name}")]
    if framework is not None:
        found += [path for path in framework.glob(f"*/{name}") if path.parent.name != "parts"]
    return sorted(found)


def pinned_files() -> list[Path]:
    """Every requirements file a generated project may install from."""
    frameworks = sorted({path.parent for path in framework_requirements()})
    serving = {
        path
        for name in SERVING_FILES
        for framework in frameworks
        for path in serving_requirements(name, framework)
    }
    return [PROJECT / "requirements-dev.txt", *framework_requirements(), *sorted(serving)]


def pins_sha256() -> str:
    """A fingerprint of the pins, written into the hook so a test can tell when it is stale."""
    digest = hashlib.sha256()
    for path in pinned_files():
        digest.update(f"{path.relative_to(PROJECT).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inspect_install(framework_requirements: Path, python: str) -> dict:
    """Install one framework's pins, with the dev pins and every serving answer's, into a
    scratch virtualenv; inspect it."""
    with tempfile.TemporaryDirectory(prefix="hook-pins-") as scratch:
        folder = Path(scratch)
        # requirements-dev.txt includes `-r requirements.txt`, the file the post-gen hook moves into
        # place; the hook appends the serving's pins to both, as here.
        # The serving's requirements.txt includes requirements-serve.txt, written here too.
        bases = {"requirements.txt": [framework_requirements]}
        bases["requirements-dev.txt"] = [PROJECT / "requirements-dev.txt"]
        bases["requirements-serve.txt"] = []
        for name, base in bases.items():
            paths = [*base, *serving_requirements(name, framework_requirements.parent)]
            pins = "\n".join(path.read_text(encoding="utf-8") for path in paths)
            (folder / name).write_text(pins, encoding="utf-8")
        venv_python = folder / "venv" / "bin" / "python"
        run([python, "-m", "venv", folder / "venv"])
        pip: list[str | Path] = [venv_python, "-m", "pip", "install", "--quiet"]
        # PyTorch's CPU index (the pins' --extra-index-url) is not reachable from every machine:
        # pip then passes over it at once instead of retrying for every package.
        no_retries = {"PIP_RETRIES": "0"}
        run(
            [*pip, "--disable-pip-version-check", "--requirement", folder / "requirements-dev.txt"],
            folder,
            env=no_retries,
        )
        return json.loads(run([venv_python, "-c", INSPECT], folder).stdout)


def providers(distributions: set[str]) -> str:
    """The distributions behind one import name, short enough for the hook's one-line message
    (the CUDA wheels share the `nvidia` namespace: 27 of them)."""
    ordered = sorted(distributions)
    if len(ordered) <= 3:
        return ", ".join(ordered)
    return f"{ordered[0]} and {len(ordered) - 1} other distributions"


def generated_block(names: dict[str, set[str]], email_pattern: str) -> str:
    """The hook's constants as ruff formats them (names are identifiers, so need no escaping)."""
    if '"' in email_pattern or email_pattern.endswith("\\"):
        sys.exit(f"cannot write {email_pattern!r} as a raw string literal")
    lines = [
        BEGIN,
        "# Top-level import names of every distribution a generated project installs, and the",
        "# distributions that provide them.",
        "INSTALLED_IMPORT_NAMES = {",
        *(f'    "{name}": "{providers(names[name])}",' for name in sorted(names)),
        "}",
        "# What the pinned setuptools accepts as `project.authors[].email` (its `idn-email` format).",
        f'BACKEND_EMAIL_PATTERN = re.compile(r"{email_pattern}")',
        "# The requirements files these were read from (see pins_sha256 in the script).",
        f'PINS_SHA256 = "{pins_sha256()}"',
        END,
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the hook is not up to date")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the scratch virtualenvs")
    arguments = parser.parse_args()

    names: dict[str, set[str]] = {}
    patterns = set()
    for requirements in framework_requirements():
        print(f"installing {requirements.relative_to(PROJECT)} ...", file=sys.stderr)
        found = inspect_install(requirements, arguments.python)
        for name, dists in found["names"].items():
            names.setdefault(name, set()).update(dists)
        patterns.add(found["email_pattern"])
    if len(patterns) != 1:
        sys.exit(f"frameworks pin setuptools versions with different email rules: {patterns}")

    hook = HOOK.read_text(encoding="utf-8")
    start, end = hook.index(BEGIN), hook.index(END) + len(END)
    updated = hook[:start] + generated_block(names, patterns.pop()) + hook[end:]
    if arguments.check:
        if updated != hook:
            print(f"{HOOK} is stale: run `make sync-hook`", file=sys.stderr)
            return 1
        return 0
    HOOK.write_text(updated, encoding="utf-8")
    print(f"wrote {len(names)} import names into {HOOK.relative_to(TEMPLATE)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
