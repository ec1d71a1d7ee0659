"""The launcher of a training in several processes (`make train-distributed NPROC=2`).

`python -m <package>.distributed --nproc N train ...` starts N worker processes of
`python -m <package> train ...` on this machine; they meet on loopback ports it picks and train
together under tf.distribute.MultiWorkerMirroredStrategy (strategy.py). `--workers
host:port,host:port,... --index I` instead starts this machine's one worker of a training
spread over several machines: run the same command on each, with its own index.

Each worker learns the cluster and its own place in it from TF_CONFIG, which the launcher
writes. The launcher streams their output, and when one fails it stops the others and says in
one line which (the worker's own error is above it). Plain Python: it imports no TensorFlow.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from types import FrameType

from .launcher import started_by_me

LOOPBACK = "127.0.0.1"  # workers on one machine meet here: no network needed, none reached
GRACE_SECONDS = 5.0  # for workers to stop on a signal before they are killed
# After one worker fails, the time the others have to end on their own (they usually fail
# alike, the first of them saying why) before they are stopped.
SETTLE_SECONDS = 2.0
POLL_SECONDS = 0.1


class LaunchError(Exception):
    """A setting the launcher refuses: its message is the one line the user sees."""


@dataclass(frozen=True)
class Launch:
    """The cluster's worker addresses, the indexes of those started here, and their command."""

    workers: list[str]
    local: list[int]
    command: list[str]


def parse(argv: Sequence[str]) -> Launch:
    """The launcher's options, then the package's command (`train ...`), which it passes on."""
    options: dict[str, str] = {}
    rest = list(argv)
    while rest and rest[0] in ("--nproc", "--workers", "--index"):
        name = rest.pop(0)
        if not rest:
            raise LaunchError(f"{name} needs a value")
        options[name] = rest.pop(0)
    if not rest:
        raise LaunchError("no command to run in the workers (e.g. train)")
    if "--workers" in options or "--index" in options:
        if "--nproc" in options:
            raise LaunchError("give --nproc (one machine) or --workers and --index, not both")
        workers = worker_list(options.get("--workers", ""))
        index = worker_index(options.get("--index", ""), workers)
        return Launch(workers, [index], rest)
    count = process_count(options.get("--nproc", "1"))
    return Launch([f"{LOOPBACK}:{port}" for port in free_ports(count)], list(range(count)), rest)


def process_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise LaunchError(f"NPROC={text}: expected a whole number of at least 1")
    return int(text)


def worker_list(text: str) -> list[str]:
    """`host:port,host:port,...`: every worker of the training, in index order."""
    workers = [address.strip() for address in text.split(",") if address.strip()]
    if not workers:
        raise LaunchError(
            "WORKER_INDEX needs WORKER_HOSTS: every machine's host:port, comma-separated, "
            "the same list on each"
        )
    for address in workers:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise LaunchError(f"WORKER_HOSTS: {address!r} is not host:port (a port 1 to 65535)")
    if len(set(workers)) < len(workers):
        raise LaunchError(f"WORKER_HOSTS={text}: each worker's host:port must be its own")
    return workers


def worker_index(text: str, workers: list[str]) -> int:
    """This machine's place in the worker list: 0 is the chief, which writes the model."""
    last = len(workers) - 1
    if not text:
        listed = ",".join(workers)
        raise LaunchError(
            f"WORKER_HOSTS={listed} needs WORKER_INDEX too: this machine's place in it, 0 to {last}"
        )
    if not text.isdigit() or int(text) > last:
        place = f"this machine's place in WORKER_HOSTS, 0 to {last}"
        raise LaunchError(f"WORKER_INDEX={text}: expected {place}")
    return int(text)


def free_ports(count: int) -> list[int]:
    """`count` loopback ports free now: each asked of the system, all held until all are known,
    so that they differ. A worker binds its own a moment later."""
    with ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for each in sockets:
            each.bind((LOOPBACK, 0))
        return [int(each.getsockname()[1]) for each in sockets]


