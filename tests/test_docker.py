"""Every variant's real image: built from its generated Dockerfile, offline, and trained in.

The engine, base images and wheels come from tooling/ (docker_engine, base_image, wheelhouse,
wheel_server). Without an engine the tier is skipped with the reason, unless REQUIRE_DOCKER=1
(as in CI), then it fails.
"""

from __future__ import annotations

import base64
import csv
import itertools
import json
import math
import os
import re
import shlex
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml

from local_extensions import FRAMEWORKS, canonical
from tooling import base_image, docker_engine, wheel_server, wheelhouse
from tooling.commands import BIN, run, user_environment
from tooling.loopback import free_port
from tooling.markdown import fenced, shell_commands
from tooling.variants import (
    CHOICES,
    each_model_once,
    model_facts,
    one_gpu_project_each,
    short_of_the_bar,
    variant_id,
)

from .support.distributed import ENDLESS, interrupt, results_of, start_training
from .support.tables import MESSY_BARS, write_messy_csv

pytestmark = pytest.mark.docker

# Every model of the default framework with every serving answer (the answers that change its
# image or its docker targets), Python cycled; and each model of the other frameworks, served
# over REST (which scores files too), Python cycled: the model files of one framework share
# their image's dependency layers. CI files change no image; ci=none also keeps these projects
# apart from the other tiers', as these get modified.
DEFAULT_FRAMEWORK = next(iter(FRAMEWORKS))
PYTHONS = itertools.cycle(CHOICES["python_version"])
VARIANTS = [
    {
        "framework": DEFAULT_FRAMEWORK,
        "model": model,
        "serving": serving,
        "python_version": next(PYTHONS),
        "ci": "none",
    }
    for model, serving in itertools.product(FRAMEWORKS[DEFAULT_FRAMEWORK]["models"], CHOICES["serving"])
] + [
    {**answers, "serving": "rest", "ci": "none"}
    for answers in each_model_once(("python_version",))
    if answers["framework"] != DEFAULT_FRAMEWORK
]
HOST_USER = 4321  # stands for the developer: not root, and not the image's own user (10001)
PIP_SETTINGS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_TRUSTED_HOST", "PIP_NO_INDEX")


def docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run([*docker_engine.docker_command(), *args], Path.cwd(), check)


