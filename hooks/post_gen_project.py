"""Lay the variant folders the answers chose over the shared code, remove the rest, and say
what to do next.

A variant folder holds plain files laid out as the project's: its `src/` files go into the
package, its `tests/` files into `tests/`. The variants are the framework
(`_frameworks/<framework>/`) and the parts of it the model is made of (its `parts/<part>/`, as
its facts file lists them), the training rules the network frameworks share
(`_frameworks/networks/`), the task (`_tasks/<task>/`), what the model reads
(`_inputs/<kind>/`) and how it is served (`_serving/<serving>/`, where the answer adds code: the
REST service); a shared folder's `<task>/` folder, where it has one, adds what differs by task
(a table's target column, the tests of what only a classifier or a regressor does), and the
serving folder's `<kind>/` folder what differs by inputs (how a request's rows are read). So no
module, and no test, holds code for another variant, and what a variant adds is visible with
`ls`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

PROJECT = Path.cwd()
VARIANT_ROOTS = ("_frameworks", "_inputs", "_tasks", "_serving")
# Set by cookiecutter for this bake alone (paths on this machine): not recorded.
BAKE_ONLY_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def lay_over(variant: Path, package: str) -> None:
    """Move the variant's `src/` files into the package, its `tests/` files into `tests/` and its
    `deploy/` files (deployment manifests) into `deploy/`."""
    if not variant.is_dir():  # a part named in a facts file, but missing
        raise SystemExit(f"ERROR: no variant folder {variant.relative_to(PROJECT)}")
    parts = (("src", PROJECT / "src" / package), ("tests", PROJECT / "tests"), ("deploy", PROJECT / "deploy"))
    for part, target in parts:
        for path in sorted((variant / part).rglob("*")):
            if path.is_file():
                destination = target / path.relative_to(variant / part)
                if destination.exists():
                    raise SystemExit(f"ERROR: {variant}/{part} would replace the shared {destination}")
                destination.parent.mkdir(parents=True, exist_ok=True)
                path.replace(destination)


def chosen_variants(answers: dict, facts: dict) -> list[Path]:
    """The variant folders these answers take, in the order they are laid over the package.

    `facts`: the chosen framework's facts file (`_frameworks/<name>/framework.toml`).
    """
    framework = PROJECT / "_frameworks" / facts["name"]
    model = facts["models"][answers["model"]]
    inputs, task = PROJECT / "_inputs" / model["inputs"], model["task"]

    def with_sub(folder: Path, name: str) -> list[Path]:
        """The folder, and its `<name>/` folder where it has one (e.g. a table's target column)."""
        return [folder, *([folder / name] if (folder / name).is_dir() else [])]

    serving = PROJECT / "_serving" / answers["serving"]
    return [
        *with_sub(framework, answers["serving"]),  # its `rest/`: the model's ONNX export
        *(framework / "parts" / part for part in model["parts"]),
        *(with_sub(PROJECT / "_frameworks" / "networks", task) if facts["network"] else []),
        PROJECT / "_tasks" / task,
        *with_sub(inputs, task),
        *(with_sub(serving, model["inputs"]) if serving.is_dir() else []),
    ]


def install_variants(answers: dict, facts: dict) -> None:
    """`facts`: the chosen framework's facts file (`_frameworks/<name>/framework.toml`)."""
    for variant in chosen_variants(answers, facts):
        lay_over(variant, answers["package_name"])
    frameworks = PROJECT / "_frameworks"
    # The pins of the framework's CUDA build, or of its CPU build (the pre-generation hook
    # allows use_gpu only for frameworks that have the former).
    build = facts["builds"]["gpu" if answers["use_gpu"] else "cpu"]
    (frameworks / facts["name"] / build["requirements"]).replace(PROJECT / "requirements.txt")
    # What the serving adds to the requirements, with the framework's and the inputs' parts of
    # it, and the serving image's own (requirements-serve.txt).
    serving = PROJECT / "_serving" / answers["serving"]
    model = facts["models"][answers["model"]]
    adding = [serving, frameworks / facts["name"] / answers["serving"], serving / model["inputs"]]
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-serve.txt"):
        for folder in adding:
            if (folder / name).is_file():
                separator = "\n" if (PROJECT / name).is_file() else ""
                with (PROJECT / name).open("a", encoding="utf-8") as pins:
                    pins.write(separator + (folder / name).read_text(encoding="utf-8"))
    for root in VARIANT_ROOTS:
        shutil.rmtree(PROJECT / root)


def install_sample(dataset: str, inputs: str) -> None:
    """What `make predict` scores when no INPUT is given: a few of the bundled dataset's rows
    as a CSV file, or its images as PNG files."""
    name = dataset if inputs == "images" else f"{dataset}.csv"  # a folder of images, or a table
    if not (PROJECT / "_samples" / name).exists():
        raise SystemExit(f"ERROR: _samples/ has no {name} to ship: run scripts/make_samples.py")
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


def template_commit(folder: Path) -> str | None:
    """The commit the template folder is at, when it is the top of a git checkout."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no git on this machine
        return None
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != folder.resolve():
        return None
    return lines[1]


def template_source(given: str, folder: Path) -> str:
    """Where the template is read again: the repository URL given (gh: and other abbreviations
    written out), the archive given (a .zip, unpacked to a temporary folder), or the local
    folder, as an absolute path."""
    from cookiecutter.config import BUILTIN_ABBREVIATIONS, get_user_config
    from cookiecutter.repository import expand_abbreviations, is_repo_url, is_zip_file

    try:
        abbreviations = get_user_config()["abbreviations"]
    except Exception:  # an unreadable user config: cookiecutter's own abbreviations
        abbreviations = BUILTIN_ABBREVIATIONS
    url = expand_abbreviations(given, abbreviations)
    return url if is_repo_url(url) or is_zip_file(url) else str(folder)


def record_template(answers: dict, folder: Path) -> None:
    """.cruft.json: the template, its commit and the answers, as cruft records them, so that
    `make template-update` renders this project again. cruft's own renders (for `cruft create`
    and updates) carry `_commit`, and cruft writes the file itself. Like `cruft create`, no
    `skip`: the paths updates leave alone are in the project's pyproject.toml, which both
    cruft and `make template-update` read, whichever tool made the project."""
    source, commit = template_source(answers["_template"], folder), template_commit(folder)
    context = {key: value for key, value in answers.items() if key not in BAKE_ONLY_KEYS}
    context |= {"_template": source, "_commit": commit}
    record = {
        "template": source,
        "commit": commit,
        "checkout": None,
        "context": {"cookiecutter": context},
        "directory": None,
    }
    text = json.dumps(record, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"
    (PROJECT / ".cruft.json").write_text(text, encoding="utf-8")


def print_next_steps(slug: str, serving: str) -> None:
    steps = [
        f"cd {slug}",
        "make install        # .venv with the pinned dependencies",
        "make train          # train on the bundled dataset: models/, reports/",
        "make test lint      # the project's own checks",
        "make docker-train   # the same training inside the Docker image",
    ]
    if serving != "none":
        steps.append("make docker-predict  # scores the sample in samples/; INPUT=... for yours")
    if serving == "rest":
        steps.append("make docker-serve    # the model on http://localhost:8000 (docs: /docs)")
    print(f"\nCreated {PROJECT}\nNext steps:")
    for step in steps:
        print(f"  {step}")


def main() -> None:
    answers = json.loads(r"""{{ cookiecutter | json_in_order }}""")  # in the questions' order
    frameworks = json.loads(r"""{{ frameworks | json_in_order }}""")
    install_variants(answers, frameworks[answers["framework"]])
    install_sample(answers["__dataset"], answers["__inputs"])
    install_license(answers["license"])
    remove_unused_ci(answers["ci"])
    if "_commit" not in answers:  # cookiecutter's bake, not one of cruft's renders
        record_template(answers, Path(r"""{{ template_folder }}"""))
        print_next_steps(answers["project_slug"], answers["serving"])


if __name__ == "__main__":
    main()
