"""Static checks of every supported variant: it bakes, renders fully, lints and parses."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from local_extensions import FRAMEWORKS
from tooling.commands import BIN, run, user_environment
from tooling.markdown import paragraph
from tooling.variants import DEFAULTS, SUPPORTED, model_facts, variant_id

from .support.api_models import problems
from .support.knative import knative_refuses
from .support.kserve_crd import crd_problems
from .support.kustomize import KUBECTL, containers, kubectl_kustomize, kustomized

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
    "template-update",
    "template-check",
    "clean",
}
# What each serving answer adds: make targets, and compose services besides `train`.
SERVING_TARGETS = {
    "rest": {"docker-predict", "serve", "docker-build-serve", "docker-build-model", "docker-serve"},
    "batch": {"docker-predict"},
    "none": set(),
}
SERVING_SERVICES = {"rest": {"predict", "serve"}, "batch": {"predict"}, "none": set()}
# What a framework that trains in several processes or on several devices adds.
DISTRIBUTED_TARGETS = {"train-distributed", "docker-train-distributed"}


@pytest.fixture(params=SUPPORTED, ids=[variant_id(answers) for answers in SUPPORTED])
def variant(request: pytest.FixtureRequest, bake) -> tuple[dict, Path]:
    return request.param, bake(**request.param)


def test_everything_is_rendered(variant: tuple[dict, Path]) -> None:
    _, project = variant
    for path in project.rglob("*"):
        if path.is_file() and path.suffix != ".png":  # the sample images are copied as they are
            text = path.read_text(encoding="utf-8")
            assert not UNRENDERED.search(text), f"unrendered template text in {path}"
    assert not list(project.glob("_*")), "template-only folders were left behind"


def test_the_project_ships_the_sample_make_predict_scores(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    shipped = sorted(path.relative_to(project).as_posix() for path in (project / "samples").rglob("*"))
    facts = model_facts(answers)
    dataset = facts["dataset"]
    if facts["inputs"] == "images":  # the bundled images are the digits, one PNG file each
        assert shipped == [f"samples/{dataset}", *(f"samples/{dataset}/digit-{d}.png" for d in range(10))]
    else:
        assert shipped == [f"samples/{dataset}.csv"]
        assert len((project / shipped[0]).read_text().splitlines()) == 11  # a header and 10 rows
    done = run(["make", "--dry-run", "predict"], project)
    assert f'--input "{shipped[0]}" --output "predictions.csv"' in done.stdout


def test_a_terminal_width_in_the_environment_is_not_a_columns_file(bake) -> None:
    """Shells and CI runners export COLUMNS as the terminal's width: `make train` must not read
    it as the columns file, which only the command line gives."""
    project = bake()
    for target, given in (("train", '--columns "columns.toml"'), ("docker-train", '"columns=columns.toml"')):
        assert given in run(["make", "--dry-run", target, "COLUMNS=columns.toml"], project).stdout
        plain = run(["make", "--dry-run", target], project, env={"COLUMNS": "80"}).stdout
        assert "--columns" not in plain and "columns=80" not in plain


def test_distributed_training_commands_are_the_frameworks_launchers(variant: tuple[dict, Path]) -> None:
    """train-distributed and docker-train-distributed: torchrun on one machine or, with NNODES
    and RDZV_ENDPOINT, several (PyTorch); the package's launcher of NPROC workers or, with
    WORKER_HOSTS and WORKER_INDEX, of this machine's one (TensorFlow); neither target where the
    framework trains in one process."""
    answers, project = variant
    distributed = FRAMEWORKS[answers.get("framework", DEFAULTS["framework"])]["distributed"]
    targets = run(["make", "help"], project).stdout
    if not distributed:
        assert "train-distributed" not in targets
        return
    package = next(project.glob("src/*/cli.py")).parent.name
    host = run(["make", "--dry-run", "train-distributed"], project).stdout
    docker = run(["make", "--dry-run", "docker-train-distributed", "NPROC=3"], project).stdout
    if distributed["multi_node"]:  # torchrun, run by the package (its failure made one line)
        torchrun = f"-m {package}.distributed --standalone --local-addr 127.0.0.1"
        assert f".venv/bin/python {torchrun} --nproc-per-node 2 --module {package} train" in host
        assert "--entrypoint python" in docker
        assert f"{torchrun} --nproc-per-node 3 --module {package} train" in docker
        nodes = ["NNODES=2", "RDZV_ENDPOINT=node-0.example.com:29400", "NPROC=4"]
        several = run(["make", "--dry-run", "train-distributed", *nodes], project).stdout
        assert (
            "--nnodes 2 --rdzv-backend c10d --rdzv-endpoint node-0.example.com:29400 "
            f"--rdzv-id {package} --nproc-per-node 4 --module {package} train"
        ) in several
    else:  # the package's launcher: a worker process each, with its TF_CONFIG
        assert distributed["multi_worker"]
        assert f".venv/bin/python -m {package}.distributed --nproc 2 train" in host
        assert "--entrypoint python " in docker and f" -m {package}.distributed --nproc 3 train" in docker
        hosts = "node-0.example.com:2222,node-1.example.com:2222"
        machines = [f"WORKER_HOSTS={hosts}", "WORKER_INDEX=1"]
        several = run(["make", "--dry-run", "train-distributed", *machines], project).stdout
        assert f'-m {package}.distributed --workers "{hosts}" --index "1" train' in several
        # Half the settings is passed on, for the launcher to refuse in one line.
        alone = run(["make", "--dry-run", "train-distributed", "WORKER_INDEX=0"], project).stdout
        assert f'-m {package}.distributed --workers "" --index "0" train' in alone


def test_distributed_settings_are_checked_before_anything_starts(variant: tuple[dict, Path]) -> None:
    """NPROC (and NNODES, RDZV_ENDPOINT for several machines) are refused in one line that names
    them, before the training starts or the image is built; more processes than cores is
    allowed, and said."""
    answers, project = variant
    distributed = FRAMEWORKS[answers.get("framework", DEFAULTS["framework"])]["distributed"]
    if not distributed:  # no settings to check, and no target that checks them
        assert run(["make", "distributed-settings"], project, check=False).returncode == 2
        return
    expected = "expected how many processes to train in, a whole number of at least 1 (e.g. NPROC=2)"
    refused = {
        f"NPROC={value}": f"error: NPROC={value}: {expected}" for value in ("0", "-1", "abc", "02", "", "a'b")
    }
    if distributed["multi_node"]:
        machines = "expected how many machines train together, a whole number of at least 1 (or MIN:MAX)"
        refused |= {
            f"NNODES={value}": f"error: NNODES={value}: {machines}" for value in ("0", "x", "2:", "1:2:3")
        }
        for nodes in ("2", "1:4"):
            refused[f"NNODES={nodes}"] = (
                f"error: NNODES={nodes} needs RDZV_ENDPOINT=host:port too: the address of one of the "
                "machines, which all of them reach (README: Scaling out)"
            )
    for target in ("train-distributed", "docker-train-distributed"):
        for setting, message in refused.items():
            done = run(["make", "--no-print-directory", target, setting], project, check=False)
            assert done.returncode == 2, (setting, done)
            assert done.stdout.splitlines() == [message], (setting, done.stdout)
    cores = os.cpu_count() or 1
    many = run(["make", "--no-print-directory", "distributed-settings", f"NPROC={cores + 1}"], project)
    assert many.stdout.splitlines() == [
        f"warning: NPROC={cores + 1} processes on {cores} CPU cores: each process takes a core of its "
        f"own, so they will share them and train slower than NPROC={cores}"
    ]
    assert (
        run(["make", "--no-print-directory", "distributed-settings", f"NPROC={cores}"], project).stdout == ""
    )
    if distributed["multi_node"]:
        both = ["NNODES=2", "RDZV_ENDPOINT=node-0.example.com:29400"]
        assert run(["make", "--no-print-directory", "distributed-settings", *both], project).stdout == ""


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
    services = yaml.safe_load(compose.read_text())["services"]
    assert set(services) == {"train", *SERVING_SERVICES[answers.get("serving", DEFAULTS["serving"])]}
    if "serve" in services:  # read-only, writing only to a tmpfs, the model mounted read-only
        serve = services["serve"]
        assert (serve["read_only"], serve["tmpfs"], serve["command"]) == (True, ["/tmp"], ["serve"])
        assert serve["volumes"] == ["./models:/app/models:ro"]


def test_cluster_manifests_match_the_kubernetes_and_kserve_schemas(variant: tuple[dict, Path]) -> None:
    """deploy/k8s/ (REST projects only): each manifest valid against the Kubernetes API's schema
    (strict: no unknown field) or KServe's CRD schema and SDK models, each kustomization.yaml
    listing its manifests and naming MODEL_IMAGE until a build pins it; the pods run it as the
    image's own user, read-only, probed (startup included) on the V2 health routes at the port
    the service listens on, and the Service, autoscaler and budget find them."""
    answers, project = variant
    if answers.get("serving", DEFAULTS["serving"]) != "rest":
        assert not (project / "deploy").exists()
        return
    folder = project / "deploy" / "k8s"
    manifests = {path.name: yaml.safe_load(path.read_text()) for path in folder.glob("*.yaml")}
    kustomization = manifests.pop("kustomization.yaml")
    assert sorted(kustomization["resources"]) == sorted(manifests)
    kserve = yaml.safe_load((folder / "kserve" / "kustomization.yaml").read_text())
    assert kserve["resources"] == ["inference-service.yaml"]
    service = yaml.safe_load((folder / "kserve" / "inference-service.yaml").read_text())
    version = kubernetes_validate.latest_version()
    for manifest in manifests.values():
        kubernetes_validate.validate(manifest, version, strict=True)
    assert service["apiVersion"] == "serving.kserve.io/v1beta1"
    assert crd_problems(service) == []
    assert problems(service, "V1beta1InferenceService") == []
    by_kind = {manifest["kind"]: manifest for manifest in manifests.values()}
    deployment = by_kind["Deployment"]
    slug, labels = project.name, deployment["spec"]["template"]["metadata"]["labels"]
    assert by_kind["Service"]["spec"]["selector"] == labels
    assert by_kind["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == labels
    scaled = by_kind["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert scaled["name"] == deployment["metadata"]["name"]
    makefile = (project / "Makefile").read_text()
    image = re.search(r"^MODEL_IMAGE \?= (\S+)$", makefile, re.MULTILINE)
    user = re.search(r"^USER (\d+):(\d+)$", (project / "Dockerfile").read_text(), re.MULTILINE)
    assert image and user and image.group(1) == f"{slug}-model:latest"
    name, tag = image.group(1).rsplit(":", 1)
    for pins in (kustomization["images"], kserve["images"]):  # MODEL_IMAGE, until a build pins it
        assert pins == [{"name": f"{slug}-model", "newName": name, "newTag": tag}]
    for pod in (deployment["spec"]["template"]["spec"], service["spec"]["predictor"]):
        (container,) = pod["containers"]
        assert container["image"] == kustomization["images"][0]["name"] and container["args"] == ["serve"]
        context = {**pod.get("securityContext", {}), **container["securityContext"]}
        assert (context["runAsUser"], context["runAsGroup"]) == tuple(map(int, user.groups()))
        assert context["readOnlyRootFilesystem"] and context["runAsNonRoot"]
        assert [mount["mountPath"] for mount in container["volumeMounts"]] == ["/tmp"]
        port = int({env["name"]: env["value"] for env in container["env"]}["PORT"])
        named = {p.get("name", p["containerPort"]): p["containerPort"] for p in container["ports"]}
        assert list(named.values()) == [port]
        health = {
            "startupProbe": ("/v2/health/ready", port),
            "readinessProbe": ("/v2/health/ready", port),
            "livenessProbe": ("/v2/health/live", port),
        }
        asked = {probe: container[probe]["httpGet"] for probe in health}
        probed = {
            probe: (get["path"], named[get["port"]] if isinstance(get["port"], str) else get["port"])
            for probe, get in asked.items()
        }
        assert probed == health


def test_the_kserve_checks_refuse_what_a_cluster_would(bake) -> None:
    """The InferenceService checks are not blind: a field KServe does not know, a value of the
    wrong type and a container without its required name are each refused, by the CRD's schema
    and by the SDK's models, with the path of the fault."""
    manifest = yaml.safe_load((bake() / "deploy" / "k8s" / "kserve" / "inference-service.yaml").read_text())
    predictor = manifest["spec"]["predictor"]
    unnamed = [{k: v for k, v in predictor["containers"][0].items() if k != "name"}]
    faults = {  # the fault, and where and what the schema's finding says
        ("spec.predictor:", "'replicas'"): {**predictor, "replicas": 2},
        ("spec.predictor.minReplicas:", "'one'"): {**predictor, "minReplicas": "one"},
        ("spec.predictor.containers.0:", "'name'"): {**predictor, "containers": unnamed},
    }
    for (path, word), faulty in faults.items():
        broken = {**manifest, "spec": {"predictor": faulty}}
        assert [found for found in crd_problems(broken) if found.startswith(path) and word in found]
        assert problems(broken, "V1beta1InferenceService") != [], path


