"""Refuse answers that cannot make a working project, before anything is generated.

Each problem is reported as one `ERROR:` line naming the bad value and the valid choices;
the hook exits 1 and cookiecutter removes the half-made output folder. What each framework
offers (its models, builds and their Python versions) comes from its facts file,
`_frameworks/<name>/framework.toml`, rendered in below as JSON. Standard library only:
what only an install of the pinned requirements can tell (the import names a project installs,
setuptools' email rule) is written in below by scripts/sync_hook_with_pins.py.
"""

from __future__ import annotations

import email.errors
import json
import keyword
import re
import sys
from email.headerregistry import Address

SLUG_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# What cookiecutter.json derives project_slug as when project_name holds no letter or digit.
NO_SLUG = "-"
PACKAGE_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
MAX_PACKAGE_LENGTH = 40  # longer names push generated import lines past the line-length limit
# Names the project's tests give a meaning to: pytest's fixture files and test folders.
TEST_NAMES = {"conftest", "test", "tests"}

# --- begin: written by scripts/sync_hook_with_pins.py from the pinned requirements; do not edit ---
# Top-level import names of every distribution a generated project installs, and the
# distributions that provide them.
INSTALLED_IMPORT_NAMES = {
    "PIL": "pillow",
    "_brotli": "brotli",
    "_distutils_hack": "setuptools",
    "_pytest": "pytest",
    "_yaml": "PyYAML",
    "absl": "absl-py",
    "aiohappyeyeballs": "aiohappyeyeballs",
    "aiohttp": "aiohttp",
    "aiosignal": "aiosignal",
    "annotated_doc": "annotated-doc",
    "annotated_types": "annotated-types",
    "anyio": "anyio",
    "arrow": "arrow",
    "ast_serialize": "ast_serialize",
    "astunparse": "astunparse",
    "attr": "attrs",
    "attrs": "attrs",
    "binaryornot": "binaryornot",
    "brotli": "brotli",
    "certifi": "certifi",
    "cfgv": "cfgv",
    "charset_normalizer": "charset-normalizer",
    "clang": "libclang",
    "click": "click",
    "cloudpickle": "cloudpickle",
    "contourpy": "contourpy",
    "cookiecutter": "cookiecutter",
    "cruft": "cruft",
    "cuda": "cuda-bindings, cuda-pathfinder",
    "cycler": "cycler",
    "dateutil": "python-dateutil",
    "distlib": "distlib",
    "examples": "tf2onnx",
    "fastapi": "fastapi",
    "filelock": "filelock",
    "flatbuffers": "flatbuffers",
    "fontTools": "fonttools",
    "frozenlist": "frozenlist",
    "fsspec": "fsspec",
    "functorch": "torch",
    "gast": "gast",
    "gevent": "gevent",
    "geventhttpclient": "geventhttpclient",
    "git": "GitPython",
    "gitdb": "gitdb",
    "google": "protobuf",
    "greenlet": "greenlet",
    "grpc": "grpcio",
    "h11": "h11",
    "h5py": "h5py",
    "httpcore2": "httpcore2",
    "httpx2": "httpx2",
    "identify": "identify",
    "idna": "idna",
    "iniconfig": "iniconfig",
    "isympy": "sympy",
    "jinja2": "Jinja2",
    "joblib": "joblib",
    "jsonargparse": "jsonargparse",
    "keras": "keras",
    "kiwisolver": "kiwisolver",
    "librt": "librt",
    "markdown_it": "markdown-it-py",
    "markupsafe": "MarkupSafe",
    "matplotlib": "matplotlib",
    "mdurl": "mdurl",
    "ml_dtypes": "ml_dtypes",
    "mpl_toolkits": "matplotlib",
    "mpmath": "mpmath",
    "multidict": "multidict",
    "multipart": "python-multipart",
    "mypy": "mypy",
    "mypy_extensions": "mypy_extensions",
    "mypyc": "mypy",
    "namex": "namex",
    "narwhals": "narwhals",
    "networkx": "networkx",
    "nodeenv": "nodeenv",
    "numpy": "numpy",
    "nvidia": "nvidia-cublas and 26 other distributions",
    "onnx": "onnx",
    "onnx_ir": "onnx-ir",
    "onnxruntime": "onnxruntime",
    "onnxscript": "onnxscript",
    "opentelemetry": "opentelemetry-api",
    "opt_einsum": "opt_einsum",
    "optree": "optree",
    "packaging": "packaging",
    "pandas": "pandas",
    "pasta": "google-pasta",
    "pathspec": "pathspec",
    "pip": "pip",
    "platformdirs": "platformdirs",
    "pluggy": "pluggy",
    "pre_commit": "pre_commit",
    "prometheus_client": "prometheus_client",
    "propcache": "propcache",
    "py": "pytest",
    "pyarrow": "pyarrow",
    "pydantic": "pydantic",
    "pydantic_core": "pydantic_core",
    "pygments": "Pygments",
    "pylab": "matplotlib",
    "pyparsing": "pyparsing",
    "pytest": "pytest",
    "python_discovery": "python-discovery",
    "python_multipart": "python-multipart",
    "rapidjson": "python-rapidjson",
    "requests": "requests",
    "rich": "rich",
    "ruff": "ruff",
    "scipy": "scipy",
    "setuptools": "setuptools",
    "shellingham": "shellingham",
    "six": "six",
    "skl2onnx": "skl2onnx",
    "sklearn": "scikit-learn",
    "slugify": "python-slugify",
    "smmap": "smmap",
    "starlette": "starlette",
    "sympy": "sympy",
    "tensorflow": "tensorflow, tensorflow_cpu",
    "termcolor": "termcolor",
    "tests": "tf2onnx",
    "text_unidecode": "text-unidecode",
    "tf2onnx": "tf2onnx",
    "threadpoolctl": "threadpoolctl",
    "tools": "tf2onnx",
    "torch": "torch",
    "torchgen": "torch",
    "triton": "triton",
    "tritonclient": "tritonclient",
    "tritonclientutils": "tritonclient",
    "tritongrpcclient": "tritonclient",
    "tritonhttpclient": "tritonclient",
    "tritonshmutils": "tritonclient",
    "truststore": "truststore",
    "typer": "typer",
    "typing_extensions": "typing_extensions",
    "typing_inspection": "typing-inspection",
    "tzdata": "tzdata",
    "urllib3": "urllib3",
    "uvicorn": "uvicorn",
    "virtualenv": "virtualenv",
    "wheel": "wheel",
    "wrapt": "wrapt",
    "yaml": "PyYAML",
    "yarl": "yarl",
    "zope": "zope.event, zope.interface",
}
# What the pinned setuptools accepts as `project.authors[].email` (its `idn-email` format).
BACKEND_EMAIL_PATTERN = re.compile(r"^[^@]+@[^@]+\.[^@]+\Z")
# The requirements files these were read from (see pins_sha256 in the script).
PINS_SHA256 = "5cc25de0f9187cb980951d5fd11b1b0c83af70bbd0c33379be3257558c24bb5b"
# --- end: written by scripts/sync_hook_with_pins.py ---


