"""Keep the files the answers chose, remove the rest, and say what to do next.

Framework code lives as plain Python files under `_frameworks/<framework>/`; this hook
moves the chosen framework's files into place, so no module holds code for another.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

PROJECT = Path.cwd()
NETWORK_FRAMEWORKS = ("pytorch", "tensorflow")


def install_framework(framework: str, package: str, use_gpu: bool) -> None:
    source = PROJECT / "_frameworks" / framework
    (source / "model.py").replace(PROJECT / "src" / package / "model.py")
    (source / "test_model.py").replace(PROJECT / "tests" / "test_model.py")
    # The pins of the framework's CUDA build, or of its CPU build (the hook allows use_gpu
    # only for frameworks that have the former).
    requirements = "requirements-gpu.txt" if use_gpu else "requirements.txt"
    (source / requirements).replace(PROJECT / "requirements.txt")
    if framework in NETWORK_FRAMEWORKS:  # the training loop rules they share
        shared = PROJECT / "_frameworks" / "networks"
        (shared / "network_training.py").replace(PROJECT / "src" / package / "network_training.py")
        (shared / "test_network_training.py").replace(PROJECT / "tests" / "test_network_training.py")
    shutil.rmtree(PROJECT / "_frameworks")


def install_inputs(inputs: str, package: str) -> None:
    """A CNN reads images: their modules and tests replace those of tables."""
    source = PROJECT / "_inputs" / inputs
    if source.is_dir():
        (PROJECT / "src" / package / "tables.py").unlink()
        (PROJECT / "tests" / "test_tables.py").unlink()
        for module in sorted(source.glob("*.py")):
            folder = "tests" if module.name.startswith(("test_", "conftest")) else f"src/{package}"
            module.replace(PROJECT / folder / module.name)
    shutil.rmtree(PROJECT / "_inputs")


def install_sample(dataset: str, inputs: str) -> None:
    """What `make predict` scores when no INPUT is given: a few of the bundled dataset's rows
    as a CSV file, or its images as PNG files."""
    name = "digits" if inputs == "images" else f"{dataset}.csv"
    (PROJECT / "samples").mkdir()
    (PROJECT / "_samples" / name).replace(PROJECT / "samples" / name)
    shutil.rmtree(PROJECT / "_samples")


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
        steps.append("make docker-predict  # scores the sample in samples/; INPUT=... for yours")
    print(f"\nCreated {PROJECT}\nNext steps:")
    for step in steps:
        print(f"  {step}")


def main() -> None:
    answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    install_framework(answers["framework"], answers["package_name"], answers["use_gpu"])
    install_inputs(answers["__inputs"], answers["package_name"])
    install_sample(answers["__dataset"], answers["__inputs"])
    install_license(answers["license"])
    remove_unused_ci(answers["ci"])
    print_next_steps(answers["project_slug"], answers["serving"])


if __name__ == "__main__":
    main()
