"""TensorFlow (Keras) networks: the network class config.yaml names (by default, layers.py's),
with the outputs and loss of outputs.py.

They train on the output of features.py (scaled numbers, one-hot categories) or on images
scaled by images.py. The rest of the package only calls what contracts.py's `Framework`
lists, which is all that differs between frameworks; the training rules (hyper-parameters,
validation rows, early stopping, progress lines) are shared with the other frameworks in
network_training.py.

Saved as a `.keras` file, Keras' portable format: the regressor's target scale is a layer
of the model, and the network's class is rebuilt from its import path and `get_config`.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import USE_GPU
from .configuration import ModelChoice, model_class
from .errors import UserError
from .network_training import EarlyStopping, NetworkTraining, hold_out
from .reports import FitReport

# Before TensorFlow loads: keep its C++ log off the terminal (start-up notices, and a
# harmless "NodeDef mentions attribute use_unbounded_threadpool" line per fit; real errors
# still raise), and use the same kernels on every CPU, so that a seed gives the same model.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import keras
import tensorflow as tf

from . import strategy as strategies
from .launcher import stop_with_launcher
from .outputs import (
    as_targets,
    head_layers,
    loss_function,
    predictions,
    probabilities,
    target_config,
)

log = logging.getLogger(__name__)

MODEL_FILE = "model.keras"
VERSION = f"tensorflow {tf.__version__} (keras {keras.__version__})"
# Rows per forward pass when scoring: bounds memory on large inputs. Fewer for images, whose
# activations take about 100 times their own size in a CNN: 2 MB of 64x64 colour images is
# 42 of them, and some 150 MB of activations.
SCORING_ROWS, SCORING_BYTES = 4096, 2 * 2**20
# The inputs one call of the training loop takes: as many steps' batches as fit in it.
CHUNK_BYTES = 16 * 2**20
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry holds: the same for every save
SHARED_OBJECT_ID = re.compile(r'"shared_object_id": (\d+)')


# What config.yaml's model may be: any Keras layer (a model is one), built with its init_args
# and these, by keyword.
MODEL_BASE = keras.layers.Layer
TRAINING = NetworkTraining
DECIDED_BY_DATA = frozenset({"input_shape", "num_outputs"})


@dataclass
class Network:
    """The network class and how to train it; after `fit` (or `load_model`), the model."""

    choice: ModelChoice
    training: NetworkTraining
    model: keras.Model | None = None


def build_model(choice: ModelChoice, training: NetworkTraining) -> Network:
    """The network's settings (checked by config.yaml's reader); `fit` builds it for the data.

    Keras' naming state starts afresh, so that every training in a process names its layers
    alike (`dense`, not `dense_1`) and the same seed saves the same bytes. The strategy to
    train under is chosen before TensorFlow runs anything (see strategy.py). A worker of a
    distributed training stops from here on if its launcher is killed (launcher.py).
    """
    stop_with_launcher()
    model_class(choice.class_path)  # a class that cannot be imported fails before any data is read
    strategies.strategy()
    keras.utils.clear_session(free_memory=False)
    return Network(choice, training)


def wants_scaled_inputs(_model: Network) -> bool:
    """Always: a network learns best from standardized inputs."""
    return True


def params(model: Network) -> dict[str, Any]:
    """The network's arguments as set in config.yaml (for metrics.json)."""
    return dict(model.choice.init_args)


def build_network(
    shape: tuple[int, ...], config: dict[str, Any], choice: ModelChoice
) -> keras.Model:
    """The network config.yaml names, with its arguments and the data's shape and outputs."""
    try:
        network = model_class(choice.class_path)(
            input_shape=shape, num_outputs=config["outputs"], **choice.init_args
        )
    except (TypeError, ValueError) as exc:
        raise UserError(
            f"the network {choice.name} cannot be built from config.yaml: {exc}"
        ) from None
    # float32 outputs even under mixed precision, so the loss is computed at full precision.
    as_float32 = keras.layers.Activation("linear", dtype="float32")
    layers = [keras.Input(shape=shape), network, as_float32, *head_layers(config)]
    return keras.Sequential(layers, name="network")