def problems(answers: dict, frameworks: dict[str, dict]) -> list[str]:
    """Every reason these answers cannot make a working project (empty when they can)."""
    found = []
    slug, package = answers["project_slug"], answers["package_name"]
    if slug == NO_SLUG:
        found.append(
            f"project_name {answers['project_name']!r} has no letter or digit to make project_slug "
            "from: give a name with at least one letter or digit (e.g. 'My ML Project'), "
            "or give project_slug (e.g. 'my-ml-project')"
        )
    elif not SLUG_PATTERN.fullmatch(slug):
        found.append(
            f"project_slug {slug!r} is not valid: use lowercase letters and digits, with "
            "single '-' between them (e.g. 'my-ml-project')"
        )
    derived_from_bad_slug = found and package == slug.replace("-", "_")
    if not derived_from_bad_slug:  # one root cause, one message: fixing the slug fixes the package
        found += package_problems(package)
    found += email_problems(answers["author_name"], answers["author_email"])
    found += framework_problems(answers, frameworks)
    return found


def framework_problems(answers: dict, frameworks: dict[str, dict]) -> list[str]:
    """Why the framework cannot give this model, GPU choice and Python version, if it cannot."""
    name, model = answers["framework"], answers["model"]
    if name not in frameworks:
        return [f"framework {name!r} is not offered; choose one of: {', '.join(frameworks)}"]
    facts = frameworks[name]
    if model not in facts["models"]:
        choices = ", ".join(facts["models"])
        return [f"model {model!r} is not available with framework {name!r}; choose one of: {choices}"]
    gpu, builds = as_bool(answers["use_gpu"]), facts["builds"]
    if gpu and "gpu" not in builds:
        with_gpu = ", ".join(other for other, f in frameworks.items() if "gpu" in f["builds"])
        return [
            f"use_gpu=yes is not available with framework {name!r}, which trains on the CPU; "
            f"answer use_gpu=no, or choose one of: {with_gpu}"
        ]
    build, python = ("gpu" if gpu else "cpu"), answers["python_version"]
    if python not in builds[build]["pythons"]:
        versions = ", ".join(builds[build]["pythons"])
        what = "CUDA build" if gpu else "CPU build"
        return [
            f"framework {name!r} with python_version={python} is not offered: its pinned {what} "
            f"is proven on Python {versions} only; answer one of those"
        ]
    return []