def tf_config(workers: list[str], index: int) -> str:
    """TF_CONFIG for worker `index`: the whole cluster, and its own place in it."""
    return json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})


def worker_environment(launch: Launch, index: int) -> dict[str, str]:
    """The launcher's environment, with the worker's TF_CONFIG and the launcher's id (a worker
    stops when its launcher does); workers sharing this machine share its cores, unless the
    thread counts are set already."""
    share = max(1, len(os.sched_getaffinity(0)) // len(launch.local))
    threads = {"TF_NUM_INTRAOP_THREADS": str(share), "TF_NUM_INTEROP_THREADS": str(share)}
    return {
        **(threads if len(launch.local) > 1 else {}),
        **os.environ,
        "TF_CONFIG": tf_config(launch.workers, index),
        **started_by_me(),
    }


def start(launch: Launch, program: list[str]) -> dict[int, subprocess.Popen[bytes]]:
    """`program` and the launch's command, once for each worker started here."""
    # Their own session: a Ctrl-C reaches the launcher alone, which stops them (see `run`).
    return {
        index: subprocess.Popen(
            [*program, *launch.command],
            env=worker_environment(launch, index),
            start_new_session=True,
        )
        for index in launch.local
    }


def stop(workers: dict[int, subprocess.Popen[bytes]]) -> None:
    """SIGTERM to the workers still running; SIGKILL to those left after the grace period."""
    for process in workers.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in workers.values():
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def first_failure(workers: dict[int, subprocess.Popen[bytes]]) -> tuple[int, int] | None:
    """The index and exit status of a worker that failed, if one has."""
    for index, process in workers.items():
        status = process.poll()
        if status is not None and status != 0:
            return index, status
    return None


def wait(workers: dict[int, subprocess.Popen[bytes]]) -> tuple[int, int] | None:
    """Until a worker fails (its index and exit status) or all have ended well (None)."""
    while (failed := first_failure(workers)) is None:
        if all(process.poll() is not None for process in workers.values()):
            return None
        time.sleep(POLL_SECONDS)
    return failed


def settle(workers: dict[int, subprocess.Popen[bytes]], seconds: float) -> None:
    """Until every worker has ended, or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while any(process.poll() is None for process in workers.values()):
        if time.monotonic() > deadline:
            return
        time.sleep(POLL_SECONDS)


def run(launch: Launch, program: list[str]) -> int:
    """Start the workers and wait for them: 0 when all succeed; else stop the rest, say which
    failed in one line, and return 1. Ctrl-C or SIGTERM to the launcher stops them all.

    Stopped, the workers get SIGTERM whatever stopped the launcher: it ends them at once and
    quietly, where a SIGINT would surface mid-step as an error of the step of the collective
    operation waiting for another worker.
    """
    received: list[int] = []

    def stopped(signal_number: int, _frame: FrameType | None) -> None:
        received.append(signal_number)
        raise KeyboardInterrupt

    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, stopped)
    workers: dict[int, subprocess.Popen[bytes]] = {}
    try:
        workers = start(launch, program)
        failed = wait(workers)
        if failed is None:
            return 0
        settle(workers, SETTLE_SECONDS)  # the others' own errors first, where they have one
        stop(workers)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C cannot cut the stopping
        stop(workers)
        name = signal.Signals(received[0] if received else signal.SIGINT)
        print(f"error: the distributed training was stopped by {name.name}", file=sys.stderr)
        return 128 + name.value
    index, status = failed
    how = f"exited with status {status}"
    if status < 0:  # killed: by the signal's name
        how = f"was stopped by {signal.Signals(-status).name}"
    print(f"error: the distributed training stopped: process {index} {how}", file=sys.stderr)
    return 1


def main(argv: Sequence[str]) -> int:
    try:
        launch = parse(argv)
    except LaunchError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return run(launch, [sys.executable, "-m", __package__ or ""])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
