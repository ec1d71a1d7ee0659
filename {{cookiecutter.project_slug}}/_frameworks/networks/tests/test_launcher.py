"""A process of a distributed training stops, writing nothing, when its launcher is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import launcher

from .processes import is_running

# A launcher that starts one worker, says the worker's process id, and waits. The worker
# follows it as training does (it would train for a minute), then would write a file.
LAUNCHER = """
import subprocess, sys, os
from {{ cookiecutter.package_name }}.launcher import started_by_me
worker = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]],
                          env={**os.environ, **started_by_me()})
print(worker.pid, flush=True)
worker.wait()
"""
WORKER = """
import sys, time
from pathlib import Path
from {{ cookiecutter.package_name }}.launcher import stop_with_launcher
stop_with_launcher()
time.sleep(60)
Path(sys.argv[1]).write_text("written")
"""


def test_a_worker_stops_within_a_second_when_its_launcher_is_killed(tmp_path: Path) -> None:
    written = tmp_path / "model.json"
    command = [sys.executable, "-c", LAUNCHER, WORKER, str(written)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(command, **pipes) as started:  # type: ignore[call-overload]
        worker = int(started.stdout.readline())
        time.sleep(1)  # the worker is following its launcher
        assert is_running(worker)
        started.send_signal(signal.SIGKILL)
        started.wait()
        deadline = time.monotonic() + 5 * launcher.CHECK_SECONDS + 2
        while is_running(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not is_running(worker)
        assert "its launcher stopped, so this training did not finish" in started.stderr.read()
    assert not written.exists()


def test_a_process_of_its_own_follows_no_launcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(launcher.LAUNCHER_PID, raising=False)
    assert not launcher.launcher_is_gone()
    launcher.stop_with_launcher()  # nothing to follow: it returns, and nothing watches
    monkeypatch.setenv(launcher.LAUNCHER_PID, str(os.getppid()))
    assert not launcher.launcher_is_gone()
    monkeypatch.setenv(launcher.LAUNCHER_PID, str(os.getpid()))  # not this process's parent
    assert launcher.launcher_is_gone()
    assert launcher.started_by_me() == {launcher.LAUNCHER_PID: str(os.getpid())}
