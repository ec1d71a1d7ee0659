"""Refuse answers that cannot make a working project, before anything is generated.

Each problem is reported as one `ERROR:` line naming the bad value and the valid choices;
the hook exits 1 and cookiecutter removes the half-made output folder. Standard library only.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

# Models each framework offers; GPU training is for frameworks listed in GPU_FRAMEWORKS.
FRAMEWORK_MODELS = {"sklearn": ("logistic", "linear", "svm")}
GPU_FRAMEWORKS: tuple[str, ...] = ()
SLUG_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PACKAGE_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
MAX_PACKAGE_LENGTH = 40  # longer names push generated import lines past the line-length limit
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+")
# Names a package must not take: it would hide the library of that name when imported.
TAKEN_PACKAGE_NAMES = {"sklearn", "numpy", "scipy", "matplotlib", "joblib", "test", "tests"}


def problems(answers: dict) -> list[str]:
    """Every reason these answers cannot make a working project (empty when they can)."""
    found = []
    slug, package = answers["project_slug"], answers["package_name"]
    if not slug.strip("-"):  # "-" stands in for an empty slug, which cookiecutter cannot handle
        found.append(
            f"project_name {answers['project_name']!r} has no letters or digits to make "
            "project_slug from: add some, or give project_slug (e.g. 'my-ml-project')"
        )
    elif not SLUG_PATTERN.fullmatch(slug):
        found.append(
            f"project_slug {slug!r} is not valid: use lowercase letters and digits, with "
            "single '-' between them (e.g. 'my-ml-project')"
        )
    derived_from_bad_slug = found and package == slug.replace("-", "_")
    if derived_from_bad_slug:
        pass  # one root cause, one message: fixing the slug fixes the package name
    elif not PACKAGE_PATTERN.fullmatch(package) or keyword.iskeyword(package):
        found.append(
            f"package_name {package!r} is not a valid Python package name: use lowercase "
            "letters, digits and '_', not starting with a digit (e.g. 'my_ml_project')"
        )
    elif len(package) > MAX_PACKAGE_LENGTH:
        found.append(
            f"package_name {package!r} has {len(package)} characters; give a shorter one "
            f"(at most {MAX_PACKAGE_LENGTH}), e.g. package_name={package[:20].rstrip('_')}"
        )
    elif package in sys.stdlib_module_names or package in TAKEN_PACKAGE_NAMES:
        found.append(f"package_name {package!r} would hide the module of the same name; choose another")
    if not EMAIL_PATTERN.fullmatch(answers["author_email"]):
        found.append(
            f"author_email {answers['author_email']!r} is not an email address "
            "(expected name@host, e.g. 'you@example.com')"
        )
    framework, model = answers["framework"], answers["model"]
    if framework not in FRAMEWORK_MODELS:
        found.append(f"framework {framework!r} is not offered; choose one of: {', '.join(FRAMEWORK_MODELS)}")
    elif model not in FRAMEWORK_MODELS[framework]:
        choices = ", ".join(FRAMEWORK_MODELS[framework])
        found.append(
            f"model {model!r} is not available with framework {framework!r}; choose one of: {choices}"
        )
    if as_bool(answers["use_gpu"]) and framework not in GPU_FRAMEWORKS:
        found.append(
            f"use_gpu=yes is not available with framework {framework!r}, which trains on the CPU; "
            "answer use_gpu=no"
        )
    return found


def as_bool(value: object) -> bool:
    """Cookiecutter passes booleans, but a value given on the command line may stay text."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def main() -> int:
    answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    found = problems(answers)
    for problem in found:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
