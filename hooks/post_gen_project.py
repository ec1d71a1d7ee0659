"""Keep the files the answers chose, remove the rest, and say what to do next.

Framework code lives as plain Python files under `_frameworks/<framework>/`; this hook
moves the chosen framework's files into place, so no module holds code for another.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PROJECT = Path.cwd()


def install_framework(framework: str, package: str) -> None:
    source = PROJECT / "_frameworks" / framework
    (source / "model.py").replace(PROJECT / "src" / package / "model.py")
    (source / "requirements.txt").replace(PROJECT / "requirements.txt")
    shutil.rmtree(PROJECT / "_frameworks")


def install_license(license_name: str) -> None:
    (PROJECT / "_licenses" / f"{license_name}.txt").replace(PROJECT / "LICENSE")
    shutil.rmtree(PROJECT / "_licenses")


def remove_unused_ci(ci: str) -> None:
    if ci != "github":
        shutil.rmtree(PROJECT / ".github")
    if ci != "gitlab":
        (PROJECT / ".gitlab-ci.yml").unlink()


def print_next_steps(slug: str, serving: str) -> None:
    steps = [
        f"cd {slug}",
        "make install        # .venv with the pinned dependencies",
        "make train          # train on the bundled dataset: models/, reports/",
        "make test lint      # the project's own checks",
        "make docker-train   # the same training inside the Docker image",
    ]
    if serving == "batch":
        steps.append("make docker-predict INPUT=in.csv OUTPUT=out.csv")
    print(f"\nCreated {PROJECT}\nNext steps:")
    for step in steps:
        print(f"  {step}")


def main() -> None:
    answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    install_framework(answers["framework"], answers["package_name"])
    install_license(answers["license"])
    remove_unused_ci(answers["ci"])
    print_next_steps(answers["project_slug"], answers["serving"])


if __name__ == "__main__":
    main()