RECOMMENDED_LABELS = {
    f"app.kubernetes.io/{key}"
    for key in ("name", "instance", "version", "component", "part-of", "managed-by")
}
# What selects the pods: the same from one version to the next (a selector cannot change).
SELECTOR_LABELS = {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
KUSTOMIZATIONS = ("deploy/k8s", "deploy/k8s/kserve")


def cluster_objects(project: Path) -> dict[str, dict]:
    """What `kubectl apply -k` makes of each kustomization, by kind."""
    return {item["kind"]: item for folder in KUSTOMIZATIONS for item in kustomized(project / folder)}


def test_the_autoscaler_alone_sets_the_replica_count(bake) -> None:
    """The Deployment names no replica count, which every apply would reset the autoscaler's
    choice to; the autoscaler scales it."""
    objects = cluster_objects(bake())
    assert "replicas" not in objects["Deployment"]["spec"]
    scaled = objects["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (scaled["kind"], scaled["name"]) == ("Deployment", objects["Deployment"]["metadata"]["name"])


def test_every_cluster_object_has_the_recommended_labels_and_stable_selectors(bake) -> None:
    """Each object, and the Deployment's pods, carry app.kubernetes.io/ name, instance, version,
    component, part-of and managed-by; every selector holds only the name and instance."""
    objects = cluster_objects(bake())
    assert set(objects) == {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "InferenceService",
    }
    for kind, item in objects.items():
        assert set(item["metadata"]["labels"]) >= RECOMMENDED_LABELS, kind
    deployment = objects["Deployment"]["spec"]
    assert set(deployment["template"]["metadata"]["labels"]) >= RECOMMENDED_LABELS
    selectors = [
        deployment["selector"]["matchLabels"],
        objects["Service"]["spec"]["selector"],
        objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
        *(
            spread["labelSelector"]["matchLabels"]
            for spread in deployment["template"]["spec"]["topologySpreadConstraints"]
        ),
    ]
    for selector in selectors:
        assert set(selector) == SELECTOR_LABELS
        assert selector.items() <= deployment["template"]["metadata"]["labels"].items()


def test_the_pods_spread_across_nodes(bake) -> None:
    """A topology spread over the nodes (kubernetes.io/hostname), as a preference that never
    leaves a pod unscheduled, among the Deployment's own pods."""
    pod = cluster_objects(bake())["Deployment"]["spec"]["template"]
    (spread,) = pod["spec"]["topologySpreadConstraints"]
    assert (spread["topologyKey"], spread["whenUnsatisfiable"]) == (
        "kubernetes.io/hostname",
        "ScheduleAnyway",
    )
    assert spread["labelSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()


def test_the_inference_service_passes_knative_admission_with_the_deployments_probing(bake) -> None:
    """KServe's serverless mode hands the predictor to Knative, whose admission refuses a
    pod-level securityContext (and a topology spread) by default: the predictor has none of
    what it refuses, its container holds the Deployment's security settings, and it waits
    for the model as long as the Deployment does (startup probe). The check refuses each fault."""
    objects = cluster_objects(bake())
    predictor = objects["InferenceService"]["spec"]["predictor"]
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    assert knative_refuses(predictor) == []
    (served,), (deployed,) = predictor["containers"], pod["containers"]
    assert served["securityContext"] == deployed["securityContext"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        timing = {key: value for key, value in served[probe].items() if key != "httpGet"}
        assert timing == {key: value for key, value in deployed[probe].items() if key != "httpGet"}
    faults = {
        "predictor.securityContext": {**predictor, "securityContext": {"runAsUser": 10001}},
        "predictor.topologySpreadConstraints": {**predictor, "topologySpreadConstraints": []},
        "predictor.containers[0].lifecycle": {**predictor, "containers": [{**served, "lifecycle": {}}]},
        "predictor.containers[0].securityContext.seLinuxOptions": {
            **predictor,
            "containers": [{**served, "securityContext": {"seLinuxOptions": {}}}],
        },
    }
    for path, faulty in faults.items():
        assert knative_refuses(faulty) == [path]


def test_the_image_serves_with_a_health_check_or_trains_by_default(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    dockerfile = (project / "Dockerfile").read_text()
    rest = answers.get("serving", DEFAULTS["serving"]) == "rest"
    found = ('CMD ["serve"]' in dockerfile, "HEALTHCHECK " in dockerfile, 'CMD ["train"]' in dockerfile)
    assert found == (rest, rest, not rest)


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
    distributed = FRAMEWORKS[answers.get("framework", DEFAULTS["framework"])]["distributed"]
    serving = SERVING_TARGETS[answers.get("serving", DEFAULTS["serving"])]
    assert targets == MAKE_TARGETS | serving | (DISTRIBUTED_TARGETS if distributed else set())


def test_python_version_reaches_image_ci_and_tools(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    version = answers.get("python_version", "3.11")
    assert (project / ".python-version").read_text().strip() == version
    from_lines = re.findall(r"^FROM (\S+)(?: AS (\S+))?$", (project / "Dockerfile").read_text(), re.M)
    stages = {name for _, name in from_lines if name}
    bases = [image for image, _ in from_lines if image not in stages]  # not a stage built before
    assert len(bases) >= 2 and set(bases) == {f"python:{version}-slim"}
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


def test_config_names_the_chosen_model_and_task(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    facts = model_facts(answers)
    model = yaml.safe_load((project / "config.yaml").read_text())["model"]
    assert model["class_path"].endswith(facts["class_path"])  # a network's: in the package
    assert model.get("init_args", {}) == facts["init_args"]
    config = next(project.glob("src/*/config.py")).read_text()
    assert f'TASK: Task = "{facts["task"]}"' in config
    assert f'DEFAULT_DATASET = "{facts["dataset"]}"' in config
    assert (project / "requirements.txt").read_text().count("scikit-learn==") == 1


# The answers' constants in config.py, and the values they take: a comparison with either, or a
# lookup by one, in the package or its tests is a branch for a variant other than the one baked.
ANSWER_CONSTANTS = {"FRAMEWORK", "TASK", "INPUTS"}
ANSWER_VALUES = {
    *FRAMEWORKS,
    *(model for facts in FRAMEWORKS.values() for model in facts["models"]),
    *(
        m[key]
        for facts in FRAMEWORKS.values()
        for m in facts["models"].values()
        for key in ("task", "inputs")
    ),
}


def checks(tree: ast.AST) -> set[int]:
    """The comparisons an `assert` makes, by node id: not branches. An assert takes no other
    path when the value differs: it fails. So a variant's test may check its own value
    (`assert metadata["task"] == "classification"`) and a shared one that the bake's value
    reached the output (`assert metrics["task"] == TASK`). A choice inside an assert (`x if
    TASK == ... else y`, a comprehension's `if`) is still a branch."""
    found: set[int] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.IfExp | ast.comprehension):
            return
        if isinstance(node, ast.Compare):
            found.add(id(node))
        for child in ast.iter_child_nodes(node):
            visit(child)

    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            visit(node.test)
    return found


def branches_on_answers(path: Path, project: Path) -> list[str]:
    """Where a module compares with, or looks up by, an answer or one of its values."""

    def is_answer(node: ast.AST) -> bool:
        name = (
            node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        )
        constant = isinstance(node, ast.Constant) and node.value in ANSWER_VALUES
        return name in ANSWER_CONSTANTS or constant

    tree = ast.parse(path.read_text(encoding="utf-8"))
    where, asserted = path.relative_to(project).as_posix(), checks(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(map(is_answer, [node.left, *node.comparators])):
            if id(node) not in asserted:
                found.append(f"{where}:{node.lineno}: compares with {ast.unparse(node)}")
        elif isinstance(node, ast.Subscript) and is_answer(node.slice):
            found.append(f"{where}:{node.lineno}: looks up {ast.unparse(node)}")
        elif isinstance(node, ast.Dict) and sum(map(is_answer, filter(None, node.keys))) > 1:
            found.append(f"{where}:{node.lineno}: a table by answer values")
    return found


def test_the_package_holds_no_branch_for_another_variant(variant: tuple[dict, Path]) -> None:
    """Nor do its tests: a test that applies to one task or model only lives in that variant's
    folder, and a shared test takes what differs from the variant's code or test support."""
    _, project = variant
    modules = sorted([*project.glob("src/*/*.py"), *project.glob("tests/**/*.py")])
    found = [line for module in modules for line in branches_on_answers(module, project)]
    assert found == []


# Names of the package used from outside it, where vulture cannot see, and who uses them.
USED_FROM_OUTSIDE = {
    "on_epoch_end": "Keras calls a callback's hooks (tensorflow model.py)",
    "stop_training": "and reads this attribute of it",
    "copy": "NumPy passes it to __array__ (image_rows.py)",
    "score": "the inputs contract: score a batch held in memory (predict.py), for tests and serving",
    "app_from_environment": "uvicorn imports it by name to start each of several workers (serve_command.py)",
    "intra_op_num_threads": "ONNX Runtime reads the session options set (onnx_engine.py)",
    "inter_op_num_threads": "and this one",
    "log_severity_level": "and this one",
    "missing_values": "skl2onnx reads the imputer's setting (preprocessing_onnx.py)",
    "ConvNet": "config.yaml names the network class by its import path (layers.py)",
    "LinearModel": "and this one",
    "call": "Keras calls a layer's call and build (tensorflow layers.py)",
    "check_conv_settings": "the convolutional network's layers.py calls it (cnn only)",
}
# Functions a decorator registers (the REST service's routes and error handlers, server.py).
REGISTERED_BY = "@app.*"


def test_the_package_holds_no_code_that_nothing_reaches(variant: tuple[dict, Path]) -> None:
    """vulture: no function, class, constant, attribute or argument that nothing uses."""
    _, project = variant
    vulture = [str(BIN / "vulture"), "src", "--min-confidence", "60"]
    ignored = ["--ignore-names", ",".join(USED_FROM_OUTSIDE), "--ignore-decorators", REGISTERED_BY]
    done = run([*vulture, *ignored], project, check=False)
    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr


def build_lines(framework: str) -> tuple[list[str], list[str]]:
    """How lines of the framework's CUDA build begin, and those of its CPU build (its pins, and
    the extra index a build adds)."""
    builds = FRAMEWORKS[framework]["builds"]
    if "gpu" not in builds:
        return [], []
    lines = {
        name: [build["pin"], *(["--extra-index-url"] if build["extra_index"] else [])]
        for name, build in builds.items()
    }
    return lines["gpu"], lines["cpu"]


GPU_RESERVATION = {
    "resources": {
        "reservations": {"devices": [{"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]}
    }
}


def test_use_gpu_picks_the_cuda_build_and_gives_the_containers_the_gpus(variant: tuple[dict, Path]) -> None:
    answers, project = variant
    gpu = answers.get("use_gpu") == "yes"
    requirements = (project / "requirements.txt").read_text().splitlines()
    framework = answers.get("framework", DEFAULTS["framework"])
    cuda, cpu = build_lines(framework)
    assert all(any(r.startswith(line) for r in requirements) == gpu for line in cuda)
    assert all(any(r.startswith(line) for r in requirements) != gpu for line in cpu)
    assert any(line.startswith("nvidia-") for line in requirements) == gpu
    config = next(project.glob("src/*/config.py")).read_text()
    if "gpu" in FRAMEWORKS[framework]["builds"]:
        assert f"USE_GPU = {gpu}" in config
    else:  # nothing would read it
        assert "USE_GPU" not in config
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    on_training_image = [service for name, service in services.items() if name != "serve"]
    assert all(service.get("deploy") == (GPU_RESERVATION if gpu else None) for service in on_training_image)
    assert "deploy" not in services.get("serve", {})  # the serving image: ONNX Runtime on the CPU
    runs = [
        line
        for line in run(["make", "--dry-run", "docker-train"], project).stdout.splitlines()
        if "docker run " in line
    ]
    assert len(runs) == 1 and ("--gpus all" in runs[0]) == gpu
    building = {"serve", "docker-build-serve", "docker-build-model"}  # no container to give a GPU
    running = SERVING_TARGETS[answers.get("serving", DEFAULTS["serving"])] - building
    if FRAMEWORKS[answers.get("framework", DEFAULTS["framework"])]["distributed"]:
        running |= {"docker-train-distributed"}
    for target in sorted(running):
        scoring = run(["make", "--dry-run", target, "INPUT=in.csv", "OUTPUT=out.csv"], project).stdout
        assert ("--gpus all" in scoring) == gpu, target
    if gpu:  # GPUS= runs without one, for a host or CI runner that has none
        without = run(["make", "--dry-run", "docker-train", "GPUS="], project).stdout
        assert "docker run " in without and "--gpus" not in without


# --- the docker targets against a stand-in client ------------------------------------------

# A `docker` that does nothing but log each call (its arguments and the build settings in its
# environment, which `--build-arg NAME` reads) and answers as a client and engine would, as
# the FAKE_* variables say: a Docker 28 client with buildx, an engine without the NVIDIA runtime,
# which lists each image by the id FAKE_IMAGE_ID.
FAKE_DOCKER = """#!{python}
import json, os, sys
args = sys.argv[1:]
settings = {{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "HTTP"))}}
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "env": settings}}) + "\\n")
if args[:1] == ["--version"]:
    print("Docker version " + os.environ.get("FAKE_VERSION", "28.2.2") + ", build 0000000")
elif args[:1] == ["buildx"] and os.environ.get("FAKE_NO_BUILDX"):
    sys.exit("docker: 'buildx' is not a docker command.")
elif args[:1] == ["info"]:
    print(" Runtimes: io.containerd.runc.v2 runc")
elif args[:1] == ["images"]:
    print(os.environ.get("FAKE_IMAGE_ID", "3f2a1b4c5d6e"))
elif args[:1] == ["run"] and "--gpus" in args:
    print('docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
          file=sys.stderr)
    sys.exit(125)
"""
# The settings a shell may hold that reach the build.
BUILD_SETTINGS = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_TRUSTED_HOST",
    "PIP_NO_INDEX",
)


class FakeDocker:
    """Runs the project's make targets with the stand-in `docker` first on PATH."""

    def __init__(self, folder: Path) -> None:
        self.log = folder / "calls.jsonl"
        script = folder / "bin" / "docker"
        script.parent.mkdir()
        script.write_text(FAKE_DOCKER.format(python=sys.executable))
        script.chmod(0o755)
        environment = {k: v for k, v in user_environment().items() if k not in BUILD_SETTINGS}
        environment.pop("DOCKER_BUILD_FLAGS", None)
        self.environment = environment | {
            "PATH": f"{script.parent}{os.pathsep}{environment['PATH']}",
            "FAKE_DOCKER_LOG": str(self.log),
        }

    def shell(self, command: str, project: Path, **env: str) -> subprocess.CompletedProcess[str]:
        """One command line, in its own shell, as a user types it."""
        return run(["bash", "-c", command], project, check=False, environment={**self.environment, **env})

    def calls(self, command: str) -> list[dict]:
        """The logged calls of one docker command (`build`, `run`), in order."""
        if not self.log.exists():
            return []
        calls = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [call for call in calls if call["args"][:1] == [command]]


@pytest.fixture
def fake_docker(tmp_path: Path) -> FakeDocker:
    return FakeDocker(tmp_path)


def fresh_copy(project: Path, tmp_path: Path) -> Path:
    """A copy of a baked project, so that the build record one test writes stays its own."""
    copy = tmp_path / project.name
    shutil.copytree(project, copy)
    return copy


def offline_build_command(project: Path) -> str:
    """The README's offline build: the line that sets the pip variables on `make docker-build`."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith("PIP_NO_INDEX=1 ")]
    return line


def settings(build: dict) -> dict[str, str]:
    """The pip settings a logged build call got (an empty one is no setting: no build arg)."""
    return {name: build["env"][name] for name in BUILD_SETTINGS if build["env"].get(name)}


def test_the_commands_after_a_build_build_with_its_settings(bake, fake_docker, tmp_path: Path) -> None:
    """The README's offline build, then `make docker-train` in a shell holding none of those
    variables, or other ones (a host folder in PIP_FIND_LINKS, as on a machine whose pip uses
    one): the second build gets the first one's settings, so it finds every layer in the cache."""
    project = fresh_copy(bake(), tmp_path)
    assert fake_docker.shell(offline_build_command(project), project).returncode == 0
    first = fake_docker.calls("build")[-1]
    assert {"--network", "host"} <= set(first["args"]) and first["env"]["PIP_NO_INDEX"] == "1"
    plain = fake_docker.shell("make docker-train", project)
    assert plain.returncode == 0 and "note:" not in plain.stdout
    other = fake_docker.shell("make docker-train", project, PIP_FIND_LINKS="/opt/wheels")
    assert other.returncode == 0
    notes = [line for line in other.stdout.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: building with the settings of the last build (.docker-build.mk), not with this "
        "shell's PIP_FIND_LINKS: run make docker-build to build with those"
    ]
    *_, after_plain, after_other = fake_docker.calls("build")
    for build in (after_plain, after_other):
        assert build["args"] == first["args"]
        assert settings(build) == settings(first)
    assert len(fake_docker.calls("run")) == 2
    # `make docker-build` itself takes the shell's settings, and records them for the next ones.
    assert fake_docker.shell("make docker-build", project).returncode == 0
    fake_docker.shell("make docker-train", project)
    assert settings(fake_docker.calls("build")[-1]) == {}
    assert "--network" not in fake_docker.calls("build")[-1]["args"]


@pytest.mark.parametrize("folder", ["wheels/", "/opt/wheels", "file:///opt/wheels"])
def test_a_host_folder_in_find_links_is_refused_in_one_line(
    bake, fake_docker, tmp_path: Path, folder: str
) -> None:
    project = fresh_copy(bake(), tmp_path)
    done = fake_docker.shell("make docker-build", project, PIP_FIND_LINKS=f"http://127.0.0.1:1/ {folder}")
    assert done.returncode == 2 and done.stdout.splitlines() == [
        f"error: PIP_FIND_LINKS={folder} is a folder on this machine, which the image build cannot "
        "see: serve it over HTTP and give its URL (README: building without internet), or leave it "
        "out: PIP_FIND_LINKS= make docker-build"
    ]
    assert fake_docker.calls("build") == []


def test_a_client_without_buildx_is_told_what_to_do_in_one_line(bake, fake_docker, tmp_path: Path) -> None:
    """A Docker 23+ client needs buildx for BuildKit; Debian's 20.10 client has it built in."""
    project = fresh_copy(bake(), tmp_path)
    done = fake_docker.shell("make docker-build", project, FAKE_NO_BUILDX="1")
    assert done.returncode == 2 and done.stdout.splitlines() == [
        "error: this docker client (Docker version 28.2.2, build 0000000) has no buildx component, "
        "which BuildKit builds need: install Docker's buildx plugin (docker-buildx-plugin), or name "
        "a client that has one: make docker-build DOCKER=/path/to/docker"
    ]
    assert fake_docker.calls("build") == []
    old = fake_docker.shell("make docker-build", project, FAKE_NO_BUILDX="1", FAKE_VERSION="20.10.24+dfsg1")
    assert old.returncode == 0 and len(fake_docker.calls("build")) == 1
    readme = paragraph((project / "README.md").read_text(encoding="utf-8"), "buildx")
    assert "install Docker's buildx plugin" in readme and "DOCKER=/path/to/docker" in readme


@pytest.mark.parametrize("target", ["docker-train", "docker-predict INPUT=Makefile OUTPUT=out.csv"])
def test_gpus_all_without_the_nvidia_runtime_says_to_use_gpus_empty(
    bake, fake_docker, tmp_path: Path, target: str
) -> None:
    project = fresh_copy(bake(framework="pytorch", model="cnn", use_gpu="yes"), tmp_path)
    done = fake_docker.shell(f"make {target}", project)
    name = target.split()[0]
    assert done.returncode == 2
    assert done.stdout.splitlines()[-1] == (
        "error: this Docker engine has no NVIDIA runtime to give the container a GPU: install the "
        f"NVIDIA Container Toolkit, or run on the CPU without one: make {name} GPUS="
    )
    assert "could not select device driver" in done.stderr  # the engine's own line comes first
    without = fake_docker.shell(f"make {target} GPUS=", project)
    assert without.returncode == 0 and "--gpus" not in fake_docker.calls("run")[-1]["args"]


def build_model_image(fake_docker: FakeDocker, project: Path, image_id: str, name: str) -> str:
    """`make docker-build-model MODEL_IMAGE=<name>:latest` (after a training: models/model.json),
    the engine listing the image built as `image_id`; what it printed."""
    (project / "models").mkdir(exist_ok=True)
    (project / "models" / "model.json").write_text("{}")
    command = f"make docker-build-model MODEL_IMAGE={name}:latest"
    done = fake_docker.shell(command, project, FAKE_IMAGE_ID=image_id)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_model_image_build_pins_the_image_the_cluster_runs(bake, fake_docker, tmp_path: Path) -> None:
    """make docker-build-model tags the image with its id and writes that tag, under
    MODEL_IMAGE's name, into both kustomizations (images: and the version label): the
    Deployment and the InferenceService then run exactly that image, and the next build's id
    replaces it (as a string, even when the id is all digits). Nothing else changes."""
    project = fresh_copy(bake(), tmp_path)
    name = f"registry.example.com:5000/team/{project.name}-model"
    before = {path: path.read_text() for path in (project / "deploy").rglob("*.yaml")}
    for image_id in ("3f2a1b4c5d6e", "123456789012"):
        assert f"{name}:{image_id}" in build_model_image(fake_docker, project, image_id, name)
        assert fake_docker.calls("tag")[-1]["args"] == ["tag", f"{name}:latest", f"{name}:{image_id}"]
        objects = cluster_objects(project)
        for kind, item in objects.items():
            assert item["metadata"]["labels"]["app.kubernetes.io/version"] == image_id, kind
        images = [container["image"] for container in containers(list(objects.values()))]
        assert images == [f"{name}:{image_id}"] * 2
        for folder in KUSTOMIZATIONS:
            pins = yaml.safe_load((project / folder / "kustomization.yaml").read_text())["images"]
            assert pins == [{"name": f"{project.name}-model", "newName": name, "newTag": image_id}]
    changed = [
        path.relative_to(project).as_posix() for path, text in before.items() if path.read_text() != text
    ]
    assert sorted(changed) == sorted(f"{folder}/kustomization.yaml" for folder in KUSTOMIZATIONS)
    assert list((project / "deploy").rglob("*.orig")) == []


@pytest.mark.skipif(KUBECTL is None, reason="no kubectl here: the objects are read without kustomize")
def test_the_objects_read_are_what_kustomize_renders(bake, fake_docker, tmp_path: Path) -> None:
    """The tests' reading of the kustomizations (labels, images) is kustomize's own, before a
    build pins the image and after."""
    project = fresh_copy(bake(), tmp_path)
    for built in (False, True):
        if built:
            build_model_image(fake_docker, project, "123456789012", f"{project.name}-model")
        for folder in KUSTOMIZATIONS:
            rendered = sorted(kubectl_kustomize(project / folder), key=lambda item: item["kind"])
            assert rendered == sorted(kustomized(project / folder), key=lambda item: item["kind"])
