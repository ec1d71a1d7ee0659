"""Each model's generated project passes its own install, lint, tests and real training."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_extensions import FRAMEWORKS
from tooling.commands import run
from tooling.hooks import load_hook
from tooling.pythons import find_python
from tooling.variants import (
    CHOICES,
    each_model_once,
    model_facts,
    one_gpu_project_each,
    short_of_the_bar,
    task_constant,
)

from .support.disk import drop_installs
from .support.distributed import ENDLESS, interrupt, kill_launcher, left_after, results_of, start_training
from .support.images import CLASSES, SHAPES_BAR, write_images
from .support.release_history import History, template_history, upgraded_from_release
from .support.tables import MESSY_BARS, write_messy_csv

pytestmark = pytest.mark.generated

# Every framework x model, and every Python version each framework offers, is installed and
# trained once (to its model's quality bar, `minimum` in its facts file); and each CUDA build,
# on the Python its CPU build lacks where there is one: it installs beside the tools and trains
# on this machine's CPU. Each is served over REST (the default), whose tests are the others' and
# the service's; the serving answers without code of their own (batch, none) are baked, linted
# and built into images by the other tiers.
PROJECTS = each_model_once(("python_version",)) + one_gpu_project_each()[:1]
# Each framework's default project is baked from the template's latest release instead, edited
# as its user would, and updated to this working tree with `make template-update`: the rest of
# this tier then proves the updated project installs, passes its own tests and trains.
FROM_RELEASE = [
    answers
    for answers in PROJECTS
    if answers["model"] == next(iter(FRAMEWORKS[answers["framework"]]["models"]))
    and answers["python_version"] == CHOICES["python_version"][0]
    and not answers.get("use_gpu")
]


def install_env(answers: dict) -> dict[str, str]:
    """PyTorch's CPU index (named in the PyTorch requirements) cannot be reached from here:
    without retries, pip passes over it at once and finds torch in the local wheels."""
    build = FRAMEWORKS[answers["framework"]]["builds"]["gpu" if answers.get("use_gpu") else "cpu"]
    return {"PIP_RETRIES": "0"} if build["extra_index"] else {}


def python_for(version: str) -> str:
    python = find_python(version)
    if python is None:
        pytest.fail(f"no Python {version} on this machine; the generated tier needs each offered version")
    return python


@pytest.fixture(scope="module")
def release_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return template_history(tmp_path_factory.mktemp("template-history") / "template")


def project_id(answers: dict) -> str:
    gpu = "-gpu" if answers.get("use_gpu") else ""
    return f"{answers['framework']}-{answers['model']}-py{answers['python_version']}{gpu}"


@pytest.fixture(scope="module", params=PROJECTS, ids=project_id)
def project(
    request: pytest.FixtureRequest, bake, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict, Path]]:
    """A baked project after `git init` and `make install` (which installs the git hooks)."""
    answers = request.param
    path = bake(**answers)
    if answers in FROM_RELEASE:  # the working tree's bake is what the updated one must equal
        history: History = request.getfixturevalue("release_history")
        output = tmp_path_factory.mktemp("from-release")
        path = upgraded_from_release(history, output, fresh=path, answers=answers)
    else:
        run(["git", "init", "--quiet"], path)
    python = python_for(answers["python_version"])
    run(["make", "install", f"PYTHON={python}"], path, env=install_env(answers))
    assert (path / ".git" / "hooks" / "pre-commit").is_file()
    yield answers, path
    drop_installs(path)


@pytest.fixture(scope="module")
def trained(project: tuple[dict, Path]) -> tuple[dict, Path, dict, subprocess.CompletedProcess]:
    answers, path = project
    done = run(["make", "train"], path)
    metrics = json.loads((path / "reports" / "metrics.json").read_text())
    return answers, path, metrics, done


def test_lint_and_own_tests_pass(project: tuple[dict, Path]) -> None:
    _, path = project
    run(["make", "lint"], path)
    outcome = run(["make", "test"], path).stdout
    assert " passed" in outcome and "failed" not in outcome


def test_template_check_finds_the_project_up_to_date(project: tuple[dict, Path]) -> None:
    """With the project's own pinned cruft: the template it was made from (this checkout; for
    the projects updated from the latest release, the history of both) has nothing new."""
    _, path = project
    assert "up to date with the template at" in run(["make", "template-check"], path).stdout


def test_training_reaches_the_quality_bar(trained) -> None:
    answers, path, metrics, done = trained
    assert short_of_the_bar(metrics, answers) == {}, metrics
    assert metrics["class_path"].endswith(model_facts(answers)["class_path"])
    assert metrics["model"] == metrics["class_path"].rpartition(".")[2] and metrics["seed"] == 42
    assert json.loads(done.stdout[done.stdout.index("{") :]) == metrics
    assert "Training" in done.stderr and "Saved" in done.stderr  # progress is shown
    # A use_gpu project that sees no GPU (none is here) says so once, then trains on the CPU.
    assert done.stderr.count("warning: no CUDA GPU is visible") == (1 if answers.get("use_gpu") else 0)
    if answers.get("use_gpu"):
        gpu = FRAMEWORKS[answers["framework"]]["builds"]["gpu"]
        built_for = run([".venv/bin/python", "-c", gpu["cuda_probe"]], path).stdout
        assert metrics["device"] == "cpu" and built_for.strip() == gpu["cuda_probe_prints"]
    files = json.loads((path / "models" / "model.json").read_text())["files"]
    assert all((path / "models" / name).is_file() for name in files.values())
    plots = {task_constant(model_facts(answers)["task"], "PLOT_FILE")}  # the task's plot
    if FRAMEWORKS[answers["framework"]]["network"]:
        plots.add("loss_curve.png")  # networks plot their loss per epoch
    assert {p.name for p in (path / "reports").glob("*.png")} == plots


# The gap allowed between a model trained in two processes (or on two replicas) and in one, on
# each metric of its quality bar: both see the same batches, their gradients summed in
# another order (in measurements, the same metrics to the last digit, or within 0.005).
DISTRIBUTED_TOLERANCE = 0.02
# Both trainings stop after this many epochs: the comparison needs no converged model.
DISTRIBUTED_EPOCHS = 20


def trains_distributed(answers: dict) -> dict:
    """The framework's facts, where this is its default model on the CPU; else the test skips."""
    framework = FRAMEWORKS[answers["framework"]]
    if not framework["distributed"]:
        pytest.skip("the framework trains in one process")
    if answers["model"] != next(iter(framework["models"])) or answers.get("use_gpu"):
        pytest.skip("each framework's default model trains distributed, on the CPU")
    return framework


