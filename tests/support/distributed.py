"""A distributed training started as its user starts it, and stopped as it is in real life: its
launcher killed outright, or Ctrl-C. What the tests then look for: no process of it is left,
and the model and reports kept before it are byte for byte the same."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .templates import files_of

# Long enough that the training would go on for minutes, and later write, if it were not stopped.
ENDLESS = "ARGS=--training.epochs 100000 --training.patience 100000"


@dataclass
class Training:
    """A running training, its output read as it comes (no process blocks on a full pipe)."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @property
    def session(self) -> int:
        return self.process.pid

    def output(self) -> str:
        """All it printed; it must have ended."""
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return "".join(self.lines)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()


def start_training(
    project: Path,
    command: Sequence[str],
    *,
    started: str,
    environment: Mapping[str, str] | None = None,
    seconds: float = 300,
) -> Training:
    """`command` (e.g. make train-distributed NPROC=2) in a session of its own, once its output
    shows `started` (e.g. an epoch line: every process trains)."""
    process = subprocess.Popen(
        list(command),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env=environment,
    )
    training = Training(process)
    deadline = time.monotonic() + seconds
    while not any(started in line for line in training.lines):
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError(f"no {started!r} from the training:\n{training.output()}")
        time.sleep(0.2)
    return training


def processes() -> dict[int, tuple[int, str, str]]:
    """Every live process: its parent, its start time (so that a reused id is not mistaken for
    it) and its command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:  # it ended meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command's name, which may hold spaces
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), fields[19], command)
    return found


def descendants(training: Training) -> dict[int, tuple[str, str]]:
    """The processes the training started, and theirs (torchrun starts its workers in sessions
    of their own): their start times and command lines."""
    every = processes()
    found: dict[int, tuple[str, str]] = {}
    parents = {training.process.pid}
    while parents:
        parents = {pid for pid, (parent, _, _) in every.items() if parent in parents and pid not in found}
        found |= {pid: every[pid][1:] for pid in parents}
    return found


def kill_launcher(training: Training, launcher: str) -> dict[int, tuple[str, str]]:
    """Kill (SIGKILL) the process of the training whose command line holds `launcher`; returns
    the training's processes as they were just before."""
    running = descendants(training)
    chosen = [pid for pid, (_, command) in running.items() if launcher in command]
    assert len(chosen) == 1, running
    os.kill(chosen[0], signal.SIGKILL)
    return running


def interrupt(training: Training) -> dict[int, tuple[str, str]]:
    """Ctrl-C in a terminal: SIGINT to every process of the foreground group (the workers of
    torchrun, in sessions of their own, hear of it from torchrun); returns the training's
    processes as they were just before."""
    running = descendants(training)
    os.killpg(training.session, signal.SIGINT)
    return running


def left_after(running: dict[int, tuple[str, str]], seconds: float) -> dict[int, str]:
    """Of `running`, the processes still there after at most `seconds` (none, when all ended)."""

    def left() -> dict[int, str]:
        now = processes()
        return {
            pid: command for pid, (start, command) in running.items() if pid in now and now[pid][1] == start
        }

    deadline = time.monotonic() + seconds
    while (still := left()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return still


def results_of(project: Path) -> dict[str, dict[str, bytes]]:
    """What a training writes: every file of models/ and reports/."""
    return {folder: files_of(project / folder) for folder in ("models", "reports")}
