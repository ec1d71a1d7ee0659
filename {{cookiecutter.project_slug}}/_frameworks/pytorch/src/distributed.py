"""Training in several processes under torchrun (`make train-distributed NPROC=2`): the model
wrapped in DistributedDataParallel, the rows of each epoch dealt out by a DistributedSampler,
the gradients averaged over NCCL between GPUs or gloo between CPU processes.

torchrun sets WORLD_SIZE, RANK and LOCAL_RANK in each process's environment; without them
(`make train`) there is one process, and the same code trains in it alone. `python -m
<package>.distributed ARGS` is torchrun with ARGS, whose failure is one line, not a traceback,
and whose processes stop when it is killed (launcher.py).
"""

from __future__ import annotations

import logging
import math
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.elastic.multiprocessing.api import SignalException
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
from torch.distributed.run import parse_args
from torch.distributed.run import run as torchrun
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler, TensorDataset

from .errors import UserError
from .launcher import exit_if_launcher_is_gone, started_by_me

log = logging.getLogger(__name__)


def world_size() -> int:
    """How many processes train together."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def is_chief() -> bool:
    """Whether this process writes the model and reports: of several, only the first does."""
    return rank() == 0


def local_device(device: torch.device) -> torch.device:
    """This process's own GPU (one per process on a machine), or the CPU."""
    if device.type == "cuda":
        index = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(index)
        return torch.device("cuda", index)
    return device


def join(device: torch.device) -> None:
    """Join the other processes, when there are others: NCCL between GPUs, gloo on the CPU."""
    if world_size() > 1 and not dist.is_initialized():
        backend = "nccl" if device.type == "cuda" else "gloo"
        dist.init_process_group(backend)
        processes = world_size()
        log.info("Training in %d processes with DistributedDataParallel (%s)", processes, backend)


@contextmanager
def one_line_failures() -> Iterator[None]:
    """Of several processes, one that fails says so in one line (its message, not a traceback):
    often it only lost touch with another that stopped first, whose own error is above."""
    try:
        yield
    except (UserError, KeyboardInterrupt):
        raise
    except Exception as error:
        if world_size() == 1:
            raise  # one process: a traceback, which shows where the fault is
        exit_if_launcher_is_gone()
        message = first_sentence(str(error))
        reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
        raise UserError(f"process {rank()} of {world_size()} stopped: {reason}") from None


def first_sentence(message: str) -> str:
    """An error's first sentence, without the source location gloo puts before it."""
    lines = message.strip().splitlines()
    text = re.sub(r"^\[[^\]]*\]\s*", "", lines[0] if lines else "")
    return text.split(". ", 1)[0].rstrip(".")


def leave() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def wrap(module: nn.Module, device: torch.device) -> nn.Module:
    """The module whose backward pass averages the gradients over all processes."""
    if world_size() == 1:
        return module
    on_gpu = device.type == "cuda"
    return DistributedDataParallel(module, device_ids=[device.index] if on_gpu else None)


def epoch_batches(rows: int, batch_size: int, seed: int, epoch: int) -> Iterator[torch.Tensor]:
    """This process's share of each batch of an epoch's seeded shuffle of `rows`.

    With P processes each takes batch_size / P rows of every batch (rounded up), so that
    together they take the rows one process would take alone, and their averaged gradients
    are its gradient. The sampler repeats a few rows when `rows` is not a multiple of P, so
    that every process makes the same number of steps.
    """
    indices = TensorDataset(torch.arange(rows))  # the sampler needs only its length
    sampler: DistributedSampler[int] = DistributedSampler(
        indices, num_replicas=world_size(), rank=rank(), shuffle=True, seed=seed
    )
    sampler.set_epoch(epoch)
    share = math.ceil(batch_size / world_size())
    yield from torch.split(torch.tensor(list(sampler), dtype=torch.long), share)


def mean_over_processes(value: float, weight: float, device: torch.device) -> float:
    """The weighted mean of `value` over all processes (the value itself in one process), so
    that every process sees the same losses and stops at the same epoch."""
    if world_size() == 1:
        return value
    totals = torch.tensor([value * weight, weight], dtype=torch.float64, device=device)
    dist.all_reduce(totals)  # NCCL reduces tensors on the GPU, gloo on the CPU
    return float(totals[0] / totals[1])


def check_training_settings(argv: Sequence[str]) -> None:
    """config.yaml with the command's overrides, checked once here before any process starts:
    a bad setting is one line, not a race between the processes that would each find it."""
    if "train" not in argv:
        return
    from .cli import build_parser  # here: the package's CLI imports this module's callers
    from .config import Settings
    from .train import run_config

    _, overrides = build_parser().parse_known_args(list(argv[list(argv).index("train") :]))
    run_config(Settings(overrides=tuple(overrides)))


def launch(argv: Sequence[str]) -> int:
    """torchrun with `argv`; when a process fails (its error is above), one line says which.

    torchrun's own log (the failure's report, and its note that each process gets one math
    thread, OMP_NUM_THREADS=1, unless that is set) stays off the terminal.
    """
    for name in list(logging.root.manager.loggerDict):  # each sets its own level
        if name.startswith(("torch.distributed.run", "torch.distributed.elastic")):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        check_training_settings(argv)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    os.environ.update(started_by_me())  # the processes it starts stop if it is killed
    try:
        torchrun(parse_args(list(argv)))  # type: ignore[no-untyped-call]  # torch leaves them bare
    except SignalException as stopped:  # Ctrl-C, or SIGTERM from `docker stop`: it stopped them
        name = signal.Signals(stopped.sigval).name
        print(f"error: the distributed training was stopped by {name}", file=sys.stderr)
        return 128 + stopped.sigval
    except ChildFailedError as failed:
        rank, failure = failed.get_first_failure()
        code = failure.exitcode
        how = f"exited with status {code}"
        if code < 0:  # killed: by the signal's name
            how = f"was stopped by {signal.Signals(-code).name}"
        print(f"error: the distributed training stopped: process {rank} {how}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(launch(sys.argv[1:]))
