"""Without an engine the docker tier skips with its reason, or fails when it is required."""

from __future__ import annotations

import os
import subprocess
import sys

from tooling.variants import TEMPLATE


def docker_tier(**env: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "tests/test_docker.py"]
    command += ["-k", "offline", f"--basetemp={env.pop('basetemp')}"]
    environment = {key: value for key, value in os.environ.items() if key != "REQUIRE_DOCKER"}
    environment |= {"DOCKER_HOST": "unix:///nonexistent/docker.sock", **env}
    return subprocess.run(command, cwd=TEMPLATE, env=environment, capture_output=True, text=True)


def test_skips_with_the_reason_when_no_engine_answers(tmp_path) -> None:
    done = docker_tier(basetemp=str(tmp_path))
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout
    assert "no Docker engine answers" in done.stdout


def test_fails_when_required_and_no_engine_answers(tmp_path) -> None:
    done = docker_tier(basetemp=str(tmp_path), REQUIRE_DOCKER="1")
    assert done.returncode == 1, done.stdout
    assert "REQUIRE_DOCKER=1 but no Docker engine answers" in done.stdout
