"""The variants the template must generate, and the answers it must refuse.

SUPPORTED changes one option at a time from the defaults, then crosses the options that
change code (model x serving) while cycling the others, so every offered value is baked.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
QUESTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
CHOICES = {key: value for key, value in QUESTIONS.items() if isinstance(value, list) and key[0] != "_"}

# The options whose values change the generated code, crossed with each other.
CODE_OPTIONS = ("framework", "model", "serving")


def variant_id(answers: dict[str, str]) -> str:
    return "-".join(f"{key}={value}" for key, value in answers.items()) or "defaults"


def one_option_at_a_time() -> list[dict[str, str]]:
    return [{}] + [{key: value} for key, values in CHOICES.items() for value in values[1:]]


def code_options_crossed() -> list[dict[str, str]]:
    others = {key: values for key, values in CHOICES.items() if key not in CODE_OPTIONS}
    crossed = list(itertools.product(*(CHOICES[key] for key in CODE_OPTIONS)))
    cycles = {key: itertools.cycle(values) for key, values in others.items()}
    return [
        {**dict(zip(CODE_OPTIONS, combination, strict=True)), **{k: next(c) for k, c in cycles.items()}}
        for combination in crossed
    ]


# Free text with accents, quotes and backslashes must survive into TOML, YAML and Python.
AWKWARD_TEXT = {
    "project_name": 'Café Déjà-vu: l\'apprentissage "profond" 2.0',
    "description": 'Predicts "churn" \\ with 100% <honesty> & care',
    "author_name": "Zoë O'Brien-Łukasz",
}

SUPPORTED = one_option_at_a_time() + code_options_crossed() + [AWKWARD_TEXT]

# Answers the template refuses, with the words its message must contain.
UNSUPPORTED = [
    ({"use_gpu": "yes"}, "use_gpu=yes is not available with framework 'sklearn'"),
    ({"project_name": "!!!"}, "project_name '!!!' has no letters or digits"),
    ({"project_slug": "My_Project"}, "project_slug 'My_Project' is not valid"),
    ({"project_slug": "my--project"}, "project_slug 'my--project' is not valid"),
    ({"project_name": "2024 churn"}, "package_name '2024_churn' is not a valid Python package"),
    ({"package_name": "class"}, "package_name 'class' is not a valid Python package"),
    ({"package_name": "json"}, "package_name 'json' would hide the module"),
    ({"package_name": "sklearn"}, "package_name 'sklearn' would hide the module"),
    ({"package_name": "a" * 41}, "has 41 characters; give a shorter one (at most 40)"),
    ({"author_email": "nobody"}, "author_email 'nobody' is not an email address"),
]
# Values outside a question's choices, refused by cookiecutter itself before any hook runs.
OUTSIDE_CHOICES = [
    ({"model": "cnn"}, "cnn provided for choice variable model"),
    ({"framework": "pytorch"}, "pytorch provided for choice variable framework"),
    ({"serving": "rest"}, "rest provided for choice variable serving"),
    ({"use_gpu": "maybe"}, "maybe provided for variable use_gpu could not be converted"),
]
