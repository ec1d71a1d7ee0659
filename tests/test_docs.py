"""The generated README and the docs tell the truth about the code they describe.

Generated tier (`generated` marker): for each model, the README is rendered, the example files
it names are written, and every command of its ```bash blocks runs in an installed project, in
order, as shown; docs/generated-repo.md's commands make and install the logistic project.
Commands that need a Docker engine cannot run in this tier: each `make docker-*` line runs as
`make --dry-run ...` instead, which fails on an unknown target and shows that the recipe gets
every variable of the line; the one that serves wheels to a build (`http.server`) is listed,
not run. The docker tier (tests/test_docker.py) runs those targets against a real engine.

Static tests (no marker) hold the docs' words against the files they describe: CI triggers,
pre-commit pins, make targets, the module list.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from local_extensions import FRAMEWORKS
from tooling import TEMPLATE
from tooling.commands import run, user_environment
from tooling.loopback import free_port
from tooling.markdown import fenced, make_targets_named, paragraph, shell_commands
from tooling.pythons import find_python
from tooling.variants import DEFAULTS, model_facts

from .support.disk import drop_installs
from .support.images import write_images
from .support.tables import messy_rows

DOCS = TEMPLATE / "docs"
# Where users get the template, in docs/generated-repo.md; the tests bake this checkout instead.
TEMPLATE_ADDRESS = "gh:org/ml-docker-template"
DOCS_PAGE_ANSWERS = {"model": "logistic"}  # what `cookiecutter --no-input` gives

# The example table each README shows, per task: its name, target, id column, the column its
# columns.toml forces to be numeric, and a text column.
# The README's example column names per task, and how the classifier's labels are written.
LABELS = {"big": "yes", "small": "no"}
EXAMPLES: dict[str, dict[str, str]] = {
    "classification": {
        "table": "customers",
        "target": "churn",
        "id": "customer_id",
        "numeric": "tenure",
        "text": "plan",
    },
    "regression": {
        "table": "houses",
        "target": "price",
        "id": "house_id",
        "numeric": "area",
        "text": "state",
    },
}
# Each model's README runs in its own installed project; the logistic one is made and installed
# by docs/generated-repo.md's commands, without a git repository (as right after baking).
PROJECTS = [
    DOCS_PAGE_ANSWERS,
    {"model": "svm", "python_version": "3.11", "serving": "none", "ci": "gitlab"},
    {"model": "linear", "python_version": "3.12", "ci": "none"},
    {"framework": "pytorch", "model": "linear", "python_version": "3.11", "ci": "none"},
    {"framework": "tensorflow", "model": "cnn", "python_version": "3.12"},
]
NEW_IMAGES = 30  # in data/new, the folder the CNN's README scores
HOOKS_NOT_INSTALLED = "note: the pre-commit hooks were not installed"

GENERATED = pytest.mark.generated


def needs_docker(command: str) -> bool:
    words = shlex.split(command, comments=True)
    return any(word == "docker" or word.startswith("docker-") for word in words) or "http.server" in words


def makefile_targets(project: Path) -> set[str]:
    text = (project / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, re.MULTILINE))


def task_of(answers: dict[str, str]) -> str:
    """What the README's examples are: tables for the model's task, or images (its facts say)."""
    facts = model_facts(answers)
    return "images" if facts["inputs"] == "images" else str(facts["task"])


# --- running the docs ----------------------------------------------------------------------


@dataclass
class Shown:
    """What became of a page's commands."""

    ran: list[str] = field(default_factory=list)
    dry_runs: list[tuple[str, str]] = field(default_factory=list)  # (command, its dry run's output)
    # `make serve`, started in the background for the next blocks, which call it on this port.
    servers: list[subprocess.Popen[str]] = field(default_factory=list)
    port: int = 0
    not_run: list[str] = field(default_factory=list)  # needs an engine and is no make target
    output: str = ""

    def first_time(self, command: str) -> bool:
        """Whether no command with the same words (comments aside) ran before in the project:
        the README's quick start repeats what docs/generated-repo.md just ran."""
        return shlex.split(command, comments=True) not in (
            shlex.split(done, comments=True) for done in self.ran
        )


