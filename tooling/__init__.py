"""The template's own tooling, shared by its tests, benchmarks and scripts.

Not part of what users get: the generated project never imports it. cookiecutter reads the
frameworks' facts through it (facts.py, from local_extensions.py) when it bakes. Everything here runs from
the repository root (pytest's `pythonpath`, or `python -m bench.<name>` / `python -m
scripts.<name>`, which is how the Makefile runs them), so nothing is installed and no
`sys.path` is edited.
"""

from pathlib import Path

# The checkout: the cookiecutter template that tests and benchmarks bake.
TEMPLATE = Path(__file__).resolve().parents[1]
