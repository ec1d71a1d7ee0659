"""Several worker processes: the launcher's settings, TF_CONFIG and ports, how it ends its
workers, and the batches the replicas share."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import distributed, strategy
from {{ cookiecutter.package_name }}.distributed import Launch, LaunchError
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.launcher import LAUNCHER_PID
from {{ cookiecutter.package_name }}.model import Batches

from .processes import is_running

# A worker as the launcher starts it: it prints its TF_CONFIG's index, its launcher, its
# threads and its own id, then fails (the index given first, with its own error line) or
# waits (the seconds given second).
WORKER = """
import json, os, sys, time
index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
print(index, os.environ["TRAINING_LAUNCHER_PID"], os.environ.get("TF_NUM_INTRAOP_THREADS"),
      os.getpid(), flush=True)
if index == int(sys.argv[1]):
    print("error: training.epochs: expected a whole number of at least 1", file=sys.stderr)
    raise SystemExit(3)
time.sleep(float(sys.argv[2]))
"""


def test_tf_config_names_the_whole_cluster_and_the_workers_own_place() -> None:
    workers = ["127.0.0.1:2001", "127.0.0.1:2002", "127.0.0.1:2003"]
    for index in range(3):
        config = json.loads(distributed.tf_config(workers, index))
        assert config["cluster"] == {"worker": workers}
        assert config["task"] == {"type": "worker", "index": index}


def test_one_machine_gets_a_free_loopback_port_for_each_worker() -> None:
    launch = distributed.parse(["--nproc", "3", "train", "--training.epochs", "2"])
    assert launch.local == [0, 1, 2] and launch.command == ["train", "--training.epochs", "2"]
    hosts, ports = zip(*(address.split(":") for address in launch.workers), strict=True)
    assert set(hosts) == {"127.0.0.1"} and len(set(ports)) == 3
    for port in ports:  # free: a worker can bind it
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", int(port)))


def test_several_machines_start_this_machines_one_worker() -> None:
    workers = "node-0.example.com:2222,node-1.example.com:2222"
    launch = distributed.parse(["--workers", workers, "--index", "1", "train"])
    assert launch == Launch(workers.split(","), [1], ["train"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--nproc", "0", "train"], "NPROC=0: expected a whole number of at least 1"),
        (["--nproc", "two", "train"], "NPROC=two: expected a whole number of at least 1"),
        (["--nproc", "2"], "no command to run in the workers (e.g. train)"),
        (["--nproc"], "--nproc needs a value"),
        (
            ["--workers", "a:1,b:2", "train"],
            "WORKER_HOSTS=a:1,b:2 needs WORKER_INDEX too: this machine's place in it, 0 to 1",
        ),
        (["--workers", "a:1,b:2", "--index", "2", "train"], "WORKER_INDEX=2: expected this "),
        (["--workers", "a:1,b:2", "--index", "-1", "train"], "WORKER_INDEX=-1: expected this "),
        (["--index", "0", "train"], "WORKER_INDEX needs WORKER_HOSTS: every machine's host:port"),
        (["--workers", "a,b:2", "--index", "0", "train"], "WORKER_HOSTS: 'a' is not host:port"),
        (["--workers", "a:0", "--index", "0", "train"], "WORKER_HOSTS: 'a:0' is not host:port"),
        (["--workers", "a:1,a:1", "--index", "0", "train"], "must be its own"),
        (["--nproc", "2", "--workers", "a:1", "--index", "0", "train"], "not both"),
    ],
)
def test_incomplete_or_bad_settings_are_refused(argv: list[str], message: str) -> None:
    with pytest.raises(LaunchError) as refused:
        distributed.parse(argv)
    assert str(refused.value).startswith(message) or message in str(refused.value)


def test_settings_refused_print_one_error_line(capfd: pytest.CaptureFixture[str]) -> None:
    assert distributed.main(["--nproc", "0", "train"]) == 2
    assert capfd.readouterr().err == "error: NPROC=0: expected a whole number of at least 1\n"


def test_each_worker_gets_its_tf_config_the_launcher_and_a_share_of_the_cores(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    launch = distributed.parse(["--nproc", "2", "-1", "0"])  # no worker fails
    assert distributed.run(launch, [sys.executable, "-c", WORKER]) == 0
    seen = sorted(line.rsplit(" ", 1)[0] for line in capfd.readouterr().out.splitlines())
    share = str(max(1, len(os.sched_getaffinity(0)) // 2))
    assert seen == [f"0 {os.getpid()} {share}", f"1 {os.getpid()} {share}"]


def test_a_failing_worker_stops_the_others_and_is_named_in_one_line(
    capfd: pytest.CaptureFixture[str],
) -> None:
    launch = distributed.parse(["--nproc", "3", "1", "60"])  # worker 1 fails, 0 and 2 wait
    started = time.monotonic()
    assert distributed.run(launch, [sys.executable, "-c", WORKER]) == 1
    assert time.monotonic() - started < 30  # not the minute the others would wait
    printed = capfd.readouterr()
    assert not [pid for pid in worker_ids(printed.out) if is_running(pid)]  # all stopped
    errors = [line for line in printed.err.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: training.epochs: expected a whole number of at least 1",  # the worker's own
        "error: the distributed training stopped: process 1 exited with status 3",
    ]


def test_sigterm_to_the_launcher_stops_its_workers() -> None:
    launcher = (
        "import sys; from {{ cookiecutter.package_name }} import distributed; "
        "launch = distributed.parse(['--nproc', '2', '-1', '60']); "
        "raise SystemExit(distributed.run(launch, [sys.executable, '-c', sys.argv[1]]))"
    )
    with subprocess.Popen(
        [sys.executable, "-c", launcher, WORKER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as running:
        assert running.stdout is not None and running.stderr is not None
        workers = worker_ids(running.stdout.readline() + running.stdout.readline())  # started
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=30) == 128 + signal.SIGTERM
        message = running.stderr.read()
    assert message == "error: the distributed training was stopped by SIGTERM\n"
    assert not [pid for pid in workers if is_running(pid)]


def worker_ids(printed: str) -> list[int]:
    return [int(line.split()[-1]) for line in printed.splitlines()]


@pytest.mark.parametrize("text", ["no json", '{"cluster": {}}', '{"cluster": {"worker": ["a:1"]}}'])
def test_a_tf_config_that_is_not_a_cluster_is_refused(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv("TF_CONFIG", text)
    with pytest.raises(UserError, match="TF_CONFIG is not a cluster: expected JSON with"):
        strategy.cluster()
    assert strategy.is_chief()  # read leniently: the refusal comes once, from strategy()


def test_only_the_first_worker_is_the_chief(monkeypatch: pytest.MonkeyPatch) -> None:
    workers = ["127.0.0.1:2001", "127.0.0.1:2002"]
    monkeypatch.setenv("TF_CONFIG", distributed.tf_config(workers, 1))
    assert strategy.cluster() == (workers, 1) and not strategy.is_chief()
    monkeypatch.setenv("TF_CONFIG", distributed.tf_config(workers, 0))
    assert strategy.is_chief()
    monkeypatch.delenv("TF_CONFIG")
    assert strategy.cluster() == ([], 0) and strategy.is_chief()
    assert LAUNCHER_PID not in os.environ  # a plain process, which no launcher watches


@pytest.mark.parametrize("replicas", [1, 2, 3])
def test_the_replicas_take_each_batch_whole_between_them(replicas: int) -> None:
    """Every row comes once an epoch, each batch split in shares differing by a row at most,
    and the parts of a batch's rows add up to one, as one process's mean loss."""
    features, target = np.arange(200.0).reshape(100, 2), np.arange(100) % 2
    batches = Batches(features, target, size=32, seed=1)
    for _ in range(2):  # a new order each epoch
        seen: list[float] = []
        for chunk in batches.chunks(replicas):
            shares = [chunk.share(replica) for replica in range(replicas)]
            for step in range(chunk.steps):
                taken = [int((parts[step] > 0).sum()) for _, _, parts in shares]
                assert max(taken) - min(taken) <= 1 and sum(taken) <= 32
                assert sum(float(parts[step].sum()) for _, _, parts in shares) == pytest.approx(1)
                for (inputs, targets, parts), count in zip(shares, taken, strict=True):
                    seen.extend(inputs[step, :count, 0].tolist())
                    # One value a row: a class code, or a regressor's one-number column.
                    row_targets = targets[step, :count].reshape(count)
                    assert (row_targets == inputs[step, :count, 0] // 2 % 2).all()
                    assert not parts[step, count:].any()  # padding takes no part
        assert sorted(seen) == features[:, 0].tolist()