def run_blocks(blocks: list[str], cwd: Path, project: Path, env: dict[str, str], shown: Shown) -> None:
    """Run each ```bash block as one bash script, in order (so `source` and `cd` carry on to
    the block's next lines; `make serve` starts in the background between the lines before it
    and those after it), then dry-run the block's docker commands in `project`."""
    for block in blocks:
        lines = shell_commands(block)
        runnable = [c for c in lines if not needs_docker(c) and shown.first_time(c)]
        while runnable:
            serving = [shlex.split(c, comments=True)[:2] == ["make", "serve"] for c in runnable]
            cut = serving.index(True) if any(serving) else len(runnable)
            script = [
                c.replace(f"localhost:{SERVED_PORT}", f"localhost:{shown.port}") for c in runnable[:cut]
            ]
            if script:
                done = run(["bash", "-c", "\n".join(["set -exo pipefail", *script])], cwd, env=env)
                shown.ran += script
                shown.output += done.stdout + done.stderr
            if cut < len(runnable):
                shown.servers.append(start_service(runnable[cut], cwd, env, shown))
                shown.ran.append(runnable[cut])
            runnable = runnable[cut + 1 :]
        for command in (c for c in lines if needs_docker(c)):
            if "make" not in shlex.split(command, comments=True):
                shown.not_run.append(command)
                continue
            # No engine in this tier: the dry run checks the target and its variables, and
            # the docker tier (tests/test_docker.py) runs these targets for real.
            dry = re.sub(r"(^|\s)make\s", r"\1make --dry-run ", command, count=1)
            shown.dry_runs.append((command, run(["bash", "-c", dry], project, env=env).stdout))


SERVED_PORT = 8000  # where the README's commands reach `make serve`


def start_service(command: str, cwd: Path, env: dict[str, str], shown: Shown) -> subprocess.Popen[str]:
    """`make serve` in the background on a free port (the README's commands are pointed at
    it), once it answers; stopped by `stop_services`."""
    shown.port = free_port()
    words = [*shlex.split(command, comments=True), f"PORT={shown.port}"]
    server = subprocess.Popen(
        ["bash", "-c", shlex.join(words)],
        cwd=cwd,
        env={**user_environment(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: make and the service stop together
    )
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{shown.port}/v2/health/ready", timeout=2):
                return server
        except OSError:
            assert server.poll() is None, server.communicate()[0][-3000:]
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGTERM)
    pytest.fail(f"{command} did not answer in two minutes")


def stop_services(shown: Shown) -> None:
    for server in shown.servers:
        os.killpg(server.pid, signal.SIGTERM)
        shown.output += server.communicate(timeout=60)[0]


def shell_environment(home: Path, python: str) -> dict[str, str]:
    """A scratch HOME (the README writes ~/.netrc-pypi), with pyenv and the caches kept, and
    the interpreter `make install` takes from the environment (`PYTHON ?= ...`)."""
    real_home = Path.home()
    return {
        "HOME": str(home),
        "PYENV_ROOT": os.environ.get("PYENV_ROOT", str(real_home / ".pyenv")),
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(real_home / ".cache")),
        "PYTHON": python,
    }


def write_table(path: Path, task: str, rows: range, target: bool = True, delimiter: str = ";") -> Path:
    """tests/support/tables.py's messy table, with the README's column names: semicolons,
    missing cells, a text column, and numbers (zip codes) that are really categories."""
    names = EXAMPLES[task]
    header, body = messy_rows(rows.stop, task)
    header = [names["id"], names["numeric"], names["text"], "zip_code", names["target"]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header if target else header[:-1])
        for identifier, number, text, region, label in body[rows.start :]:
            zip_code = {"north": "10115", "south": "80331"}[region]
            label = LABELS.get(label, label) if task == "classification" else label
            writer.writerow([identifier, number, text, zip_code, label][: None if target else -1])
    return path


