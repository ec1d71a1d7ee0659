"""TensorFlow (Keras) models: logistic and linear regression as one dense layer, and a small CNN.

They train on the output of features.py (scaled numbers, one-hot categories) or on images
scaled by images.py. The rest of the package only calls the functions below, which is all
that differs between frameworks; the training rules (hyper-parameters, validation rows,
early stopping, progress lines) are shared with the other frameworks in network_training.py.

Saved as a `.keras` file, Keras' portable format: the regressor's target scale is a layer
of the model, so the file alone rebuilds the model, with no code from this project.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import MODEL, TASK, USE_GPU
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

log = logging.getLogger(__name__)

MODEL_FILE = "model.keras"
VERSION = f"tensorflow {tf.__version__} (keras {keras.__version__})"
SCORING_ROWS = 4096  # rows per forward pass when scoring: bounds memory on large inputs


@dataclass
class Network:
    """The hyper-parameters and seed to train with; after `fit` (or `load_model`), the model."""

    params: NetworkParams
    seed: int
    model: keras.Model | None = None


def build_model(given: dict[str, str], seed: int) -> Network:
    """The network's settings, checked before any data is read; `fit` builds it for the data."""
    return Network(network_params(given), seed)


def params(model: Network) -> dict[str, Param]:
    """The hyper-parameters as set for training (for metrics.json)."""
    return model.params.as_dict()


def build_network(
    shape: tuple[int, ...], outputs: int, params: NetworkParams, scale: tuple[float, float]
) -> keras.Model:
    layers: list[Any] = [keras.Input(shape=shape)]
    if MODEL == "cnn":
        layers += [
            keras.layers.Conv2D(params.filters, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(2 * params.filters, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Dropout(params.dropout),
            keras.layers.Flatten(),
        ]
    # float32 outputs even under mixed precision, so the loss is computed at full precision.
    layers.append(keras.layers.Dense(outputs, dtype="float32"))
    if TASK == "regression":  # learns the standardized target; this layer restores its scale
        layers.append(keras.layers.Rescaling(scale[1], offset=scale[0], dtype="float32"))
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


def fit(model: Network, features: np.ndarray, target: np.ndarray) -> FitReport:
    """Train with AdamW on mini-batches, keeping the epoch with the lowest validation loss.

    `target` holds class codes 0..K-1 for a classifier (see labels.py), numbers for a
    regressor, which learns them standardized (the last layer restores their scale).
    """
    params = model.params
    keras.utils.set_random_seed(model.seed)  # Python, NumPy and TensorFlow
    tf.config.experimental.enable_op_determinism()
    device = pick_device()
    # Mixed precision on the GPU only; the CPU trains in float32.
    keras.mixed_precision.set_global_policy("mixed_float16" if device == "cuda" else "float32")

    split = hold_out(features, target, params.validation_fraction, model.seed)
    if TASK == "classification":
        outputs, scale = int(target.max()) + 1, (0.0, 1.0)
        loss: Any = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    else:
        std = float(target.std())
        outputs, scale = 1, (float(target.mean()), std if std > 0 else 1.0)
        loss = keras.losses.MeanSquaredError()
    network = build_network(tuple(features.shape[1:]), outputs, params, scale)
    network.compile(
        optimizer=keras.optimizers.AdamW(
            learning_rate=params.learning_rate, weight_decay=params.weight_decay
        ),
        loss=loss,
    )
    stopping = EarlyStopping(params)
    progress = Progress(stopping)
    network.fit(
        batches(split.train_features, split.train_target, params.batch_size, model.seed),
        validation_data=batches(split.features, split.target, SCORING_ROWS),
        epochs=params.epochs,
        shuffle=False,  # the training batches shuffle themselves, seeded
        callbacks=[progress],
        verbose=0,
    )
    network.set_weights(progress.best_weights)
    model.model = network
    return stopping.report(device)


def batches(
    features: np.ndarray, target: np.ndarray, size: int, seed: int | None = None
) -> tf.data.Dataset:
    """Rows as a dataset built once (about 3x faster per epoch than arrays handed to `fit`);
    with a seed, in a new seeded order each epoch."""
    rows = tf.data.Dataset.from_tensor_slices((as_inputs(features), as_targets(target))).cache()
    if seed is not None:
        rows = rows.shuffle(len(features), seed=seed, reshuffle_each_iteration=True)
    return rows.batch(size)


def as_inputs(features: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(features, dtype=np.float32)


def as_targets(target: np.ndarray) -> np.ndarray:
    """Codes for a classifier; for a regressor one column of numbers in the target's scale,
    which the last layer's output is in (its loss is in the target's units squared)."""
    if TASK == "classification":
        return target.astype(np.int64)
    return target.astype(np.float32).reshape(-1, 1)


def outputs(model: Network, features: np.ndarray) -> np.ndarray:
    if model.model is None:
        raise RuntimeError("the model has not been trained")
    result: np.ndarray = model.model.predict(
        as_inputs(features), batch_size=SCORING_ROWS, verbose=0
    )
    return result.astype(np.float64)


def predict(model: Network, features: np.ndarray) -> np.ndarray:
    """Class codes for a classifier, numbers (in the target's own scale) for a regressor."""
    scores = outputs(model, features)
    return scores.argmax(axis=1) if TASK == "classification" else scores[:, 0]


def predict_proba(model: Network, features: np.ndarray) -> np.ndarray | None:
    """Class probabilities (one column per class code), or None for a regressor."""
    if TASK != "classification":
        return None
    scores = outputs(model, features)
    exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities: np.ndarray = exponentials / exponentials.sum(axis=1, keepdims=True)
    return probabilities


def save_model(model: Network, path: Path) -> None:
    if model.model is None:
        raise RuntimeError("the model has not been trained")
    model.model.save(path)


def load_model(path: Path) -> Network:
    return Network(NetworkParams(), seed=0, model=keras.saving.load_model(path, compile=False))
