"""Which tf.distribute strategy this process trains under, and whether it writes the model.

- A worker of `make train-distributed` (distributed.py starts it, with a TF_CONFIG that lists
  two or more workers): MultiWorkerMirroredStrategy. Each worker keeps a copy of the model
  (on each of its GPUs, else on its CPU), takes its share of every batch, and the workers
  add up their gradients over the network (loopback on one machine).
- A single worker that sees several GPUs (`make train-distributed NPROC=1` on a GPU machine):
  MirroredStrategy over all of them, TensorFlow's one-machine path.
- `make train`: TensorFlow's default strategy, one device.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import tensorflow as tf

from .errors import UserError
from .launcher import exit_if_launcher_is_gone

log = logging.getLogger(__name__)
# Its notes on how it reduces ("Collective all_reduce ...") are not for the user.
logging.getLogger("tensorflow").setLevel(logging.WARNING)
# Gradients sent as one message per step, not one per variable: fewer round trips.
PACK_BYTES = 32 * 2**20


def cluster() -> tuple[list[str], int]:
    """The workers TF_CONFIG lists and this process's index among them: ([], 0) without it."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        return [], 0
    try:
        config: dict[str, Any] = json.loads(text)
        workers = [str(address) for address in config["cluster"]["worker"]]
        index = int(config["task"]["index"])
    except (ValueError, TypeError, KeyError):
        raise UserError(
            "TF_CONFIG is not a cluster: expected JSON with cluster.worker (a list of "
            "host:port) and task.index (see distributed.py, which writes it)"
        ) from None
    if not 0 <= index < max(len(workers), 1):
        raise UserError(f"TF_CONFIG: task.index {index} is not one of its {len(workers)} workers")
    return workers, index


def is_chief() -> bool:
    """Whether this process writes the model and reports: of several workers, only the
    first; read leniently (a bad TF_CONFIG is refused, once, by `strategy`)."""
    try:
        return cluster()[1] == 0
    except UserError:
        return True


@functools.cache  # one per process, made before TensorFlow first runs
def strategy() -> tf.distribute.Strategy:
    """The strategy of this process (see the module's docstring)."""
    workers, index = cluster()
    gpus = tf.config.list_physical_devices("GPU")
    if len(workers) > 1:
        on_loopback = all(address.startswith(("127.", "localhost:")) for address in workers)
        if gpus and on_loopback:
            raise UserError(
                f"NPROC={len(workers)} on a machine with {len(gpus)} GPUs: use NPROC=1, "
                "whose one process trains on all of them (MirroredStrategy)"
            )
        options = tf.distribute.experimental.CommunicationOptions(bytes_per_pack=PACK_BYTES)
        chosen: tf.distribute.Strategy = tf.distribute.MultiWorkerMirroredStrategy(
            communication_options=options
        )
        log.info(
            "Training in %d processes with MultiWorkerMirroredStrategy (worker %d of %s)",
            len(workers),
            index,
            ", ".join(workers),
        )
        return chosen
    if len(gpus) > 1 and workers:
        log.info("Training on %d GPUs with MirroredStrategy", len(gpus))
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


@contextmanager
def one_line_failures() -> Iterator[None]:
    """Of several workers, one whose training fails says so in one line, not a traceback:
    often it only lost touch with another that stopped first, whose own error is above; and
    one whose launcher was killed exits at once, quietly (launcher.py)."""
    try:
        yield
    except (UserError, KeyboardInterrupt):
        raise
    except Exception as error:
        workers, index = cluster()
        if len(workers) < 2:
            raise  # one process: a traceback, which shows where the fault is
        exit_if_launcher_is_gone()
        lines = str(error).strip().splitlines()
        reason = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
        raise UserError(f"process {index} of {len(workers)} stopped: {reason}") from None