def test_training_in_two_processes_scores_like_one(trained, tmp_path: Path) -> None:
    """Each network framework's default model trains by `make train-distributed NPROC=2` (two
    CPU processes under torchrun, or two TensorFlow workers meeting on loopback): the first
    process alone reports and writes; its model loads and scores as the one-process model."""
    answers, path, _, _ = trained
    framework = trains_distributed(answers)
    package = next((path / "src").iterdir()).name
    sample = f"samples/{model_facts(answers)['dataset']}.csv"
    epochs = f"--training.epochs {DISTRIBUTED_EPOCHS} --training.patience {DISTRIBUTED_EPOCHS}"
    metrics, scored = {}, {}
    for target in ("train", "train-distributed"):
        out = tmp_path / target
        args = f"ARGS={epochs} --models-dir {out / 'models'} --reports-dir {out / 'reports'}"
        done = run(["make", target, "NPROC=2", args], path)
        # Printed and saved once, by the first process.
        assert done.stdout.count('"n_train"') == 1 and done.stderr.count("Saved ") == 1
        if target == "train-distributed" and framework["distributed"]["multi_worker"]:
            assert "Training in 2 processes with MultiWorkerMirroredStrategy" in done.stderr
        metrics[target] = json.loads(done.stdout[done.stdout.index("{") :])
        assert metrics[target] == json.loads((out / "reports" / "metrics.json").read_text())
        files = ["--models-dir", str(out / "models"), "--input", sample, "--output", str(out / "p.csv")]
        run([".venv/bin/python", "-m", package, "predict", *files], path)
        with (out / "p.csv").open() as handle:
            scored[target] = [row["prediction"] for row in csv.DictReader(handle)]
    one, two = metrics["train"], metrics["train-distributed"]
    for metric in model_facts(answers)["minimum"]:
        assert abs(two[metric] - one[metric]) <= DISTRIBUTED_TOLERANCE, (two, one)
    agreeing = sum(a == b for a, b in zip(scored["train"], scored["train-distributed"], strict=True))
    assert agreeing >= 9, scored
    # A bad argument stops every process: its one error line, and one line saying it stopped.
    refused = run(["make", "train-distributed", "ARGS=--training.epochs 0"], path, check=False)
    assert refused.returncode != 0 and "Traceback" not in refused.stdout + refused.stderr
    errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert errors[0] == "error: training.epochs: expected a whole number of at least 1"
    assert len(errors) <= 2
    assert errors[-1].startswith(("error: training.epochs", "error: the distributed training"))
    if framework["distributed"]["multi_worker"]:  # several machines: both settings, or one line
        hosts = "127.0.0.1:1,127.0.0.1:2"
        half = run(["make", "train-distributed", f"WORKER_HOSTS={hosts}"], path, check=False)
        errors = [line for line in half.stderr.splitlines() if line.startswith("error:")]
        assert half.returncode != 0 and errors == [
            f"error: WORKER_HOSTS={hosts} needs WORKER_INDEX too: this machine's place in it, 0 to 1"
        ]
    if framework["distributed"]["multi_node"]:  # torchrun itself reads the several-machine command
        nodes = ["NNODES=2", "RDZV_ENDPOINT=node-0.example.com:29400"]
        shown = run(["make", "--dry-run", "train-distributed", *nodes], path).stdout
        flags = shown.split(f"-m {package}.distributed ", 1)[1].splitlines()[0]
        parse = (
            "import shlex, sys; from torch.distributed.run import parse_args; "
            "a = parse_args(shlex.split(sys.argv[1])); "
            "print(a.nnodes, a.rdzv_backend, a.rdzv_endpoint, a.nproc_per_node, a.module, a.training_script)"
        )
        parsed = run([".venv/bin/python", "-c", parse, flags], path).stdout.split()
        assert parsed == ["2", "c10d", "node-0.example.com:29400", "2", "True", package]