def write_examples(project: Path, readme: str, task: str) -> None:
    """The files the README's commands read: the training table, a holdout Parquet file
    with the target, a CSV file to score, and columns.toml as the README shows it; for the
    CNN, a folder of images per class, a holdout .npz file, and a folder of images to score."""
    data = project / "data"
    if task == "images":
        write_images(project, "classes", data / "images", 200)
        write_images(project, "npz", data / "holdout.npz", 60, seed=1)
        write_images(project, "flat", data / "new", NEW_IMAGES, seed=2)
        return
    data.mkdir(exist_ok=True)
    write_table(data / f"{EXAMPLES[task]['table']}.csv", task, range(300))
    holdout = write_table(data / "holdout.csv", task, range(300, 400), delimiter=",")
    to_parquet = "import pandas, sys; pandas.read_csv(sys.argv[1], dtype=str).to_parquet(sys.argv[2])"
    run([".venv/bin/python", "-c", to_parquet, str(holdout), str(data / "holdout.parquet")], project)
    holdout.unlink()
    write_table(data / "new.csv", task, range(300, 400), target=False, delimiter=",")
    (columns_toml,) = fenced(readme, "toml")
    (project / "columns.toml").write_text(columns_toml, encoding="utf-8")


@dataclass
class Documented:
    answers: dict[str, str]
    project: Path
    home: Path
    readme: str
    shown: Shown  # the README's commands, and for the logistic project the docs page's before them


def project_id(answers: dict[str, str]) -> str:
    return f"{answers.get('framework', DEFAULTS['framework'])}-{answers['model']}"


@pytest.fixture(scope="module", params=PROJECTS, ids=project_id)
def documented(request: pytest.FixtureRequest, bake, tmp_path_factory) -> Iterator[Documented]:
    answers = request.param
    version = answers.get("python_version", "3.11")
    python = find_python(version)
    if python is None:
        pytest.fail(f"no Python {version} on this machine; the generated tier needs each offered version")
    home = tmp_path_factory.mktemp("home")
    env = shell_environment(home, python)
    shown = Shown()
    if answers == DOCS_PAGE_ANSWERS:  # the page bakes, installs and trains the project
        folder = tmp_path_factory.mktemp("docs-page")
        page = (DOCS / "generated-repo.md").read_text(encoding="utf-8")
        project = folder / "my-ml-project"
        run_blocks(
            fenced(page.replace(TEMPLATE_ADDRESS, shlex.quote(str(TEMPLATE))), "bash"),
            folder,
            project,
            env,
            shown,
        )
    else:
        project = bake(**answers)
        run(["git", "init", "--quiet"], project)
    readme = (project / "README.md").read_text(encoding="utf-8")
    quick_start, *rest = fenced(readme, "bash")
    assert "make install" in quick_start, "the README starts with the install"
    run_blocks([quick_start], project, project, env, shown)
    write_examples(project, readme, task_of(answers))
    try:
        run_blocks(rest, project, project, env, shown)
    finally:
        stop_services(shown)
    yield Documented(answers, project, home, readme, shown)
    drop_installs(project)


# --- generated tier: the commands run ------------------------------------------------------


@GENERATED
def test_every_command_shown_runs_or_is_dry_run(documented: Documented) -> None:
    shown, answers = documented.shown, documented.answers
    example = model_facts(answers)["config_example"]  # the override the README shows
    assert any(example in command for command in shown.ran)
    assert any(command.startswith("source .venv/bin/activate") for command in shown.ran)
    assert any(command.startswith("pip download") for command in shown.ran)
    # Only the server of the offline build's wheels needs an engine without being a make target.
    assert all("http.server" in command for command in shown.not_run), shown.not_run
    if any(command.startswith("make serve") for command in shown.ran):  # and the README's calls got answers
        called = [command for command in shown.ran if command.startswith("curl")]
        assert '"ready":true' in shown.output and '"predictions":[' in shown.output, (
            called,
            shown.output[:20000],
        )
    assert shown.dry_runs, "the README shows the docker targets"
    for command, output in shown.dry_runs:
        words = shlex.split(command, comments=True)
        at = words.index("make")
        environment, (target, *variables) = words[:at], words[at + 1 :]
        assert target.startswith("docker-") and "docker " in output, (command, output)
        for assignment in environment:  # the package-index settings reach the build
            assert f"--build-arg {assignment.split('=')[0]}" in output, (command, output)
        for assignment in variables:  # and each make variable reaches the recipe
            value = assignment.split("=", 1)[1].replace("$HOME", str(documented.home))
            assert value in output, (command, output)


