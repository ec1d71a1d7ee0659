"""TensorFlow (Keras) networks: the hidden layers of layers.py, the outputs and loss of outputs.py.

They train on the output of features.py (scaled numbers, one-hot categories) or on images
scaled by images.py. The rest of the package only calls what contracts.py's `Framework`
lists, which is all that differs between frameworks; the training rules (hyper-parameters,
validation rows, early stopping, progress lines) are shared with the other frameworks in
network_training.py.

Saved as a `.keras` file, Keras' portable format: the regressor's target scale is a layer
of the model, so the file alone rebuilds the model, with no code from this project.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import MODEL, USE_GPU
from .errors import UserError
from .network_training import EarlyStopping, NetworkParams, hold_out, network_params
from .params import Param
from .reports import FitReport

# Before TensorFlow loads: keep its C++ log off the terminal (start-up notices, and a
# harmless "NodeDef mentions attribute use_unbounded_threadpool" line per fit; real errors
# still raise), and use the same kernels on every CPU, so that a seed gives the same model.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
import keras
import tensorflow as tf

from .distributed import strategy
from .layers import hidden_layers
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
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry holds: the same for every save


@dataclass
class Network:
    """The hyper-parameters and seed to train with; after `fit` (or `load_model`), the model."""

    params: NetworkParams
    seed: int
    model: keras.Model | None = None


def build_model(given: dict[str, str], seed: int) -> Network:
    """The network's settings, checked before any data is read; `fit` builds it for the data.

    Keras' naming state starts afresh, so that every training in a process names its layers
    alike (`dense`, not `dense_1`) and the same seed saves the same bytes. The devices to
    train on are chosen first, before TensorFlow runs anything (see distributed.py).
    """
    strategy()
    keras.utils.clear_session(free_memory=False)
    return Network(network_params(given), seed)


def params(model: Network) -> dict[str, Param]:
    """The hyper-parameters as set for training (for metrics.json)."""
    return model.params.as_dict()


def build_network(
    shape: tuple[int, ...], config: dict[str, Any], params: NetworkParams
) -> keras.Model:
    # float32 outputs even under mixed precision, so the loss is computed at full precision.
    output = keras.layers.Dense(config["outputs"], dtype="float32")
    layers = [keras.Input(shape=shape), *hidden_layers(params.layers), output, *head_layers(config)]
    return keras.Sequential(layers, name=MODEL)


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


class Progress(keras.callbacks.Callback):  # type: ignore[misc]  # Keras ships no types
    """Hands each epoch's losses to the shared early stopping; keeps the best weights."""

    def __init__(self, stopping: EarlyStopping) -> None:
        super().__init__()
        self.stopping = stopping
        self.best_weights: list[Any] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        if self.stopping.update(float(logs["loss"]), float(logs["val_loss"])):
            self.best_weights = self.model.get_weights()
        if self.stopping.should_stop:
            self.model.stop_training = True


def is_chief() -> bool:
    """Always: the replicas of a distributed training share this one process."""
    return True


def fit(model: Network, features: Any, target: np.ndarray) -> FitReport:
    """Train with AdamW on mini-batches, keeping the epoch with the lowest validation loss.

    `target` holds class codes 0..K-1 for a classifier (see task.py), numbers for a
    regressor, which learns them standardized (the last layer restores their scale).
    With several replicas (see distributed.py) each batch is split between them; the model
    kept is then a copy of the best weights made outside the strategy, as one replica makes.
    """
    params = model.params
    keras.utils.set_random_seed(model.seed)  # Python, NumPy and TensorFlow
    tf.config.experimental.enable_op_determinism()
    device = pick_device()
    # Mixed precision on the GPU only; the CPU trains in float32.
    keras.mixed_precision.set_global_policy("mixed_float16" if device == "cuda" else "float32")

    split = hold_out(features, target, params.validation_fraction, model.seed)
    shape, config = tuple(features.shape[1:]), target_config(target)
    with strategy().scope():
        network = build_network(shape, config, params)
        network.compile(
            optimizer=keras.optimizers.AdamW(
                learning_rate=params.learning_rate, weight_decay=params.weight_decay
            ),
            loss=loss_function(),
        )
    stopping = EarlyStopping(params)
    progress = Progress(stopping)
    replicas = strategy().num_replicas_in_sync
    if len(split.target) < replicas:
        rows = len(split.target)
        raise UserError(f"{rows} validation rows cannot be shared by REPLICAS={replicas} replicas")
    network.fit(
        batches(split.train_features, split.train_target, params.batch_size, model.seed, replicas),
        validation_data=batches(
            split.features, split.target, scoring_rows(split.features), replicas=replicas
        ),
        epochs=params.epochs,
        shuffle=False,  # the training batches shuffle themselves, seeded
        callbacks=[progress],
        verbose=0,
    )
    if replicas > 1:  # scoring and saving need no replicas
        keras.utils.clear_session(free_memory=False)  # the copy's layers named as one replica's
        network = build_network(shape, config, params)
    network.set_weights(progress.best_weights)
    model.model = network
    return stopping.report(device)


def batches(
    features: Any, target: np.ndarray, size: int, seed: int | None = None, replicas: int = 1
) -> tf.data.Dataset:
    """Rows in batches of `size`, read as they are asked for (images may be on disk, see
    images.py); with a seed, in a new seeded order each epoch.

    The first batch holds a multiple of `replicas` rows: Keras 3 builds a distributed model
    from the mean of the replicas' shares of the first batch, which must all be of one shape.
    """
    order = np.random.default_rng(seed)
    targets = as_targets(target)
    first = max(replicas, min(size, len(targets)) // replicas * replicas)
    bounds = [0, *range(first, len(targets), size), len(targets)]

    def generate() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rows = order.permutation(len(targets)) if seed is not None else np.arange(len(targets))
        for start, end in itertools.pairwise(bounds):
            chosen = rows[start:end]
            yield as_inputs(features[chosen]), targets[chosen]

    signature = (
        tf.TensorSpec((None, *features.shape[1:]), tf.float32),
        tf.TensorSpec((None, *targets.shape[1:]), tf.as_dtype(targets.dtype)),
    )
    rows = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # The batches per epoch, which Keras cannot count itself.
    return rows.apply(tf.data.experimental.assert_cardinality(len(bounds) - 1))


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
    into metadata.json and the clock into the weights' zip entry. The same weights then give
    the same bytes, and so the same content-named file (see artifact.py)."""
    with zipfile.ZipFile(path) as archive:
        entries = [(entry, archive.read(entry)) for entry in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for entry, data in entries:
            if entry.filename == "metadata.json":
                metadata = json.loads(data)
                metadata.pop("date_saved", None)
                data = json.dumps(metadata).encode()
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_EPOCH)
            fixed.compress_type, fixed.external_attr = entry.compress_type, entry.external_attr
            archive.writestr(fixed, data)


def load_model(path: Path) -> Network:
    return Network(NetworkParams(), seed=0, model=keras.saving.load_model(path, compile=False))
