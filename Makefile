# ml-docker-template: every action on the template is a target here. `make` lists them.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= build/demo
PYTEST_FLAGS ?=
# pytest-xdist workers for the test targets: each tier spends most of its time in one
# single-threaded command (pip, mypy, a docker build), so a second worker uses the second core.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadscope
# The template folder holds Jinja, not Python: each bake is linted by the tests instead.
LINTED := hooks tests bench scripts tooling local_extensions.py

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast lint typecheck docs docs-build release bench bench-data bench-serve bench-serve-image bench-distributed bench-project-tests mutation sync-facts sync-hook clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/pytest: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --requirement requirements-dev.txt
	touch $@

demo: $(BIN)/pytest ## Bake the default project into build/demo, install it and train it
	rm -rf $(DEMO_DIR)
	$(BIN)/cookiecutter --no-input --output-dir $(dir $(DEMO_DIR)) . project_slug=$(notdir $(DEMO_DIR))
	$(MAKE) -C $(DEMO_DIR) install train

test: lint ## Lint, then run every test tier (the docker tier skips when no engine answers)
	$(BIN)/pytest $(XDIST) $(PYTEST_FLAGS)

test-fast: $(BIN)/pytest ## Static tiers only: bake, render, lint, parse, refuse (~2 min)
	$(BIN)/pytest -m "not generated and not docker" $(XDIST) $(PYTEST_FLAGS)

lint: $(BIN)/pytest ## Lint and type-check the template's own code
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

typecheck: $(BIN)/pytest ## Type-check the template's own code with mypy (settings in pyproject.toml)
	$(BIN)/mypy

# The documentation site (mkdocs.yml): strict, so a broken link or a page left out fails it.
export NO_MKDOCS_2_WARNING := 1
docs: $(BIN)/pytest ## Serve the documentation site on http://127.0.0.1:8001, rebuilt on each edit
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8001

docs-build: $(BIN)/pytest ## Build the documentation site into build/site (strict)
	$(BIN)/mkdocs build --strict

release: $(BIN)/pytest ## VERSION=X.Y.Z: CHANGELOG.md's Unreleased entries become a release, committed and tagged
	$(BIN)/python -m scripts.release "$(VERSION)"

bench: $(BIN)/pytest ## Image size, build and training-time ratios per variant (needs Docker)
	$(BIN)/python -m bench.docker_bench

bench-data: $(BIN)/pytest ## Scoring time and memory for tables; CNN training memory on 200 and 2,000 photos
	$(BIN)/python -m bench.predict_bench
	$(BIN)/python -m bench.image_bench

bench-serve: $(BIN)/pytest ## REST service latency and throughput per framework's model, against a bare FastAPI endpoint (~5 min)
	$(BIN)/python -m bench.serve_bench

bench-serve-image: $(BIN)/pytest ## The serving image against the training image: size, start-up, latency (~20 min)
	$(BIN)/python -m bench.serve_image_bench

bench-distributed: $(BIN)/pytest ## Distributed training (2 processes) against one, logistic and CNN: wall time, metric (~15 min)
	$(BIN)/python -m bench.distributed_bench

bench-project-tests: $(BIN)/pytest ## Each generated project's make test: wall time per model, runs passed (~30 min)
	$(BIN)/python -m bench.project_tests_bench $(BENCH_FLAGS)

mutation: $(BIN)/pytest ## Faults the baked project's tests catch, per module (mutmut; ~20 min)
	$(BIN)/python -m scripts.mutation $(ANSWERS)

sync-facts: $(BIN)/pytest ## After editing a _frameworks/*/framework.toml: rewrite cookiecutter.json's choices, the README's and docs' tables
	$(BIN)/python -m scripts.sync_facts

sync-hook: $(BIN)/pytest ## After changing pinned requirements: rewrite the names the hook refuses
	$(BIN)/python -m scripts.sync_hook_with_pins

clean: ## Remove the demo, caches and the virtualenv
	rm -rf build .pytest_cache .ruff_cache $(VENV)