def pick_device() -> str:
    """The GPU when there is one; else the CPU, with a warning if the project expects a GPU."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        log.info("Training on the GPU: %s", gpus[0].name)
        return "cuda"  # as PyTorch names it, so metrics.json reads the same in both frameworks
    if USE_GPU:
        log.warning(
            "warning: no CUDA GPU is visible (see the README's GPU section): training on the CPU"
        )
    return "cpu"


def is_chief() -> bool:
    """Whether this process writes the model and reports (see strategy.py)."""
    return strategies.is_chief()


def fit(model: Network, features: Any, target: np.ndarray) -> FitReport:
    """Train with AdamW on mini-batches, keeping the epoch with the lowest validation loss.

    `target` holds class codes 0..K-1 for a classifier (see task.py), numbers for a
    regressor, which learns them standardized (the last layer restores their scale).
    One training loop for one process and for several (strategy.py): each replica takes its
    share of every batch, and the losses are summed over all of them, so every worker sees
    the same losses and stops at the same epoch. The model kept is a copy of the best
    weights made outside the strategy, as one process makes it.
    """
    training = model.training
    keras.utils.set_random_seed(training.seed)  # Python, NumPy and TensorFlow
    tf.config.experimental.enable_op_determinism()
    device = pick_device()
    # Mixed precision on the GPU only; the CPU trains in float32.
    keras.mixed_precision.set_global_policy("mixed_float16" if device == "cuda" else "float32")

    split = hold_out(features, target, training.validation_fraction, training.seed)
    shape, config = tuple(features.shape[1:]), target_config(target)
    distribution = strategies.strategy()
    with distribution.scope():
        network = build_network(shape, config, model.choice)
        loop = TrainingLoop(network, training, distribution, mixed=device == "cuda")
    batches = Batches(split.train_features, split.train_target, training.batch_size, training.seed)
    validation = Batches(split.features, split.target, scoring_rows(split.features))
    stopping = EarlyStopping(training, model.choice.name)
    best_weights = network.get_weights()
    with strategies.one_line_failures():
        while not stopping.should_stop and stopping.epoch < training.epochs:
            train_loss = loop.train_epoch(batches)
            if stopping.update(train_loss, loop.validation_loss(validation)):
                best_weights = network.get_weights()
    keras.utils.clear_session(free_memory=False)  # the copy's layers named as one process's
    model.model = build_network(shape, config, model.choice)
    model.model.set_weights(best_weights)
    return stopping.report(device)


class TrainingLoop:
    """TensorFlow's custom training loop under a tf.distribute strategy: a GradientTape in
    each replica (`strategy.run`), many steps in one `tf.function` call, and the sums of the
    losses kept per replica and added up across them once an epoch.

    Keras' own `fit` is not used: under MultiWorkerMirroredStrategy it fails at the first
    step in Keras 3 (keras-team/keras#20585). The batches are handed to each call as arrays
    of several steps (`Batches.chunks`), not through a distributed tf.data iterator, whose
    overhead per step was larger than a small model's step.
    """

    def __init__(
        self, network: keras.Model, training: NetworkTraining, distribution: Any, mixed: bool
    ) -> None:
        """Made in the strategy's scope, so that its variables are mirrored like the model's."""
        self.network, self.distribution = network, distribution
        optimizer = keras.optimizers.AdamW(
            learning_rate=training.learning_rate, weight_decay=training.weight_decay
        )
        # In float16, the loss is scaled up so that small gradients do not vanish.
        self.optimizer = keras.optimizers.LossScaleOptimizer(optimizer) if mixed else optimizer
        self.optimizer.build(network.trainable_variables)
        loss = loss_function()
        self.row_losses = type(loss).from_config({**loss.get_config(), "reduction": None})
        # The loss summed over the rows a replica took this epoch, and their count: read in
        # the strategy's cross-replica context, the sums of all replicas.
        self.totals = tf.Variable(
            tf.zeros(2),
            trainable=False,
            synchronization=tf.VariableSynchronization.ON_READ,
            aggregation=tf.VariableAggregation.SUM,
        )
        self.train_steps = tf.function(self.run_train_steps, reduce_retracing=True)
        self.validation_steps = tf.function(self.run_validation_steps, reduce_retracing=True)

    def train_epoch(self, batches: Batches) -> float:
        """One pass over the training batches; the mean loss of their rows."""
        return self.epoch(batches, self.train_steps)

    def validation_loss(self, batches: Batches) -> float:
        return self.epoch(batches, self.validation_steps)

    def epoch(self, batches: Batches, steps: Any) -> float:
        self.totals.assign(tf.zeros(2))
        replicas = self.distribution.num_replicas_in_sync
        for chunk in batches.chunks(replicas):
            # This worker's replicas' shares of the chunk, each on its replica's device.
            shares = self.distribution.experimental_distribute_values_from_function(
                lambda context, chunk=chunk: chunk.share(context.replica_id_in_sync_group)
            )
            steps(shares, tf.constant(chunk.steps))
        total, rows = self.totals.numpy()  # every replica's sums added up
        return float(total / rows)

    def run_train_steps(self, shares: Any, steps: tf.Tensor) -> None:
        for step in tf.range(steps):
            self.distribution.run(self.train_step, args=(shares, step))

    def run_validation_steps(self, shares: Any, steps: tf.Tensor) -> None:
        for step in tf.range(steps):
            self.distribution.run(self.validation_step, args=(shares, step))

    def train_step(self, shares: tuple[tf.Tensor, ...], step: tf.Tensor) -> None:
        """This replica's gradient of the batch's mean loss: its rows' losses, each times its
        part of the batch; the optimizer adds up the replicas' gradients."""
        inputs, targets, parts = (values[step] for values in shares)
        variables = self.network.trainable_variables
        with tf.GradientTape() as tape:
            losses = self.row_losses(targets, self.network(inputs, training=True))
            loss = self.optimizer.scale_loss(tf.reduce_sum(losses * parts))
        gradients = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(gradients, variables, strict=True))
        self.add_up(losses, parts)

    def validation_step(self, shares: tuple[tf.Tensor, ...], step: tf.Tensor) -> None:
        inputs, targets, parts = (values[step] for values in shares)
        self.add_up(self.row_losses(targets, self.network(inputs, training=False)), parts)

    def add_up(self, losses: tf.Tensor, parts: tf.Tensor) -> None:
        """Add the losses of the rows taken (padding rows have no part) and their count."""
        taken = tf.cast(parts > 0, tf.float32)
        total = tf.reduce_sum(tf.cast(losses, tf.float32) * taken)
        self.totals.assign_add(tf.stack([total, tf.reduce_sum(taken)]))


