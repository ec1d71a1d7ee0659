"""Static checks of every supported variant: it bakes, renders fully, lints and parses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from .conftest import run
from .variants import SUPPORTED, variant_id

# `${{ ... }}` is a GitHub Actions expression, which the workflow files copied unrendered use.
UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|\{#|cookiecutter\.")
MAKE_TARGETS = {
    "help",
    "install",
    "lint",
    "format",
    "test",
    "train",
    "evaluate",
    "predict",
    "docker-build",
    "docker-train",
    "clean",
}


@pytest.fixture(params=SUPPORTED, ids=[variant_id(answers) for answers in SUPPORTED])
def variant(request: pytest.FixtureRequest, bake) -> tuple[dict, Path]:
    return request.param, bake(**request.param)


def test_everything_is_rendered(variant: tuple[dict, Path]) -> None:
    _, project = variant
    for path in project.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not UNRENDERED.search(text), f"unrendered template text in {path}"
    assert not list(project.glob("_*")), "template-only folders were left behind"


def test_ruff_and_hadolint_are_clean(variant: tuple[dict, Path]) -> None:
    _, project = variant
    run(["ruff", "check", "--no-cache", "."], project)
    run(["ruff", "format", "--check", "--no-cache", "."], project)
    run(["hadolint", "Dockerfile"], project)


def test_config_files_parse(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    if "description" in answers:
        assert pyproject["project"]["description"] == answers["description"]
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        assert yaml.safe_load(path.read_text(encoding="utf-8")), path
    run(["pre-commit", "validate-config", ".pre-commit-config.yaml"], project)


def test_ci_matches_the_answer_and_its_schema(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    ci = answers.get("ci", "github")
    workflows = list(project.glob(".github/workflows/*.yml"))
    gitlab = project / ".gitlab-ci.yml"
    assert bool(workflows) == (ci == "github")
    assert gitlab.exists() == (ci == "gitlab")
    if workflows:
        run(
            ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, workflows)], project
        )
    if gitlab.exists():
        run(["check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(gitlab)], project)


def test_compose_file_matches_the_compose_spec(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    compose = project / "compose.yaml"
    run(["check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(compose)], project)
    services = set(yaml.safe_load(compose.read_text())["services"])
    assert services == ({"train", "predict"} if answers.get("serving", "batch") == "batch" else {"train"})


def test_license_and_makefile_match_the_answers(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    license_text = (project / "LICENSE").read_text(encoding="utf-8")
    first_words = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "BSD-3-Clause": "BSD 3-Clause License",
        "Proprietary": "All rights reserved",
    }
    assert first_words[answers.get("license", "MIT")] in license_text
    help_text = run(["make", "help"], project).stdout
    targets = set(re.findall(r"^  (\S+)", help_text, re.M))
    batch = answers.get("serving", "batch") == "batch"
    assert targets == MAKE_TARGETS | ({"docker-predict"} if batch else set())


def test_python_version_reaches_image_ci_and_tools(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    version = answers.get("python_version", "3.11")
    assert (project / ".python-version").read_text().strip() == version
    from_lines = re.findall(r"^FROM (\S+)", (project / "Dockerfile").read_text(), re.M)
    assert from_lines == [f"python:{version}-slim"] * 2
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    # ruff (and repo-review) take the target version from requires-python.
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert "target-version" not in pyproject["tool"]["ruff"]


def test_same_answers_bake_identical_trees(cookies, bake) -> None:
    first = bake(model="svm", ci="gitlab")
    second = Path(cookies.bake(extra_context={"model": "svm", "ci": "gitlab"}).project_path)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert tree(first) == tree(second)


def test_code_is_the_chosen_model_only(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    model = answers.get("model", "logistic")
    config = next(project.glob("src/*/config.py")).read_text()
    assert f'MODEL = "{model}"' in config
    task = "regression" if model == "linear" else "classification"
    assert f'TASK: Task = "{task}"' in config
    assert (project / "requirements.txt").read_text().count("scikit-learn==") == 1


# How lines that pin each network framework's CUDA build begin, and those of its CPU build.
BUILDS = {
    "pytorch": (["torch===2.13.0", "triton==3.7.1;"], ["torch==2.13.0+cpu", "--extra-index-url"]),
    "tensorflow": (["tensorflow==2.21.0", "nvidia-cudnn-cu12=="], ["tensorflow_cpu==2.21.0"]),
}
GPU_RESERVATION = {
    "resources": {
        "reservations": {"devices": [{"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]}
    }
}


def test_use_gpu_picks_the_cuda_build_and_gives_the_containers_the_gpus(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    gpu = answers.get("use_gpu") == "yes"
    requirements = (project / "requirements.txt").read_text().splitlines()
    cuda, cpu = BUILDS.get(answers.get("framework", "sklearn"), ([], []))
    assert all(any(r.startswith(line) for r in requirements) == gpu for line in cuda)
    assert all(any(r.startswith(line) for r in requirements) != gpu for line in cpu)
    assert any(line.startswith("nvidia-") for line in requirements) == gpu
    config = next(project.glob("src/*/config.py")).read_text()
    assert f"USE_GPU = {gpu}" in config
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    assert all(service.get("deploy") == (GPU_RESERVATION if gpu else None) for service in services.values())
    runs = [
        line
        for line in run(["make", "--dry-run", "docker-train"], project).stdout.splitlines()
        if " run " in line
    ]
    assert len(runs) == 1 and ("--gpus all" in runs[0]) == gpu
    if answers.get("serving", "batch") == "batch":
        scoring = run(
            ["make", "--dry-run", "docker-predict", "INPUT=in.csv", "OUTPUT=out.csv"], project
        ).stdout
        assert ("--gpus all" in scoring) == gpu
    if gpu:  # GPUS= runs without one, for a host or CI runner that has none
        without = run(["make", "--dry-run", "docker-train", "GPUS="], project).stdout
        assert " run " in without and "--gpus" not in without
