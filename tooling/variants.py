"""The variants the template must generate, and the answers it must refuse.

SUPPORTED changes one option at a time from the defaults, then crosses the options that
change code (framework x model x serving) while cycling the others, so every offered value
is baked. Which combinations are valid is the pre-generation hook's to say: the crossing
keeps those it accepts, and UNSUPPORTED lists the refusals with their messages.
"""

from __future__ import annotations

import ast
import itertools
import json
from collections.abc import Iterator
from typing import Any

from local_extensions import FRAMEWORKS
from tooling import TEMPLATE
from tooling.hooks import load_hook

QUESTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
CHOICES = {key: value for key, value in QUESTIONS.items() if isinstance(value, list) and key[0] != "_"}


PRE_GEN = load_hook()  # which answers it accepts is the pre-generation hook's to say
DEFAULTS = {key: values[0] for key, values in CHOICES.items()}
TASKS_DIR = TEMPLATE / "{{cookiecutter.project_slug}}" / "_tasks"


def model_facts(answers: dict[str, str]) -> dict[str, Any]:
    """The facts of the model these answers choose (from its framework's facts file), the
    defaults standing in for the answers not given."""
    framework = answers.get("framework", DEFAULTS["framework"])
    return dict(FRAMEWORKS[framework]["models"][answers.get("model", DEFAULTS["model"])])


def short_of_the_bar(metrics: dict[str, Any], answers: dict[str, str]) -> dict[str, tuple[Any, float]]:
    """Where a training's metrics fall short of its model's quality bar (the `minimum` of its
    facts): by metric, what it reached and the minimum; empty when it reaches the bar."""
    minimum = model_facts(answers)["minimum"]
    return {
        metric: (metrics.get(metric), lowest)
        for metric, lowest in minimum.items()
        if not metrics.get(metric, float("-inf")) >= lowest
    }