# How long a stopped training's processes may take to end: their launcher is checked twice a
# second; a process in the middle of a step ends after it.
STOPPING_SECONDS = 10


def test_a_stopped_distributed_training_leaves_no_process_and_keeps_the_model(trained) -> None:
    """Killing the launcher outright (kill -9, a closed terminal, a cancelled CI job) stops every
    process of the training within seconds, and the model and reports kept before it stay
    byte for byte the same; so does Ctrl-C, which says in one line that it stopped."""
    answers, path, _, _ = trained
    trains_distributed(answers)
    package = next((path / "src").iterdir()).name
    kept = results_of(path)
    command = ["make", "--no-print-directory", "train-distributed", "NPROC=2", ENDLESS]
    for stop in ("kill -9", "Ctrl-C"):
        training = start_training(path, command, started="epoch 2/")
        if stop == "kill -9":
            running = kill_launcher(training, f"-m {package}.distributed")
        else:
            running = interrupt(training)
        assert len(running) >= 3, running  # the launcher and its two processes, at least
        assert left_after(running, STOPPING_SECONDS) == {}, stop
        output = training.output()
        assert "Traceback" not in output and "Saved " not in output, output
        if stop == "Ctrl-C":
            assert "error: the distributed training was stopped by SIGINT" in output, output
    assert results_of(path) == kept


def test_evaluate_repeats_the_held_out_metric(trained) -> None:
    answers, path, metrics, _ = trained
    run(["make", "evaluate"], path)
    evaluation = json.loads((path / "reports" / "evaluation.json").read_text())
    for metric in model_facts(answers)["minimum"]:  # the metrics its quality bar reads
        assert evaluation[metric] == metrics[metric]