@pytest.fixture(scope="module")
def engine() -> None:
    problem = docker_engine.engine_problem()
    if problem is None:
        return
    if os.environ.get("REQUIRE_DOCKER") == "1":
        pytest.fail(f"REQUIRE_DOCKER=1 but {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="module")
def wheel_urls(engine, bake) -> Iterator[dict[str, str]]:
    """Each Python version's wheelhouse, served on 127.0.0.1 for the whole tier."""
    with ExitStack() as stack:
        urls = {}
        for version in CHOICES["python_version"]:
            base_image.ensure_python_base_image(version)
            frameworks = {v["framework"] for v in VARIANTS if v["python_version"] == version}
            requirements = [
                bake(framework=framework, python_version=version) / "requirements.txt"
                for framework in sorted(frameworks)
            ]
            wheels = wheelhouse.download_wheels(requirements, version)
            urls[version] = stack.enter_context(wheel_server.serve_directory(wheels))
        yield urls


@pytest.fixture(scope="module")
def built_images() -> Iterator[list[str]]:
    """Tags of the images this tier builds; all removed when it ends (base images stay), and the
    build cache dropped on a disposable engine, so that the tiers after it have the disk."""
    tags: list[str] = []
    yield tags
    docker_engine.remove_images(tags)
    docker_engine.prune_build_cache_if_disposable()


@pytest.fixture(scope="module")
def fake_id(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose `id` answers as HOST_USER, so `make` runs the container as that user."""
    folder = tmp_path_factory.mktemp("fake-id")
    script = folder / "id"
    script.write_text(f'#!/bin/sh\ncase "$1" in -u|-g) echo {HOST_USER};; *) exec /usr/bin/id "$@";; esac\n')
    script.chmod(0o755)
    return folder


def make_env(project: Path, pip: dict[str, str], fake_id: Path | None = None) -> dict[str, str]:
    """What `make` sees: the engine's client, host networking for builds, only these PIP_ settings."""
    env = {key: value for key, value in user_environment().items() if key not in PIP_SETTINGS}
    env |= {
        "DOCKER": docker_engine.docker_command()[0],
        "DOCKER_BUILD_FLAGS": "--network host",
        "IMAGE": f"mldt-test/{project.name}:{project.parent.name}",
        "SERVE_IMAGE": f"mldt-test/{project.name}-serve:{project.parent.name}",
        "MODEL_IMAGE": f"mldt-test/{project.name}-model:{project.parent.name}",
        **pip,
    }
    if fake_id is not None:
        env["PATH"] = f"{fake_id}{os.pathsep}{env['PATH']}"
    return env


def make(target: list[str], project: Path, env: dict[str, str], check: bool = True):
    return run(["make", *target], project, check, environment=env)


@pytest.fixture(scope="module", params=VARIANTS, ids=[variant_id(v) for v in VARIANTS])
def trained_in_docker(request, bake, wheel_urls, built_images, fake_id):
    """`make docker-train` run by a non-root developer (uid HOST_USER), with offline pip."""
    answers = request.param
    project = bake(**answers)
    for folder in (project / "models", project / "reports"):  # as HOST_USER's mkdir makes them
        folder.mkdir(exist_ok=True)
        os.chown(folder, HOST_USER, HOST_USER)
    pip = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheel_urls[answers["python_version"]]}
    env = make_env(project, pip, fake_id)
    built_images.extend([env["IMAGE"], env["SERVE_IMAGE"], env["MODEL_IMAGE"]])
    done = make(["docker-train"], project, env)
    return answers, project, env, done


def test_training_in_the_container_writes_results_owned_by_the_developer(trained_in_docker) -> None:
    answers, project, _, done = trained_in_docker
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    assert short_of_the_bar(metrics, answers) == {}, metrics
    outputs = [*(project / "models").iterdir(), *(project / "reports").iterdir()]
    files = json.loads((project / "models" / "model.json").read_text())["files"]
    assert {path.name for path in outputs} >= {*files.values(), "model.json", "metrics.json"}
    assert {path.stat().st_uid for path in outputs} == {HOST_USER}
    assert "Trained in" in done.stderr


def test_training_runs_without_network(trained_in_docker) -> None:
    _, project, env, _ = trained_in_docker
    commands = make(["--dry-run", "docker-train"], project, env).stdout
    run_line = next(line for line in commands.splitlines() if "docker run " in line)
    assert "--network none" in run_line


def test_image_is_slim_and_runs_as_non_root(trained_in_docker) -> None:
    answers, _, env, _ = trained_in_docker
    image = env["IMAGE"]
    assert docker("image", "inspect", "--format", "{{.Config.User}}", image).stdout.strip() == "10001:10001"
    probe = (
        "import os, shutil, sys; print(os.getuid()); "
        "print(sorted(os.listdir('/app'))); print(sys.version_info[:2]); "
        "print([tool for tool in ('gcc', 'cc', 'g++', 'make', 'git') if shutil.which(tool)]); "
        "print([p for p in ('/root/.cache/pip', '/tmp/requirements.txt', '/app/.git', '/app/tests') "
        "if os.path.exists(p)])"
    )
    lines = docker(
        "run", "--rm", "--network", "none", "--entrypoint", "python", image, "-c", probe
    ).stdout.splitlines()
    major, minor = answers["python_version"].split(".")
    listing = "['config.yaml', 'models', 'reports', 'src']"
    assert lines == ["10001", listing, f"({major}, {minor})", "[]", "[]"]
    layers = docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image).stdout
    assert env["PIP_FIND_LINKS"] not in layers  # build-time index settings leave no trace


INSTALLED_PROBE = (
    "import importlib.metadata as m; "
    "print(*sorted(f\"{d.metadata['Name']}=={d.version}\" for d in m.distributions()))"
)


def installed_in(image: str) -> dict[str, str]:
    """The image's installed distributions, names as pip normalises them, and their versions."""
    args = ["run", "--rm", "--network", "none", "--entrypoint", "python", image, "-c", INSTALLED_PROBE]
    pins = [line.split("==") for line in docker(*args).stdout.split()]
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}


