"""PyTorch networks: the network class config.yaml names (by default, layers.py's), with the
outputs and loss of outputs.py.

They train on the output of features.py (scaled numbers, one-hot categories) or on images
scaled by images.py. The rest of the package only calls what contracts.py's `Framework`
lists, which is all that differs between frameworks; the training rules (hyper-parameters,
validation rows, early stopping, progress lines) are shared with the other frameworks in
network_training.py.

Saved as a state dict with the config that rebuilds the network: `torch.load` reads it with
`weights_only=True`, so loading a model file never runs code from it.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import nn

from . import distributed
from .config import USE_GPU
from .configuration import ModelChoice, model_class
from .errors import UserError
from .launcher import stop_with_launcher
from .network_training import EarlyStopping, NetworkTraining, hold_out
from .outputs import as_targets, loss_function, predictions, probabilities, target_config, with_head
from .reports import FitReport

log = logging.getLogger(__name__)

MODEL_FILE = "model.pt"
VERSION = f"torch {torch.__version__}"
# Rows per forward pass when scoring: bounds memory on large inputs. Fewer for images, whose
# activations take about 100 times their own size in a CNN: 2 MB of 64x64 colour images is
# 42 of them, and some 150 MB of activations.
SCORING_ROWS, SCORING_BYTES = 4096, 2 * 2**20
# What config.yaml's model may be: any module, built with its init_args and these, by keyword.
MODEL_BASE = nn.Module
TRAINING = NetworkTraining
DECIDED_BY_DATA = frozenset({"input_shape", "num_outputs"})


@dataclass
class Network:
    """The network class and how to train it; after `fit` (or `load_model`), the trained
    module and the config that rebuilds it (class, arguments, input shape, outputs, the
    target's scale)."""

    choice: ModelChoice
    training: NetworkTraining
    config: dict[str, Any] = field(default_factory=dict)
    module: nn.Module | None = None


def build_model(choice: ModelChoice, training: NetworkTraining) -> Network:
    """The network's settings (checked by config.yaml's reader); `fit` builds it for the data.

    A process of a distributed training stops from here on if its launcher is killed.
    """
    stop_with_launcher()
    model_class(choice.class_path)  # a class that cannot be imported fails before any data is read
    return Network(choice, training)


def wants_scaled_inputs(_model: Network) -> bool:
    """Always: a network learns best from standardized inputs."""
    return True


def params(model: Network) -> dict[str, Any]:
    """The network's arguments as set in config.yaml (for metrics.json)."""
    return dict(model.choice.init_args)


def build_module(config: dict[str, Any]) -> nn.Module:
    """The network the config names, with its arguments and the data's shape and outputs."""
    network = model_class(config["class_path"])
    try:
        layers = network(
            input_shape=tuple(config["shape"]), num_outputs=config["outputs"], **config["init_args"]
        )
    except (TypeError, ValueError) as exc:
        name = config["class_path"].rpartition(".")[2]
        raise UserError(f"the network {name} cannot be built from config.yaml: {exc}") from None
    return with_head(layers, config)


def pick_device() -> torch.device:
    """The GPU when there is one; else the CPU, with a warning if the project expects a GPU."""
    if torch.cuda.is_available():
        log.info("Training on the GPU: %s", torch.cuda.get_device_name(0))
        return torch.device("cuda")
    if USE_GPU:
        log.warning(
            "warning: no CUDA GPU is visible (see the README's GPU section): training on the CPU"
        )
    return torch.device("cpu")


def is_chief() -> bool:
    """Whether this process writes the model and reports (see distributed.py)."""
    return distributed.is_chief()


def fit(model: Network, features: Any, target: np.ndarray) -> FitReport:
    """Train with AdamW on mini-batches, keeping the epoch with the lowest validation loss.

    `target` holds class codes 0..K-1 for a classifier (see task.py), numbers for a
    regressor, which learns them standardized (the last layer restores their scale).
    Under torchrun, each process trains on its share of every batch (see distributed.py);
    every process starts from the same seeded weights and ends with the same ones.
    """
    seed = model.training.seed
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    with distributed.one_line_failures():
        return train_network(model, features, target)


def train_network(model: Network, features: Any, target: np.ndarray) -> FitReport:
    """The training loop of `fit`, in this process."""
    training = model.training
    device = distributed.local_device(pick_device())
    on_gpu = device.type == "cuda"
    distributed.join(device)

    loss = loss_function()
    model.config = {
        "class_path": model.choice.class_path,
        "init_args": model.choice.init_args,
        "shape": list(features.shape[1:]),
        **target_config(target),
    }
    split = hold_out(features, target, training.validation_fraction, training.seed)
    # Inputs are read a batch at a time (images may be on disk, see images.py).
    train_x, train_y = split.train_features, as_targets(split.train_target)
    valid_x, valid_y = split.features, as_targets(split.target)

    module = build_module(model.config).to(device)
    model.module = module
    trained = distributed.wrap(module, device)  # averages the gradients of all processes
    optimizer = torch.optim.AdamW(
        module.parameters(), lr=training.learning_rate, weight_decay=training.weight_decay
    )
    # Mixed precision on the GPU only: float16 with loss scaling; the CPU trains in float32.
    scaler = torch.amp.GradScaler("cuda", enabled=on_gpu)
    stopping = EarlyStopping(training, model.choice.name)
    best_state = state_of(module)
    for epoch in range(training.epochs):
        trained.train()
        total, count = 0.0, 0
        for rows in distributed.epoch_batches(
            len(train_x), training.batch_size, training.seed, epoch
        ):
            batch_x, batch_y = as_inputs(train_x[rows.numpy()]).to(device), train_y[rows].to(device)
            optimizer.zero_grad()
            with torch.autocast(device.type, dtype=torch.float16, enabled=on_gpu):
                batch_loss = loss(trained(batch_x).float(), batch_y)
            scaler.scale(batch_loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total, count = total + batch_loss.item() * len(rows), count + len(rows)
        train_loss = distributed.mean_over_processes(total / count, count, device)
        validation_loss = float(loss(forward(module, valid_x, device), valid_y))
        validation_loss = distributed.mean_over_processes(validation_loss, 1.0, device)
        if stopping.update(train_loss, validation_loss):
            best_state = state_of(module)
        if stopping.should_stop:
            break
    distributed.leave()
    module.load_state_dict(best_state)
    module.eval()
    return stopping.report(str(device))


def as_inputs(features: ArrayLike) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(features, dtype=np.float32))


def state_of(module: nn.Module) -> dict[str, torch.Tensor]:
    """A copy of the weights, so later epochs do not change it."""
    return {name: value.detach().clone() for name, value in module.state_dict().items()}


def scoring_rows(features: Any) -> int:
    row_bytes = 4 * int(np.prod(features.shape[1:]))
    return max(1, min(SCORING_ROWS, SCORING_BYTES // row_bytes))


@torch.no_grad()
def forward(module: nn.Module, inputs: Any, device: torch.device) -> torch.Tensor:
    """The module's outputs for all rows of `inputs` (an array, or images read as they are
    asked for), in evaluation mode (no dropout), on the CPU; a batch at a time."""
    module.eval()
    size = scoring_rows(inputs)
    starts = range(0, max(len(inputs), 1), size)  # no rows: one empty batch
    parts = [
        module(as_inputs(inputs[start : start + size]).to(device)).float().cpu() for start in starts
    ]
    return torch.cat(parts)


def outputs(model: Network, features: Any) -> np.ndarray:
    if model.module is None:
        raise RuntimeError("the model has not been trained")
    device = next(model.module.parameters()).device
    result: np.ndarray = forward(model.module, features, device).numpy()
    return result


def predict(model: Network, features: Any) -> np.ndarray:
    """Class codes for a classifier, numbers (in the target's own scale) for a regressor."""
    return predictions(outputs(model, features))


def predict_proba(model: Network, features: Any) -> np.ndarray | None:
    """Class probabilities (one column per class code), or None for a regressor."""
    return probabilities(outputs(model, features))


def save_model(model: Network, path: Path) -> None:
    if model.module is None:
        raise RuntimeError("the model has not been trained")
    state = {name: value.cpu() for name, value in model.module.state_dict().items()}
    torch.save({"config": model.config, "state_dict": state}, path)


def load_model(path: Path) -> Network:
    """The saved network, rebuilt from its config; one clear error when this code cannot."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    config = saved["config"]
    try:
        module = build_module(config)
        module.load_state_dict(saved["state_dict"])
    except (KeyError, RuntimeError, UserError) as exc:
        reason = str(exc).splitlines()[0]
        raise UserError(
            f"{path} holds a network this code cannot rebuild ({reason}); "
            "train it again with make train"
        ) from None
    module.eval()
    choice = ModelChoice(config["class_path"], config["init_args"])
    return Network(choice, NetworkTraining(), config=config, module=module)