def test_predict_scores_every_row(trained, tmp_path: Path) -> None:
    answers, path, _, _ = trained
    # Without INPUT, `make predict` scores the sample the project ships, and says so.
    done = run(["make", "predict"], path)
    facts = model_facts(answers)
    images = facts["inputs"] == "images"
    sample = f"samples/{facts['dataset']}" if images else f"samples/{facts['dataset']}.csv"
    assert f"note: no INPUT given: scoring the sample {sample} into predictions.csv" in done.stdout
    with (path / "predictions.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 10
    if images:  # one PNG file per digit: the model reads them as it was trained
        assert [row["id"] for row in rows] == [f"digit-{digit}.png" for digit in range(10)]
        correct = sum(row["prediction"] == row["id"][6] for row in rows)
        assert correct >= 9, rows
        return
    source, scored = tmp_path / "in.csv", tmp_path / "out" / "scored.csv"
    export = (
        f"import csv, sys; from sklearn import datasets; d = datasets.load_{facts['dataset']}(); "
        "w = csv.writer(open(sys.argv[1], 'w', newline='')); "
        "w.writerow(['id', *d.feature_names]); "
        "w.writerows([i, *row] for i, row in enumerate(d.data[:25]))"
    )
    run([".venv/bin/python", "-c", export, str(source)], path)
    run(["make", "predict", f"INPUT={source}", f"OUTPUT={scored}"], path)
    with scored.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == [str(i) for i in range(25)]
    assert all(row["prediction"] for row in rows)


def test_training_on_a_folder_of_images_through_make(trained, tmp_path: Path) -> None:
    """A folder per class, some images of another size, paths with spaces; `make evaluate` on an
    .npz file and `make predict` on a folder without classes."""
    answers, path, _, _ = trained
    if model_facts(answers)["inputs"] != "images":
        pytest.skip("the model reads tables")
    images = write_images(path, "classes", tmp_path / "my data" / "shape images", 200)
    env = {"MODELS_DIR": str(tmp_path / "m"), "REPORTS_DIR": str(tmp_path / "r")}
    done = run(["make", "train", f"DATA={images}"], path, env=env)
    assert "note: 8 image(s) of another size than the usual 12x12 (24x24) read at 12x12" in done.stderr
    metadata = json.loads((tmp_path / "m" / "model.json").read_text())
    assert metadata["image_shape"] == [12, 12, 1] and metadata["classes"] == list(CLASSES)
    metric, minimum = SHAPES_BAR
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())[metric] >= minimum
    holdout = write_images(path, "npz", tmp_path / "my data" / "holdout.npz", 60, seed=1)
    run(["make", "evaluate", f"DATA={holdout}"], path, env=env)
    assert json.loads((tmp_path / "r" / "evaluation.json").read_text())[metric] >= minimum
    new, scored = write_images(path, "flat", tmp_path / "new images", 30, seed=2), tmp_path / "out put.csv"
    run(["make", "predict", f"INPUT={new}", f"OUTPUT={scored}"], path, env=env)
    with scored.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == sorted(image.name for image in new.iterdir())
    correct = sum(row["id"].startswith(row["prediction"]) for row in rows)  # files are named by shape
    assert correct / len(rows) >= minimum


def test_training_on_a_messy_table_through_make(trained, tmp_path: Path) -> None:
    """Semicolons, a BOM, text categories and missing cells; column options from a TOML file;
    then `make evaluate` and `make predict` on the same rows as Parquet."""
    answers, path, _, _ = trained
    facts = model_facts(answers)
    if facts["inputs"] != "tables":
        pytest.skip("the model reads images")
    task = facts["task"]
    (tmp_path / "my data").mkdir()  # paths with spaces work through make
    data = write_messy_csv(tmp_path / "my data" / "messy table.csv", task)
    columns = tmp_path / "columns.toml"
    columns.write_text('drop = ["id"]\n')
    env = {"MODELS_DIR": str(tmp_path / "m"), "REPORTS_DIR": str(tmp_path / "r")}
    run(
        ["make", "train", f"DATA={data}", "TARGET=label", f"COLUMNS={columns}", "ARGS=--categorical region"],
        path,
        env=env,
    )
    metadata = json.loads((tmp_path / "m" / "model.json").read_text())
    assert metadata["feature_types"] == {"size": "numeric", "colour": "categorical", "region": "categorical"}
    metric, minimum = MESSY_BARS[task]
    assert json.loads((tmp_path / "r" / "metrics.json").read_text())[metric] >= minimum

    parquet, scored = tmp_path / "my data" / "messy table.parquet", tmp_path / "out put" / "scored.csv"
    to_parquet = (
        "import pandas, sys; pandas.read_csv(sys.argv[1], sep=';', dtype=str).to_parquet(sys.argv[2])"
    )
    run([".venv/bin/python", "-c", to_parquet, str(data), str(parquet)], path)
    run(["make", "evaluate", f"DATA={parquet}"], path, env=env)
    assert json.loads((tmp_path / "r" / "evaluation.json").read_text())["n_rows"] == 300
    run(["make", "predict", f"INPUT={parquet}", f"OUTPUT={scored}"], path, env=env)
    with scored.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == [f"c{i:04d}" for i in range(300)]
    if task == "classification":
        assert {row["prediction"] for row in rows} == {"big", "small"}