@GENERATED
def test_the_files_the_readme_names_are_written(documented: Documented) -> None:
    project, readme = documented.project, documented.readme
    named = set(re.findall(r"`((?:models|reports)/[\w<>.-]+)`", readme))
    assert "reports/evaluation.json" in named and "models/model.json" in named
    for name in named:
        assert list(project.glob(name.replace("<hash>", "*"))), f"the README names {name}: not written"
    with (project / "predictions.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if task_of(documented.answers) == "images":
        assert len(rows) == NEW_IMAGES and list(rows[0]) == ["id", "prediction", "probability"]
        return
    assert len(rows) == 100 and all(row["prediction"] for row in rows)
    probabilities = {name for name in rows[0] if name.startswith("probability_")}
    if task_of(documented.answers) == "classification":
        assert probabilities == {"probability_yes", "probability_no"}
    else:
        assert not probabilities


@GENERATED
def test_offline_wheels_are_the_images(documented: Documented) -> None:
    """`pip download` as the README shows it, run by this machine's pip (Python 3.11), fetches
    wheels for the image's Linux and Python; pip of that Python version (the project's .venv,
    as the image's) resolves every pin from that folder alone, with no index and no pip
    configuration. The bar: tags and resolution are checked, the wheels are not installed (the
    docker tier builds the image offline from such a folder)."""
    project = documented.project
    version = documented.answers.get("python_version", "3.11")
    cp = "cp" + version.replace(".", "")
    for wheel in (project / "wheels").glob("*.whl"):
        python_tag, abi, platform = wheel.stem.split("-")[-3:]
        stable_abi = abi == "abi3" and python_tag.startswith("cp") and int(python_tag[2:]) <= int(cp[2:])
        assert stable_abi or (python_tag in {cp, "py3", "py2.py3"} and abi in {cp, "none"}), wheel.name
        assert platform == "any" or ("manylinux" in platform and "x86_64" in platform), wheel.name
    clean = {key: value for key, value in user_environment().items() if not key.startswith("PIP_")}
    offline = "install --dry-run --ignore-installed --no-index --find-links wheels -r requirements.txt"
    done = run(
        [".venv/bin/python", "-m", "pip", *offline.split()],
        project,
        environment={**clean, "PIP_CONFIG_FILE": os.devnull},
    )
    # requirements.txt includes requirements-serve.txt where the project serves over REST.
    files = [project / name for name in ("requirements.txt", "requirements-serve.txt")]
    text = "".join(path.read_text() for path in files if path.is_file())
    pins = re.findall(r"^([\w.-]+)==(\S+)", text, re.MULTILINE)
    would_install = done.stdout.lower().replace("_", "-")
    for name, pinned in pins:
        assert f"{name.lower().replace('_', '-')}-{pinned}" in would_install, (name, done.stdout)


@GENERATED
def test_install_says_when_the_git_hooks_were_not_installed(documented: Documented, tmp_path: Path) -> None:
    """The docs page's project has no git repository: `make install` says the hooks were not
    installed, and how to add them. The others ran `git init` first: the hooks are there, and
    without a git command (GitLab CI's python:X-slim image has none) it says so, and succeeds."""
    project, output = documented.project, documented.shown.output
    if (project / ".git").exists():
        assert (project / ".git" / "hooks" / "pre-commit").is_file()
        assert HOOKS_NOT_INSTALLED not in output
        no_git = tmp_path / "bin"  # a PATH with the shell that make runs, and no git
        no_git.mkdir()
        bash, make = shutil.which("bash"), shutil.which("make")
        assert bash and make
        (no_git / "bash").symlink_to(bash)
        done = run([make, "install"], project, env={"PATH": str(no_git)})
        assert HOOKS_NOT_INSTALLED in done.stdout
    else:
        assert f"{HOOKS_NOT_INSTALLED}: {project} is not the top folder of a git repository." in output
        assert (
            "Run 'git init' there, then 'make install' again (or '.venv/bin/pre-commit install')." in output
        )
        run(["git", "init", "--quiet"], project)
        installed = run(["make", "install"], project).stdout
        assert HOOKS_NOT_INSTALLED not in installed
        assert (project / ".git" / "hooks" / "pre-commit").is_file()


def number_after(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, f"no {pattern!r} in the docs"
    return int(match[1])


@GENERATED
def test_minimum_number_of_rows_is_the_documented_one(documented: Documented, tmp_path: Path) -> None:
    project, task = documented.project, task_of(documented.answers)
    outputs = {"MODELS_DIR": str(tmp_path / "models"), "REPORTS_DIR": str(tmp_path / "reports")}
    if task == "images":
        minimum = number_after(r"At least (\d+) images", documented.readme)
        too_few = write_images(project, "npz", tmp_path / "too few.npz", minimum - 1)
        refused = run(["make", "train", f"DATA={too_few}"], project, check=False, env=outputs)
        assert refused.returncode != 0
        assert f"has {minimum - 1} images; training needs at least {minimum}" in refused.stderr
        enough = write_images(project, "npz", tmp_path / "enough.npz", minimum)
        run(["make", "train", f"DATA={enough}"], project, env=outputs)
        assert (tmp_path / "models" / "model.json").is_file()
        return
    documented_minimum = {
        number_after(r"at least (\d+) data rows", documented.readme),
        number_after(r"at least (\d+) data rows", (DOCS / "generated-repo.md").read_text()),
        number_after(r"Fewer than (\d+) rows", (DOCS / "your-data.md").read_text()),
    }
    (minimum,) = documented_minimum
    target, drop = EXAMPLES[task]["target"], EXAMPLES[task]["id"]
    too_few = write_table(tmp_path / "too few.csv", task, range(minimum - 1))
    refused = run(
        ["make", "train", f"DATA={too_few}", f"TARGET={target}", f"ARGS=--drop {drop}"],
        project,
        check=False,
        env=outputs,
    )
    assert refused.returncode != 0
    assert f"has {minimum - 1} data rows; training needs at least {minimum}" in refused.stderr
    enough = write_table(tmp_path / "enough.csv", task, range(minimum))
    run(["make", "train", f"DATA={enough}", f"TARGET={target}", f"ARGS=--drop {drop}"], project, env=outputs)
    assert (tmp_path / "models" / "model.json").is_file()


# --- static: the docs' words against the files they describe --------------------------------


def github_trigger_words(name: str, spec: dict | None) -> str:
    """What the README and docs/generated-repo.md say for a trigger of the workflow's `on:`."""
    if name == "push":
        branches = (spec or {}).get("branches")
        return "every push to " + " or ".join(f"`{b}`" for b in branches) if branches else "every push,"
    return {"pull_request": "every pull request", "workflow_dispatch": "by hand (`workflow_dispatch`"}[name]


# Words that show the docs describe a trigger, whether or not the workflow has it.
TRIGGER_HINTS = {"push": "push", "pull_request": "pull request", "workflow_dispatch": "workflow_dispatch"}


def test_github_triggers_are_the_documented_ones(bake) -> None:
    project = bake(ci="github")
    workflow = yaml.safe_load((project / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    readme = paragraph((project / "README.md").read_text(encoding="utf-8"), "CI (`.github/workflows/ci.yml`)")
    docs = paragraph((DOCS / "generated-repo.md").read_text(encoding="utf-8"), "The GitHub workflow runs")
    docs = docs.split("The GitLab pipeline")[0]
    unknown = set(triggers) - set(TRIGGER_HINTS)
    assert not unknown, f"describe these triggers in the README and docs/generated-repo.md: {unknown}"
    for text in (readme, docs):
        for name, hint in TRIGGER_HINTS.items():
            if name in triggers:
                assert github_trigger_words(name, triggers[name]) in text, (name, text)
            else:
                assert hint not in text, (name, text)
        pushes = re.findall(r"every push( to [^,;]+)?", text)
        assert len(pushes) == 1, text  # one description of push, the one above
        cancels = (workflow.get("concurrency") or {}).get("cancel-in-progress") is True
        assert ("cancels the run it makes obsolete" in text) == cancels, text


def test_gitlab_triggers_are_the_documented_ones(bake) -> None:
    """Without rules (in `workflow:` or in a job), GitLab runs a pipeline for every push; with
    `auto_cancel: on_new_commit: interruptible` and interruptible jobs, a newer push cancels it."""
    project = bake(ci="gitlab")
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    rules = {
        f"{job}.{key}"
        for job, spec in pipeline.items()
        if isinstance(spec, dict)
        for key in ("rules", "only", "except")
        if key in spec
    }
    assert not rules, f"the README and docs say 'every push': describe {rules} there"
    readme = paragraph((project / "README.md").read_text(encoding="utf-8"), "CI (`.gitlab-ci.yml`)")
    docs = paragraph((DOCS / "generated-repo.md").read_text(encoding="utf-8"), "The GitLab pipeline runs")
    docs = docs[docs.index("The GitLab pipeline") :]
    auto_cancel = pipeline.get("workflow", {}).get("auto_cancel", {}).get("on_new_commit")
    interruptible = [
        spec.get("interruptible", pipeline.get("default", {}).get("interruptible"))
        for spec in (spec for job, spec in pipeline.items() if isinstance(spec, dict) and "script" in spec)
    ]
    cancels = auto_cancel == "interruptible" and all(interruptible)
    for text in (readme, docs):
        assert "runs on every push, to any branch or tag" in text, text
        cancelling = "a newer push to the same branch cancels the pipeline it makes obsolete"
        assert (cancelling in text) == cancels, (cancels, text)
    assert "CI (" not in (bake(ci="none") / "README.md").read_text(encoding="utf-8")


def requirement_pins(project: Path, name: str) -> dict[str, str]:
    """Pins of a requirements file and the files it includes, by normalised name."""
    pins: dict[str, str] = {}
    for line in (project / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("-r "):
            pins |= requirement_pins(project, line.split(maxsplit=1)[1])
        elif "==" in line:
            package, version = line.split("#")[0].split("==")
            pins[re.sub(r"[-_.]+", "-", package.strip()).lower()] = version.strip()
    return pins


@pytest.mark.parametrize("ci", ["github", "gitlab", "none"])
def test_pre_commit_pins_are_the_documented_ones(bake, ci: str) -> None:
    """Each hook's tool is pinned as requirements-dev.txt pins it (the version `make lint` runs),
    or runs from .venv; a tool the project does not install is named as pinned in the config."""
    project = bake(ci=ci)
    pins = requirement_pins(project, "requirements-dev.txt")
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    only_in_config = set()
    for hook in (hook for repo in config["repos"] for hook in repo["hooks"]):
        dependencies = hook.get("additional_dependencies", [])
        if not dependencies:
            assert hook["entry"].startswith(".venv/bin/"), f"{hook['id']}: its tool is not pinned"
        for dependency in dependencies:
            package, version = dependency.split("==")
            normalised = re.sub(r"[-_.]+", "-", package).lower()
            if normalised in pins:
                assert version == pins[normalised], f"{hook['id']}: {dependency}, requirements-dev: {pins}"
            else:
                only_in_config.add(package)
    readme = paragraph((project / "README.md").read_text(encoding="utf-8"), "pre-commit hooks")
    assert "pinned to the versions in `requirements-dev.txt`" in readme
    for package in only_in_config:
        assert (
            f"`{package}` is not a dependency of the project and is pinned in `.pre-commit-config.yaml`"
            in readme
        )


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"model": "svm", "serving": "none"},
        {"model": "linear", "ci": "gitlab"},
        {"framework": "pytorch", "model": "cnn", "use_gpu": "yes"},
    ],
    ids=str,
)
def test_make_targets_in_the_docs_exist(bake, answers: dict[str, str]) -> None:
    project = bake(**answers)
    targets = makefile_targets(project)
    pages = [(project / "README.md").read_text(encoding="utf-8")]
    if not answers:  # the docs describe the default project (and say which targets need batch)
        names = ("generated-repo.md", "your-data.md", "upgrading.md")
        pages += [(DOCS / name).read_text(encoding="utf-8") for name in names]
    if answers.get("use_gpu"):
        pages.append((DOCS / "gpu.md").read_text(encoding="utf-8"))
    if answers.get("framework") == "pytorch":  # the scaling page's targets are a REST PyTorch project's
        pages.append((DOCS / "scaling.md").read_text(encoding="utf-8"))
    for page in pages:
        named = make_targets_named(page)
        assert named, "the page names make targets"
        assert named <= targets, f"no such make target: {named - targets}"


def test_the_quick_start_bakes_trains_serves_and_calls_the_default_project(bake) -> None:
    """docs/index.md's quick start bakes from the template's address (or a clone), enters the
    default project's folder, runs its make targets, and calls the service with the default
    README's own request, which the generated tier sends to `make serve` and sees answered."""
    page = (DOCS / "index.md").read_text(encoding="utf-8")
    start, call = fenced(page.split("\n## ", 2)[1], "bash")
    project = bake()
    baking, entering, *rest = shell_commands(start)
    assert shlex.split(baking, comments=True) == ["cookiecutter", "--no-input", TEMPLATE_ADDRESS]
    assert "\n# or, from a clone of the template: cookiecutter --no-input path/to/clone\n" in start
    assert entering == f"cd {project.name}"
    assert [shlex.split(command, comments=True) for command in rest] == [
        ["make", "docker-train"],
        ["make", "docker-serve"],
    ]
    assert {"docker-train", "docker-serve"} <= makefile_targets(project)
    readme = (project / "README.md").read_text(encoding="utf-8")
    shown = [shlex.split(c, comments=True) for block in fenced(readme, "bash") for c in shell_commands(block)]
    calls = [shlex.split(command, comments=True) for command in shell_commands(call)]
    assert calls and all(command in shown for command in calls), calls
    assert any(command[:3] == ["curl", "-s", f"localhost:{SERVED_PORT}/predict"] for command in calls)


RETRYING = "Retrying (Retry("  # pip's warning before each retry of a request


def test_an_unreachable_pytorch_index_is_retried_once_per_package(bake, tmp_path: Path) -> None:
    """Behind a mirror or a proxy, PyTorch's CPU index (requirements.txt's --extra-index-url)
    cannot be reached. `make install` and the README's `pip download` ask it about each package
    and pass it over after one retry, not pip's default five with growing pauses (over 250
    retries, minutes, for a project's requirements). Two of the project's pins stand for all of
    them, and a refused loopback port for the unreachable index."""
    project = bake(framework="pytorch", model="linear", ci="none")
    requirements = (project / "requirements.txt").read_text(encoding="utf-8").splitlines()
    (index,) = [line for line in requirements if line.startswith("--extra-index-url ")]
    pins = [line for line in requirements if line.startswith(("cycler==", "mpmath=="))]
    unreachable = f"--extra-index-url http://127.0.0.1:{free_port()}/whl/cpu"
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(project / "Makefile", folder)
    (folder / "requirements.txt").write_text("\n".join([unreachable, *pins, ""]), encoding="utf-8")
    (folder / "requirements-dev.txt").write_text("-r requirements.txt\n", encoding="utf-8")
    python = find_python("3.11")
    assert python is not None and len(pins) == 2 and index.endswith("download.pytorch.org/whl/cpu")
    run([python, "-m", "venv", ".venv"], folder)
    environment = {key: value for key, value in user_environment().items() if key not in {"PIP_RETRIES"}}
    # The install's first step, pip over the requirements, is the one that asks the index; the
    # second installs this folder, which is no project, and fails: only the first is checked.
    install = run(["make", "install"], folder, check=False, environment=environment)
    assert "Successfully installed" in install.stdout, install.stdout + install.stderr
    readme = (project / "README.md").read_text(encoding="utf-8")
    shown = [command for block in fenced(readme, "bash") for command in shell_commands(block)]
    (download,) = [command for command in shown if command.startswith("pip download")]
    fetched = run(["bash", "-c", download], folder, environment=environment)
    assert sorted(path.name.split("-")[0] for path in (folder / "wheels").iterdir()) == ["cycler", "mpmath"]
    for done in (install, fetched):
        retries = (done.stdout + done.stderr).count(RETRYING)
        assert 0 < retries <= len(pins), done.stdout + done.stderr


@pytest.mark.parametrize("framework", list(FRAMEWORKS))
def test_readme_lists_every_module(bake, framework: str) -> None:
    """Each framework's package: the README's module list names every module it has."""
    project = bake(framework=framework)
    (package,) = (project / "src").iterdir()
    listed = set(
        re.findall(r"^  (\w+\.py) ", (project / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    )
    modules = {path.name for path in package.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert listed == modules
