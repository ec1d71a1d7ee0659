"""The service as users start it: `serve` in a process of its own with two workers, reached
over HTTP by the standard V2 client, counted across workers, and stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import tritonclient.http as triton

from {{ cookiecutter.package_name }} import served_model
from {{ cookiecutter.package_name }}.served_model import MODEL_NAME

from .serve_cases import agreeing_requests
from .serve_cases import served_models as served_models  # the fixture
from .test_serve import triton_inputs

PACKAGE = str(served_model.__package__)
STARTUP_SECONDS = 120  # two workers importing the framework, on a busy machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/v2/health/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@pytest.fixture
def server(served_models: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    environment = {
        **os.environ,
        "PORT": str(port),
        "WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", PACKAGE, "serve", "--models-dir", str(served_models)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the service did not start: {process.communicate()[0].decode()[-2000:]}")
        time.sleep(0.2)
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_two_workers_answer_the_v2_client_and_stop_on_sigterm(
    server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    url, process = server
    client = triton.InferenceServerClient(url.removeprefix("http://"))
    assert client.is_server_live() and client.is_model_ready(MODEL_NAME)
    case = next(case for case in agreeing_requests(tmp_path) if case.tensors is not None)
    assert case.tensors is not None
    answers = []
    for binary in (True, False, True, False):  # several requests: both workers take some
        result = client.infer(MODEL_NAME, triton_inputs(case.tensors, binary))
        answers.append(result.as_numpy(result.get_response()["outputs"][0]["name"]))
    for answer in answers[1:]:
        np.testing.assert_array_equal(answer, answers[0])
    with urllib.request.urlopen(f"{url}/metrics") as response:
        text = response.read().decode()
    infers = sum(
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("http_requests_total{") and 'route="/v2/models/{name}/infer"' in line
    )
    assert infers == 4  # counted across the workers, each request once
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert time.monotonic() - started < 15
    assert "Traceback" not in output