def package_problems(package: str) -> list[str]:
    """Why `package` cannot be the generated package's import name, if it cannot."""
    if not PACKAGE_PATTERN.fullmatch(package) or keyword.iskeyword(package):
        return [
            f"package_name {package!r} is not a valid Python package name: use lowercase "
            "letters, digits and '_', not starting with a digit (e.g. 'my_ml_project')"
        ]
    if len(package) > MAX_PACKAGE_LENGTH:
        return [
            f"package_name {package!r} has {len(package)} characters; give a shorter one "
            f"(at most {MAX_PACKAGE_LENGTH}), e.g. package_name={package[:20].rstrip('_')}"
        ]
    if package.startswith("__") and package.endswith("__"):
        taken = "a double-underscore name, which Python reserves for its own use"
    elif package in TEST_NAMES:
        taken = "a name pytest and the project's tests use"
    elif package in sys.stdlib_module_names:
        taken = "the name of a standard-library module"
    elif package in INSTALLED_IMPORT_NAMES:
        taken = f"the import name of {INSTALLED_IMPORT_NAMES[package]}, which the project installs"
    else:
        return []
    return [f"package_name {package!r} is {taken}; choose another (e.g. 'my_{package.strip('_')}')"]


def email_problems(name: str, address: str) -> list[str]:
    """Why the build backend of the generated project (setuptools) would refuse this author.

    `pip install` of the project fails on an address that setuptools refuses, so the hook
    applies setuptools' own two checks. First its pyproject schema's `idn-email` pattern,
    copied from the pinned setuptools by scripts/sync_hook_with_pins.py (the hook runs in the
    user's cookiecutter environment, which may hold no setuptools or another version); then
    the standard library's `Address`, which setuptools calls the same way to write the
    metadata, and which refuses, for example, non-ASCII before the '@'.
    """
    if not BACKEND_EMAIL_PATTERN.match(address):
        reason = "it needs one '@' and a domain with a dot after it"
    else:
        try:
            Address(display_name=name, addr_spec=address)
            return []
        except email.errors.NonASCIILocalPartDefect:
            reason = "only ASCII characters are allowed before the '@'"
        except (ValueError, email.errors.HeaderParseError) as error:
            reason = f"Python's email parser says: {error}"
    return [
        f"author_email {address!r} would make installing the project fail: setuptools refuses it "
        f"({reason}); give a plain address such as 'you@example.com'"
    ]


def as_bool(value: object) -> bool:
    """Cookiecutter passes booleans, but a value given on the command line may stay text."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def main() -> int:
    answers = json.loads(r"""{{ cookiecutter | tojson }}""")
    frameworks = json.loads(r"""{{ frameworks | json_in_order }}""")
    found = problems(answers, frameworks)
    for problem in found:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