@dataclass
class Batches:
    """Rows in batches of `size`, read as they are asked for (images may be on disk, see
    images.py); with a seed, in a new seeded order each epoch (the same on every worker).

    Each batch is split into one share per replica (their sizes differ by a row at most),
    so that the replicas together take the batch one process takes alone.
    """

    features: Any
    target: np.ndarray
    size: int
    seed: int | None = None

    def __post_init__(self) -> None:
        self.order = np.random.default_rng(self.seed)
        self.targets = as_targets(self.target)

    def chunks(self, replicas: int) -> Iterator[Chunk]:
        """An epoch's batches, a few steps at a time (as many as CHUNK_BYTES of inputs hold)."""
        count = len(self.targets)
        rows = self.order.permutation(count) if self.seed is not None else np.arange(count)
        bounds = [0, *range(self.size, count, self.size), count]
        batches = [rows[start:end] for start, end in itertools.pairwise(bounds)]
        width = -(-min(self.size, count) // replicas)  # the most rows of a batch per replica
        step_bytes = 4 * int(np.prod(self.features.shape[1:])) * width * replicas
        steps = max(1, CHUNK_BYTES // step_bytes)
        for start in range(0, len(batches), steps):
            yield Chunk(self, batches[start : start + steps], replicas, width)

    def rows(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return as_inputs(self.features[chosen]), self.targets[chosen]


@dataclass
class Chunk:
    """A few steps' batches; `share` makes one replica's part of them."""

    batches: Batches
    rows: list[np.ndarray]  # each batch's rows
    replicas: int
    width: int

    @property
    def steps(self) -> int:
        return len(self.rows)

    def share(self, replica: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrays of (steps, width, ...): the replica's inputs and targets of each batch,
        and each row's part of its batch's mean loss, 1 / the batch's rows (0: padding, for
        a batch of fewer rows)."""
        data = self.batches
        features = data.features
        inputs = np.zeros((self.steps, self.width, *features.shape[1:]), dtype=np.float32)
        targets = np.zeros((self.steps, self.width, *data.targets.shape[1:]), data.targets.dtype)
        parts = np.zeros((self.steps, self.width), dtype=np.float32)
        for step, rows in enumerate(self.rows):
            chosen = np.array_split(rows, self.replicas)[replica]
            taken = len(chosen)
            inputs[step, :taken], targets[step, :taken] = data.rows(chosen)
            parts[step, :taken] = 1 / len(rows)
        return inputs, targets, parts


def as_inputs(features: Any) -> np.ndarray:
    return np.ascontiguousarray(features, dtype=np.float32)


def scoring_rows(features: Any) -> int:
    row_bytes = 4 * int(np.prod(features.shape[1:]))
    return max(1, min(SCORING_ROWS, SCORING_BYTES // row_bytes))


def outputs(model: Network, features: Any) -> np.ndarray:
    """The network's outputs for every row, a batch at a time."""
    if model.model is None:
        raise RuntimeError("the model has not been trained")
    size = scoring_rows(features)
    starts = range(0, max(len(features), 1), size)  # no rows: one empty batch
    predict = model.model.predict_on_batch  # the compiled function: the same bits at any size
    parts = [predict(as_inputs(features[start : start + size])) for start in starts]
    return np.concatenate(parts).astype(np.float64)


def predict(model: Network, features: Any) -> np.ndarray:
    """Class codes for a classifier, numbers (in the target's own scale) for a regressor."""
    return predictions(outputs(model, features))


def predict_proba(model: Network, features: Any) -> np.ndarray | None:
    """Class probabilities (one column per class code), or None for a regressor."""
    return probabilities(outputs(model, features))


def save_model(model: Network, path: Path) -> None:
    if model.model is None:
        raise RuntimeError("the model has not been trained")
    model.model.save(path)
    without_save_time(path)


def without_save_time(path: Path) -> None:
    """Rewrite a `.keras` file (a zip) without the time it was saved: Keras writes the date
    into metadata.json, the clock into the weights' zip entry, and the memory addresses of
    objects layers share (their dtype policy) into config.json, numbered here in order. The
    same weights then give the same bytes, and so the same content-named file (artifact.py)."""
    with zipfile.ZipFile(path) as archive:
        entries = [(entry, archive.read(entry)) for entry in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for entry, data in entries:
            if entry.filename == "metadata.json":
                metadata = json.loads(data)
                metadata.pop("date_saved", None)
                data = json.dumps(metadata).encode()
            elif entry.filename == "config.json":
                data = SHARED_OBJECT_ID.sub(numbered_in_order(), data.decode()).encode()
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_EPOCH)
            fixed.compress_type, fixed.external_attr = entry.compress_type, entry.external_attr
            archive.writestr(fixed, data)


def numbered_in_order() -> Callable[[re.Match[str]], str]:
    """A substitution that numbers the shared object ids it meets: 1, 2, ... (the same id, the
    same number)."""
    numbers: dict[str, int] = {}

    def number(found: re.Match[str]) -> str:
        return f'"shared_object_id": {numbers.setdefault(found[1], len(numbers) + 1)}'

    return number


def network_classes(path: Path) -> dict[str, Any]:
    """The classes a saved `.keras` file names outside Keras (config.yaml's network), imported:
    Keras finds its own, and these by their names."""
    with zipfile.ZipFile(path) as archive:
        saved = json.loads(archive.read("config.json"))
    found: dict[str, Any] = {}
    nodes = [saved]
    while nodes:
        node = nodes.pop()
        if isinstance(node, dict):
            module, name = node.get("module"), node.get("class_name")
            if (
                isinstance(module, str)
                and isinstance(name, str)
                and module.split(".")[0] != "keras"
            ):
                found[name] = model_class(f"{module}.{name}")
            nodes.extend(node.values())
        elif isinstance(node, list):
            nodes.extend(node)
    return found


def load_model(path: Path) -> Network:
    """The saved network; one clear error when this code cannot rebuild it."""
    try:
        network = keras.saving.load_model(path, compile=False, custom_objects=network_classes(path))
    except (TypeError, ValueError) as exc:  # a network of other code (a damaged file raises)
        reason = str(exc).splitlines()[0]
        raise UserError(
            f"{path} holds a network this code cannot rebuild ({reason}); "
            "train it again with make train"
        ) from None
    inner = network.layers[0]
    class_path = f"{type(inner).__module__}.{type(inner).__qualname__}"
    choice = ModelChoice(class_path, {})
    return Network(choice, NetworkTraining(), model=network)
