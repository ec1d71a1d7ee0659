"""Training on several devices of one machine (`make train-distributed NPROC=2`, which sets
REPLICAS): tf.distribute.MirroredStrategy keeps a copy of the model on each GPU, or on each
of REPLICAS parts of the CPU when there is no GPU (the same code path, without a speed-up),
splits every batch between them and adds up their gradients.

Several machines (MultiWorkerMirroredStrategy) are not offered: Keras 3's `fit` fails under
it at the first step (README: Scaling out).
"""

from __future__ import annotations

import functools
import logging
import os

import tensorflow as tf

from .errors import UserError

log = logging.getLogger(__name__)
# Its notes on how it reduces ("Reduce to ... then broadcast to ...") are not for the user.
logging.getLogger("tensorflow").setLevel(logging.WARNING)


def replicas() -> int:
    """How many copies of the model train together: REPLICAS, 1 when it is not set."""
    text = os.environ.get("REPLICAS", "1")
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"REPLICAS={text}: expected a whole number of at least 1")
    return int(text)


@functools.cache  # one per process: devices are set before TensorFlow first runs
def strategy() -> tf.distribute.Strategy:
    """MirroredStrategy over REPLICAS devices; TensorFlow's default (no distribution) for one."""
    count = replicas()
    if count == 1:
        return tf.distribute.get_strategy()
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        if count > len(gpus):
            raise UserError(f"REPLICAS={count}: this machine has {len(gpus)} GPUs, one per replica")
        devices = [f"/gpu:{index}" for index in range(count)]
    else:
        parts = [tf.config.LogicalDeviceConfiguration()] * count
        tf.config.set_logical_device_configuration(tf.config.list_physical_devices("CPU")[0], parts)
        devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    log.info("Training %d replicas with MirroredStrategy on %s", count, ", ".join(devices))
    return tf.distribute.MirroredStrategy(devices)