def task_constant(task: str, name: str) -> Any:
    """A constant of a task's code (`_tasks/<task>/src/task.py`), read from its source."""
    tree = ast.parse((TASKS_DIR / task / "src" / "task.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(target) for target in node.targets] == [name]:
            return ast.literal_eval(node.value)
    raise ValueError(f"_tasks/{task}/src/task.py has no constant {name}")


def task_metrics(task: str) -> set[str]:
    """The metrics a task's `compute_metrics` writes: the keys of the dict it returns."""
    tree = ast.parse((TASKS_DIR / task / "src" / "task.py").read_text(encoding="utf-8"))
    (function,) = (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "compute_metrics")
    returned = [n.value for n in ast.walk(function) if isinstance(n, ast.Return)]
    return {
        key.value
        for value in returned
        if isinstance(value, ast.Dict)
        for key in value.keys
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
    }


def accepted(answers: dict[str, str]) -> bool:
    """Whether the hook accepts these answers (the others at their defaults)."""
    defaults = dict(DEFAULTS)
    defaults |= {"project_slug": "my-ml-project", "package_name": "my_ml_project"}
    defaults |= {"project_name": "My ML Project", "author_name": "A", "author_email": "a@example.com"}
    return not PRE_GEN.problems({**defaults, "use_gpu": False, **answers}, FRAMEWORKS)


# The options whose values change the generated code, crossed with each other.
CODE_OPTIONS = ("framework", "model", "serving")


def variant_id(answers: dict[str, str]) -> str:
    return "-".join(f"{key}={value}" for key, value in answers.items()) or "defaults"


def one_option_at_a_time() -> list[dict[str, str]]:
    """The defaults, then each other value alone; a value the defaults refuse (model=cnn with
    scikit-learn) is paired with the first value of another option that accepts it."""
    variants: list[dict[str, str]] = [{}]
    for key, values in CHOICES.items():
        for value in values[1:]:
            partners = [{}] + [{k: v} for k, vs in CHOICES.items() if k != key for v in vs[1:]]
            variants.append(next({key: value, **p} for p in partners if accepted({key: value, **p})))
    return variants


def code_options_crossed() -> list[dict[str, str]]:
    """Every accepted combination of the code options; the other options cycle through their
    values, each kept at its default where the cycled value is refused with the combination."""
    others = {key: values for key, values in CHOICES.items() if key not in CODE_OPTIONS}
    cycles = {key: itertools.cycle(values) for key, values in others.items()}
    variants = []
    for combination in itertools.product(*(CHOICES[key] for key in CODE_OPTIONS)):
        answers = dict(zip(CODE_OPTIONS, combination, strict=True))
        if not accepted(answers):
            continue
        for key, cycle in cycles.items():
            value = next(cycle)
            answers[key] = value if accepted({**answers, key: value}) else others[key][0]
        variants.append(answers)
    return variants


# Free text with accents, quotes and backslashes must survive into TOML, YAML and Python.
AWKWARD_TEXT = {
    "project_name": 'Café Déjà-vu: l\'apprentissage "profond" 2.0',
    "description": 'Prédit le "churn" \\ with 100% <honesty> & care',
    "author_name": "Zoë O'Brien-Łukasz",
    "author_email": "zoe.o-brien+ml@exämple.org",
}


def gpu_variants() -> list[dict[str, str]]:
    """use_gpu=yes with every model of each framework that offers it, Python versions cycled."""
    versions = itertools.cycle(CHOICES["python_version"])
    variants = []
    for framework, model in itertools.product(CHOICES["framework"], CHOICES["model"]):
        answers = {"framework": framework, "model": model, "use_gpu": "yes"}
        if accepted(answers):
            variants.append({**answers, "python_version": next(versions)})
    return variants


def each_model_once(options: tuple[str, ...] = ("serving", "python_version")) -> list[dict[str, str]]:
    """Every framework x model of the facts files once, each of `options` cycling through its
    values (per framework), skipping those the hook refuses with the framework."""
    variants = []
    for framework, facts in FRAMEWORKS.items():
        cycles = {key: itertools.cycle(CHOICES[key]) for key in options}
        for model in facts["models"]:
            answers = {"framework": framework, "model": model}
            for key, cycle in cycles.items():
                answers[key] = next_accepted(answers, key, cycle)
            variants.append(answers)
    return variants


def next_accepted(answers: dict[str, str], key: str, cycle: Iterator[str]) -> str:
    """The next value of `key` from `cycle` that the hook accepts with `answers`."""
    for _ in CHOICES[key]:
        value = next(cycle)
        if accepted({**answers, key: value}):
            return value
    raise ValueError(f"no value of {key} is accepted with {answers}")


def one_gpu_project_each() -> list[dict[str, str]]:
    """One use_gpu=yes project per framework with a CUDA build, on a Python its CPU build lacks
    where there is one, with a different model each (from the end of its list)."""
    variants = []
    for index, (framework, facts) in enumerate(
        (name, facts) for name, facts in FRAMEWORKS.items() if "gpu" in facts["builds"]
    ):
        cpu, gpu = facts["builds"]["cpu"]["pythons"], facts["builds"]["gpu"]["pythons"]
        python = next((version for version in gpu if version not in cpu), gpu[0])
        models = list(facts["models"])
        model = models[-1 - index % len(models)]
        variants.append({"framework": framework, "model": model, "python_version": python, "use_gpu": "yes"})
    return variants


SUPPORTED = one_option_at_a_time() + code_options_crossed() + gpu_variants() + [AWKWARD_TEXT]

# Answers the template refuses, with the words its message must contain.
UNSUPPORTED = [
    (
        {"use_gpu": "yes"},
        "use_gpu=yes is not available with framework 'sklearn', which trains on the CPU; answer "
        "use_gpu=no, or choose one of: pytorch, tensorflow",
    ),
    (
        {"model": "cnn"},
        "model 'cnn' is not available with framework 'sklearn'; choose one of: logistic, linear, svm",
    ),
    (
        {"framework": "pytorch", "model": "svm"},
        "model 'svm' is not available with framework 'pytorch'; choose one of: logistic, linear, cnn",
    ),
    (
        {"framework": "tensorflow", "model": "svm"},
        "model 'svm' is not available with framework 'tensorflow'; choose one of: logistic, linear, cnn",
    ),
    (
        {"framework": "pytorch", "python_version": "3.12"},
        "framework 'pytorch' with python_version=3.12 is not offered: its pinned CPU build is proven "
        "on Python 3.11 only",
    ),
    ({"project_name": "!!!"}, "project_name '!!!' has no letter or digit to make project_slug from"),
    ({"project_name": "___"}, "give a name with at least one letter or digit"),
    ({"project_name": "🙂"}, "project_name '🙂' has no letter or digit"),
    ({"project_slug": "My_Project"}, "project_slug 'My_Project' is not valid"),
    ({"project_slug": "my--project"}, "project_slug 'my--project' is not valid"),
    ({"project_slug": "---"}, "project_slug '---' is not valid"),
    ({"project_name": "2024 churn"}, "package_name '2024_churn' is not a valid Python package"),
    ({"package_name": "class"}, "package_name 'class' is not a valid Python package"),
    ({"package_name": "a" * 41}, "has 41 characters; give a shorter one (at most 40)"),
    ({"package_name": "json"}, "package_name 'json' is the name of a standard-library module"),
    ({"package_name": "__main__"}, "package_name '__main__' is a double-underscore name"),
    ({"package_name": "conftest"}, "package_name 'conftest' is a name pytest and the project's tests use"),
    ({"package_name": "sklearn"}, "package_name 'sklearn' is the import name of scikit-learn"),
    ({"package_name": "_pytest"}, "package_name '_pytest' is the import name of pytest"),
    ({"package_name": "dateutil"}, "the import name of python-dateutil, which the project installs"),
    ({"author_email": "nobody"}, "author_email 'nobody' would make installing the project fail"),
    ({"author_email": "you@localhost"}, "(it needs one '@' and a domain with a dot after it)"),
    ({"author_email": "zoë@example.com"}, "(only ASCII characters are allowed before the '@')"),
]
# Addresses the pinned setuptools accepts or refuses in `project.authors[].email`; the hook must
# agree on each (checked against the real setuptools in tests/test_generated.py).
EMAILS_SETUPTOOLS_ACCEPTS = [
    "you@example.com",
    "zoe.o-brien+ml@exämple.org",
    '"you and me"@example.com',
    "you@[192.0.2.1]",
    "you@example.c",
]
EMAILS_SETUPTOOLS_REFUSES = [
    "",
    "nobody",
    "you@localhost",
    "you@.com",
    "you@@example.com",
    "zoë@example.com",
    "you and me@example.com",
    "you@example.com.",
    "you@example..com",
    ".you@example.com",
    "you..me@example.com",
    "you,me@example.com",
    "You <you@example.com>",
]
# Values outside a question's choices, refused by cookiecutter itself before any hook runs.
OUTSIDE_CHOICES = [
    ({"model": "rnn"}, "rnn provided for choice variable model"),
    ({"framework": "jax"}, "jax provided for choice variable framework"),
    ({"serving": "grpc"}, "grpc provided for choice variable serving"),
    ({"use_gpu": "maybe"}, "maybe provided for variable use_gpu could not be converted"),
]