def test_cpu_images_hold_no_cuda_libraries(trained_in_docker) -> None:
    """No nvidia-* CUDA wheels, no triton: torch is the +cpu build, TensorFlow is tensorflow-cpu."""
    answers, _, env, _ = trained_in_docker
    installed = installed_in(env["IMAGE"])
    assert canonical(FRAMEWORKS[answers["framework"]]["builds"]["cpu"]["package"]) in installed
    assert [name for name in installed if name.startswith("nvidia-") or name == "triton"] == []
    assert "tensorflow" not in installed  # the CUDA-capable build; tensorflow-cpu is the CPU one
    assert installed.get("torch", "+cpu").endswith("+cpu")


# Lists the modules of a training run whose bytecode is missing or stale in the image: a
# non-root user cannot write it, so each of them would be compiled again at every start.
UNCOMPILED_PROBE = """
import importlib, os, struct, sys
importlib.import_module(sys.argv[1] + ".train")
for module in list(sys.modules.values()):
    spec = getattr(module, "__spec__", None)
    if spec is None or not spec.cached or not (spec.origin or "").endswith(".py"):
        continue
    try:
        with open(spec.cached, "rb") as pyc:
            flags, mtime, size = struct.unpack("<4xIII", pyc.read(16))
    except OSError:
        print(spec.name)
        continue
    source = os.stat(spec.origin)
    if flags == 0 and (mtime, size) != (int(source.st_mtime) & 0xFFFFFFFF, source.st_size & 0xFFFFFFFF):
        print(spec.name)
"""


def test_image_runs_from_bytecode_compiled_at_build_time(trained_in_docker) -> None:
    _, project, env, _ = trained_in_docker
    package = next(project.glob("src/*/train.py")).parent.name
    args = ["run", "--rm", "--network", "none", "--entrypoint", "python", env["IMAGE"]]
    uncompiled = docker(*args, "-c", UNCOMPILED_PROBE, package).stdout.split()
    assert uncompiled == []


def rows_to_score(
    answers: dict[str, str], project: Path, env: dict[str, str], folder: Path
) -> tuple[Path, list[str]]:
    """40 rows to score, as a file the developer gives docker-predict (a CSV file, or a folder
    of PNG files written by the image's own Pillow), and the ids its output gives them."""
    if model_facts(answers)["inputs"] == "images":
        source = folder / "new images"
        source.mkdir()
        source.chmod(0o777)
        draw = (
            "import sys; from PIL import Image; "
            "[Image.new('L', (8, 8), 16 * i).save(f'/io/{i}.png') for i in range(40)]"
        )
        args = ["run", "--rm", "--network", "none", "-v", f"{source}:/io", "--entrypoint", "python"]
        docker(*args, env["IMAGE"], "-c", draw)
        return source, sorted(f"{i}.png" for i in range(40))
    features = json.loads((project / "models" / "model.json").read_text())["feature_types"]
    source = folder / "in.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *features])
        writer.writerows([i, *[float(i % 3)] * len(features)] for i in range(40))
    return source, [str(i) for i in range(40)]


def scored_by_docker_predict(
    project: Path, env: dict[str, str], source: Path, folder: Path
) -> list[dict[str, str]]:
    output = folder / "scored out" / "out file.csv"  # spaces survive make and the mounts
    output.parent.mkdir()
    os.chown(output.parent, HOST_USER, HOST_USER)
    make(["docker-predict", f"INPUT={source}", f"OUTPUT={output}"], project, env)
    assert output.stat().st_uid == HOST_USER
    with output.open() as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def scored_in_docker(trained_in_docker, tmp_path_factory: pytest.TempPathFactory):
    """40 rows scored by make docker-predict (none without the target): the file given, the
    ids its output should give them, and the output's rows."""
    answers, project, env, _ = trained_in_docker
    if answers["serving"] == "none":
        return None
    folder = tmp_path_factory.mktemp("scored")
    source, ids = rows_to_score(answers, project, env, folder)
    return source, ids, scored_by_docker_predict(project, env, source, folder)