def test_bad_input_is_one_error_line(trained) -> None:
    answers, path, _, _ = trained
    if model_facts(answers)["inputs"] == "images":
        command, expected = (
            ["make", "train", "DATA=missing.npz"],
            (
                "error: data file not found: missing.npz (expected an .npz file with X "
                "(N x H x W, or N x H x W x C) and y, or a folder of images)"
            ),
        )
    else:
        command = ["make", "train", "DATA=missing.csv", "TARGET=y"]
        expected = "error: data file not found: missing.csv (expected a CSV or Parquet file)"
    done = run(command, path, check=False)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [expected]
    assert "Traceback" not in done.stderr


def test_pre_commit_passes_on_the_first_commit(project: tuple[dict, Path]) -> None:
    _, path = project
    run(["git", "add", "--all"], path)
    run([".venv/bin/pre-commit", "run", "--all-files"], path)


def test_the_hook_refuses_what_the_installed_project_holds(project: tuple[dict, Path]) -> None:
    """The facts scripts/sync_hook_with_pins.py wrote into the hook, against the real `.venv`:
    every top-level module in it is refused as package_name, and the hook accepts exactly the
    author addresses that its setuptools accepts."""
    from tooling.variants import EMAILS_SETUPTOOLS_ACCEPTS, EMAILS_SETUPTOOLS_REFUSES

    pre_gen = load_hook()
    _, path = project

    # What `import NAME` can find in site-packages, listed from the folder itself (not from RECORD,
    # which is what the script reads), less the editable install's own finder.
    (site_packages,) = (path / ".venv" / "lib").glob("python*/site-packages")
    installed = set()
    for entry in site_packages.iterdir():
        if entry.is_dir():
            name = entry.name  # a package, regular or namespace (or dist-info, not an identifier)
        elif entry.suffix in {".py", ".so"}:
            name = entry.name.split(".")[0]  # a module, or an extension module.cpython-...so
        else:
            continue
        if name.isidentifier() and name != "__pycache__" and not name.startswith("__editable__"):
            installed.add(name)
    assert installed - set(pre_gen.INSTALLED_IMPORT_NAMES) == set(), "run `make sync-hook`"
    assert [name for name in sorted(installed) if not pre_gen.package_problems(name)] == []

    # The installed setuptools reads each address as `pip install` would: schema, then metadata.
    verdicts = r"""
import json, sys, tempfile
from pathlib import Path
from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

name, addresses, accepted = sys.argv[1], json.loads(sys.argv[2]), {}
for address in addresses:
    with tempfile.TemporaryDirectory() as folder:
        pyproject = Path(folder, "pyproject.toml")
        pyproject.write_text(
            f'[project]\nname = "probe"\nversion = "0"\n'
            f"authors = [{{ name = {json.dumps(name)}, email = {json.dumps(address)} }}]\n"
        )
        try:
            apply_configuration(Distribution(), pyproject)
            accepted[address] = True
        except Exception:
            accepted[address] = False
print(json.dumps(accepted))
"""
    name, addresses = "Zoë O'Brien-Łukasz", EMAILS_SETUPTOOLS_ACCEPTS + EMAILS_SETUPTOOLS_REFUSES
    done = run([".venv/bin/python", "-c", verdicts, name, json.dumps(addresses)], path)
    by_setuptools = json.loads(done.stdout)
    by_hook = {address: not pre_gen.email_problems(name, address) for address in addresses}
    assert by_hook == by_setuptools
    assert [a for a in addresses if by_setuptools[a]] == EMAILS_SETUPTOOLS_ACCEPTS