def test_batch_images_score_a_host_file(trained_in_docker, scored_in_docker, tmp_path: Path) -> None:
    answers, project, env, _ = trained_in_docker
    if answers["serving"] == "none":
        assert "docker-predict" not in make(["help"], project, env).stdout
        return
    _, ids, rows = scored_in_docker
    assert [row["id"] for row in rows] == ids
    assert all(row["prediction"] != "" for row in rows)
    # Without INPUT, the sample the project ships is scored, as the post-bake hint says (into
    # a folder the developer owns: this project's folder is root's).
    tmp_path.chmod(0o777)
    output = tmp_path / "sample.csv"
    done = make(["docker-predict", f"OUTPUT={output}"], project, env)
    assert "note: no INPUT given: scoring the sample samples/" in done.stdout
    with output.open() as handle:
        assert len(list(csv.DictReader(handle))) == 10


def container_state(name: str) -> str:
    """The container's health ("starting", "healthy", "unhealthy"), or "gone"."""
    done = docker("inspect", "--format", "{{.State.Health.Status}}", name, check=False)
    return done.stdout.strip() if done.returncode == 0 else "gone"


def predictions_served(port: int, source: Path) -> list[str]:
    """/predict's predictions for the rows docker-predict scored: the CSV rows as records, or
    the PNG files in base64, in the order of docker-predict's output."""
    if source.is_dir():
        instances: list[Any] = [
            {"b64": base64.b64encode(path.read_bytes()).decode()}
            for path in sorted(source.iterdir(), key=lambda path: path.name)
        ]
    else:
        with source.open() as handle:
            instances = [{k: float(v) for k, v in row.items() if k != "id"} for row in csv.DictReader(handle)]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/predict",
        data=json.dumps({"instances": instances}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return [str(value) for value in json.load(answer)["predictions"]]


def assert_same_predictions(answers: dict[str, str], predicted: list[str], expected: list[str]) -> None:
    """The labels alike; a regressor's numbers (the file holds them as text) within 1e-5."""
    if model_facts(answers)["task"] == "regression":
        assert all(
            math.isclose(float(a), float(b), rel_tol=1e-5) for a, b in zip(predicted, expected, strict=True)
        )
    else:
        assert predicted == expected


# What the serving image must not hold: the training frameworks, and what only training needs.
TRAINING_ONLY = {"scikit-learn", "torch", "tensorflow", "tensorflow-cpu", "keras", "pandas", "pyarrow"}


def test_rest_images_serve_read_only_and_answer_as_docker_predict(
    trained_in_docker, scored_in_docker, tmp_path: Path
) -> None:
    """make docker-serve: the serving image, built offline, holds no training framework; it runs
    as its own user with a read-only root, its HEALTHCHECK turns healthy, /predict gives
    docker-predict's predictions for the same rows (ONNX Runtime against the framework, within
    the export's tolerance), and SIGTERM stops it cleanly."""
    answers, project, env, _ = trained_in_docker
    if answers["serving"] != "rest":
        assert "docker-serve" not in make(["help"], project, env).stdout
        return
    source, _, rows = scored_in_docker
    expected = [row["prediction"] for row in rows]
    port, name = free_port(), f"mldt-serve-{os.getpid()}-{tmp_path.name}"
    # The image's HEALTHCHECK, asked every 2 s rather than its 10 s: the same check, sooner.
    run_flags = f"--name {name} -e HOST=127.0.0.1 --health-interval 2s"
    flags = {"DOCKER_SERVE_FLAGS": "--network host", "DOCKER_RUN_FLAGS": run_flags}
    server = subprocess.Popen(
        ["make", "docker-serve", f"PORT={port}"],
        cwd=project,
        env={**env, **flags},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while container_state(name) != "healthy":
            assert server.poll() is None and time.monotonic() < deadline, server.communicate()[0][-3000:]
            time.sleep(1)
        shown = "{{.Config.Image}} {{.Config.User}} {{.HostConfig.ReadonlyRootfs}}"
        config = docker("inspect", "--format", shown, name).stdout
        assert config.split() == [env["SERVE_IMAGE"], "10001:10001", "true"]
        assert TRAINING_ONLY & set(installed_in(env["SERVE_IMAGE"])) == set()
        assert_same_predictions(answers, predictions_served(port, source), expected)
        started = time.monotonic()
        docker("stop", "--time", "20", name)
        output = server.communicate(timeout=60)[0]
        stopped_in = time.monotonic() - started
        # Exit status 0: the service stopped on SIGTERM by itself (a kill would be 137).
        assert server.returncode == 0, f"{stopped_in:.1f} s\n{output[-3000:]}"
        assert "Shutting down" in output and "Traceback" not in output
    finally:
        if server.poll() is None:
            server.kill()
        docker("rm", "--force", name, check=False)


def test_the_cluster_image_serves_its_model_as_the_manifest_runs_it(
    trained_in_docker, scored_in_docker, built_images, tmp_path: Path
) -> None:
    """make docker-build-model: the serving image with the trained model inside, pinned in
    deploy/k8s/kustomization.yaml by its id, run by that name as deploy/k8s/deployment.yaml
    runs it (its user, arguments and environment, a read-only root with a tmpfs, no
    capabilities, nothing mounted), is ready on the manifest's readiness route and answers as
    docker-predict."""
    answers, project, env, _ = trained_in_docker
    if answers["serving"] != "rest":
        assert "docker-build-model" not in make(["help"], project, env).stdout
        return
    make(["docker-build-model"], project, env)
    built_images.append(docker_engine.image_id(env["MODEL_IMAGE"]))  # with the tag of its id
    folder = project / "deploy" / "k8s"
    (pin,) = yaml.safe_load((folder / "kustomization.yaml").read_text())["images"]
    deployment = yaml.safe_load((folder / "deployment.yaml").read_text())
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    port, name = free_port(), f"mldt-model-{os.getpid()}-{tmp_path.name}"
    settings = {item["name"]: item["value"] for item in container["env"]}
    settings |= {"PORT": str(port), "HOST": "127.0.0.1"}  # the host's network: a free port
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] and pin["name"] == container["image"]
    environment = [word for key, value in settings.items() for word in ("--env", f"{key}={value}")]
    docker(
        "run", "--detach", "--name", name, "--network", "host",
        "--user", f"{context['runAsUser']}:{context['runAsGroup']}", "--read-only",
        "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        *environment, f"{pin['newName']}:{pin['newTag']}", *container["args"],
    )  # fmt: skip
    try:
        ready = f"http://127.0.0.1:{port}{container['readinessProbe']['httpGet']['path']}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(ready, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, docker("logs", name).stderr[-3000:]
                time.sleep(1)
        source, _, rows = scored_in_docker
        expected = [row["prediction"] for row in rows]
        assert_same_predictions(answers, predictions_served(port, source), expected)
    finally:
        docker("rm", "--force", name, check=False)


def test_distributed_training_runs_in_the_training_image(trained_in_docker) -> None:
    """make docker-train-distributed NPROC=2: the default model of each network framework trains
    in two processes (torchrun, or TensorFlow's launcher of two workers on loopback) inside the
    training image, with no network; the first process alone reports and writes, as the
    developer."""
    answers, project, env, _ = trained_in_docker
    framework = FRAMEWORKS[answers["framework"]]
    if not framework["distributed"]:
        assert "train-distributed" not in make(["help"], project, env).stdout
        return
    if answers["model"] != next(iter(framework["models"])):
        pytest.skip("each network framework's default model trains distributed in its image")
    into = "--models-dir reports/distributed/models --reports-dir reports/distributed"
    done = make(["docker-train-distributed", "NPROC=2", f"ARGS=--training.epochs 5 {into}"], project, env)
    engines = ("2 processes with DistributedDataParallel (gloo)", "2 processes with MultiWorkerMirrored")
    assert any(engine in done.stderr for engine in engines), done.stderr[-3000:]
    assert done.stdout.count('"n_train"') == 1  # printed once, by the first process
    printed = json.loads(done.stdout[done.stdout.index("\n{\n") :])
    written = project / "reports" / "distributed" / "metrics.json"
    assert json.loads(written.read_text()) == printed and printed["epochs"] == 5
    assert written.stat().st_uid == HOST_USER
    assert (project / "reports" / "distributed" / "models" / "model.json").stat().st_uid == HOST_USER


# How long a stopped container may take to end: the launcher stops its processes first.
STOPPING_SECONDS = 20


def test_a_stopped_distributed_training_in_the_image_keeps_the_model(trained_in_docker) -> None:
    """make docker-train-distributed stopped by Ctrl-C (the client hands SIGINT to the launcher)
    or by `docker kill`: the container and its processes end within seconds, and the model and
    reports kept before stay byte for byte the same."""
    answers, project, env, _ = trained_in_docker
    framework = FRAMEWORKS[answers["framework"]]
    if not framework["distributed"] or answers["model"] != next(iter(framework["models"])):
        pytest.skip("each network framework's default model trains distributed in its image")
    kept = results_of(project)
    command = ["make", "--no-print-directory", "docker-train-distributed", "NPROC=2", ENDLESS]
    for stop in ("Ctrl-C", "docker kill"):
        training = start_training(project, command, started="epoch 2/", environment=env)
        running = docker("ps", "--quiet", "--filter", f"ancestor={env['IMAGE']}").stdout.split()
        assert len(running) == 1, running
        if stop == "Ctrl-C":
            interrupt(training)
        else:
            docker("kill", running[0])
        deadline = time.monotonic() + STOPPING_SECONDS
        while docker("ps", "--quiet", "--filter", f"id={running[0]}").stdout.strip():
            assert time.monotonic() < deadline, f"{stop}: the container still runs"
            time.sleep(0.5)
        output = training.output()
        assert "Traceback" not in output and "Saved " not in output, output
        if stop == "Ctrl-C":
            assert "error: the distributed training was stopped by SIGINT" in output, output
    assert results_of(project) == kept


def test_code_edit_rebuild_reuses_the_dependency_layers(trained_in_docker, built_images) -> None:
    _, project, env, _ = trained_in_docker
    # The rebuild takes the tag; the first image, untagged, is removed with the others.
    built_images.append(docker_engine.image_id(env["IMAGE"]))
    edited = next(project.glob("src/*/cli.py"))
    edited.write_text(edited.read_text() + "# edited after the first build\n")
    build = make(["docker-build", "DOCKER_BUILD_FLAGS=--network host --progress plain"], project, env)
    log = build.stdout + build.stderr
    assert "pip install --requirement" in log and "CACHED" in log
    assert not [line for line in log.splitlines() if "Collecting" in line or "Downloading" in line]
    in_image = f"/app/src/{edited.parent.name}/cli.py"
    shown = docker("run", "--rm", "--network", "none", "--entrypoint", "tail", env["IMAGE"], "-n1", in_image)
    assert shown.stdout == "# edited after the first build\n"


def test_offline_build_installs_only_from_the_given_wheels(
    bake, engine, tmp_path: Path, built_images
) -> None:
    """With PIP_NO_INDEX a wheel missing from PIP_FIND_LINKS fails the build: pip looked nowhere else."""
    project = bake(model="linear", python_version="3.11", ci="none")
    wheels = wheelhouse.download_wheels([project / "requirements.txt"], "3.11")
    partial = tmp_path / "wheels"
    partial.mkdir()
    for wheel in wheels.iterdir():
        if not wheel.name.startswith("scikit_learn"):
            os.link(wheel, partial / wheel.name)
    with wheel_server.serve_directory(partial) as url:
        env = make_env(project, {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": url})
        built_images.append(env["IMAGE"])
        done = make(["docker-build"], project, env, check=False)
    assert done.returncode != 0
    assert "No matching distribution found for scikit-learn==" in done.stdout + done.stderr


def test_private_index_credentials_are_a_secret_not_a_layer(
    bake, engine, tmp_path: Path, built_images
) -> None:
    """A password-protected mirror as PIP_INDEX_URL: the build succeeds only with the netrc secret,
    which no layer keeps."""
    project = bake(model="logistic", python_version="3.12", ci="none")
    wheels = wheelhouse.download_wheels([project / "requirements.txt"], "3.12")
    index = wheelhouse.simple_index(wheels, tmp_path / "index")
    password = "s3cret-" + os.urandom(6).hex()
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login builder password {password}\n")
    with wheel_server.serve_directory(index, credentials=("builder", password)) as url:
        env = make_env(project, {"PIP_INDEX_URL": url})
        # --no-cache: really install, through the secret; plain progress shows pip's output.
        env["DOCKER_BUILD_FLAGS"] += " --no-cache --progress plain"
        built_images.append(env["IMAGE"])
        without = make(["docker-build"], project, env, check=False)
        assert without.returncode != 0 and "401" in without.stdout + without.stderr
        build = make(["docker-build", f"PIP_NETRC={netrc}"], project, env)
    assert f"Looking in indexes: {url}" in build.stdout + build.stderr
    history = docker("history", "--no-trunc", env["IMAGE"]).stdout
    assert password not in history
    saved = subprocess.run([*docker_engine.docker_command(), "save", env["IMAGE"]], capture_output=True)
    assert saved.returncode == 0 and password.encode() not in saved.stdout


def test_training_on_a_messy_host_table_and_scoring_parquet_in_the_container(
    bake, wheel_urls, built_images, fake_id, tmp_path: Path
) -> None:
    """A semicolon CSV with text categories and missing cells trains in the image; the same rows
    as Parquet (written by the image's own pandas) are scored by `make docker-predict`."""
    project = bake(model="svm", python_version="3.12", ci="gitlab")
    for folder in (project / "models", project / "reports"):
        folder.mkdir(exist_ok=True)
        os.chown(folder, HOST_USER, HOST_USER)
    (project / "data").mkdir(exist_ok=True)  # inside the project: host `make evaluate` finds it
    data = write_messy_csv(project / "data" / "messy table.csv", "classification")
    env = make_env(project, {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": wheel_urls["3.12"]}, fake_id)
    built_images.append(env["IMAGE"])
    make(["docker-train", f"DATA={data}", "TARGET=label", "ARGS=--drop id"], project, env)
    metadata = json.loads((project / "models" / "model.json").read_text())
    assert metadata["data_file"] == "data/messy table.csv"  # relative to the project, as on the host
    assert (metadata["dataset"], metadata["feature_types"], metadata["classes"]) == (
        "messy table.csv",
        {"size": "numeric", "colour": "categorical", "region": "categorical"},
        ["big", "small"],
    )
    metric, minimum = MESSY_BARS["classification"]
    assert json.loads((project / "reports" / "metrics.json").read_text())[metric] >= minimum

    tmp_path.chmod(0o777)  # the image's user writes the Parquet file here
    shutil.copy(data, tmp_path / "messy.csv")
    to_parquet = (
        "import pandas; pandas.read_csv('/io/messy.csv', sep=';', dtype=str).to_parquet('/io/new.parquet')"
    )
    docker(
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        f"{tmp_path}:/io",
        "--entrypoint",
        "python",
        env["IMAGE"],
        "-c",
        to_parquet,
    )
    output = tmp_path / "scored out" / "out file.csv"  # spaces survive make and the mounts
    output.parent.mkdir()
    os.chown(output.parent, HOST_USER, HOST_USER)
    make(["docker-predict", f"INPUT={tmp_path / 'new.parquet'}", f"OUTPUT={output}"], project, env)
    with output.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == [f"c{i:04d}" for i in range(300)]
    accuracy = sum(row["prediction"] == row["label"] for row in rows) / len(rows)
    assert accuracy >= minimum


def wait_for_port(port: int, server: subprocess.Popen) -> None:
    for _ in range(100):
        assert server.poll() is None, "the wheel server of the recipe exited"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nothing answers on 127.0.0.1:{port}")


def test_the_readme_recipe_without_internet_works_command_by_command(
    bake, engine, built_images, tmp_path: Path
) -> None:
    """The README's offline build, followed as written: each command in a shell of its own, with
    the variables only where the recipe sets them (on `make docker-build`). The next command,
    `make docker-train`, rebuilds with the settings the build recorded, from the cache, and
    trains, with the wheel server already stopped: nothing is downloaded, and no build network
    other than the recorded `host` is asked for. The port is a free one rather than 8080, which
    another process on the machine may hold; the image's tag is the project's own (IMAGE is not
    set either), hence a project name of its own."""
    project = bake(project_name="Offline Recipe", ci="none")
    built_images.append("offline-recipe:latest")
    readme = (project / "README.md").read_text(encoding="utf-8")
    (block,) = [block for block in fenced(readme, "bash") if "http.server" in block]
    lines = shell_commands(block)
    recipe = lines[next(i for i, line in enumerate(lines) if line.startswith("pip download")) :]
    port = str(free_port())
    download, serve, build, train = [line.replace("8080", port) for line in recipe]
    assert serve.endswith(" &") and "make docker-build" in build and train.startswith("make docker-train")
    # A shell without the build settings (this machine's pip may set PIP_FIND_LINKS to one of its
    # folders), whose `docker` is the BuildKit-capable client.
    client = tmp_path / "bin"
    client.mkdir()
    (client / "docker").symlink_to(docker_engine.docker_command()[0])
    unset = {*PIP_SETTINGS, "DOCKER", "DOCKER_BUILD_FLAGS", "IMAGE"}
    shell = {key: value for key, value in user_environment().items() if key not in unset}
    shell["PATH"] = os.pathsep.join([str(client), str(BIN), shell["PATH"]])

    def typed(command: str) -> subprocess.CompletedProcess[str]:
        return run(["bash", "-c", command], project, environment=shell)

    base_image.ensure_python_base_image("3.11")
    typed(download)
    command = ["bash", "-c", f"exec {serve.removesuffix('&')}"]
    server = subprocess.Popen(command, cwd=project, env=shell, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(int(port), server)
        typed(build)
        image = docker_engine.image_id("offline-recipe:latest")
    finally:
        server.terminate()
        server.wait()
    trained = typed(train)
    log = trained.stdout + trained.stderr
    assert "Trained in" in trained.stderr and "CACHED" in log, log
    for failure in ("network bridge not found", "No matching distribution", "Collecting", "Downloading"):
        assert failure not in log, log
    assert docker_engine.image_id("offline-recipe:latest") == image
    assert (project / "models" / "model.json").is_file() and (project / "reports" / "metrics.json").is_file()


# One CUDA image per framework with a CUDA build, on the Python version its CPU build lacks where
# there is one. It is built offline from the wheels the README's own `pip download` recipe
# fetches, and trained in on this machine's CPU with `GPUS=`, as on a host without a GPU: there
# is none here.
GPU_VARIANTS = [{**answers, "ci": "none"} for answers in one_gpu_project_each()]
NO_GPU_WARNING = "warning: no CUDA GPU is visible"


@pytest.mark.parametrize("answers", GPU_VARIANTS, ids=variant_id)
def test_gpu_image_holds_the_cuda_build_and_trains_on_the_cpu_without_a_gpu(
    answers: dict[str, str], bake, engine, fake_id, tmp_path: Path
) -> None:
    project = bake(**answers)
    for folder in (project / "models", project / "reports"):
        folder.mkdir(exist_ok=True)
        os.chown(folder, HOST_USER, HOST_USER)
    readme = (project / "README.md").read_text(encoding="utf-8")
    download = next(
        c for block in fenced(readme, "bash") for c in shell_commands(block) if c.startswith("pip download")
    )
    wheels = tmp_path / "wheels"
    run(shlex.split(download.replace("wheels/", f"{wheels}/")), project, env={"PIP_RETRIES": "0"})
    with wheel_server.serve_directory(wheels) as url:
        env = make_env(project, {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": url}, fake_id)
        try:
            assert "--gpus all" in make(["--dry-run", "docker-train"], project, env).stdout
            done = make(["docker-train", "GPUS="], project, env)
            names = installed_in(env["IMAGE"])
            gpu = FRAMEWORKS[answers["framework"]]["builds"]["gpu"]
            args = ["run", "--rm", "--network", "none", "--entrypoint", "python", env["IMAGE"], "-c"]
            built_for = docker(*args, gpu["cuda_probe"]).stdout.split()[-1]
        finally:  # several GB each: not kept for the rest of the session
            docker_engine.remove_images([env["IMAGE"]])
            docker_engine.prune_build_cache_if_disposable()  # the GPU tests run last in this tier
            shutil.rmtree(wheels)
    assert done.stderr.count(NO_GPU_WARNING) == 1, done.stderr
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    assert metrics["device"] == "cpu" and short_of_the_bar(metrics, answers) == {}, metrics
    assert any(name.startswith("nvidia-") for name in names) and "tensorflow-cpu" not in names
    assert "+cpu" not in names.get("torch", "")
    assert built_for == gpu["cuda_probe_prints"]
