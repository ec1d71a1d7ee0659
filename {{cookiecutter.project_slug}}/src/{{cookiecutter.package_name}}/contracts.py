"""What each variant's modules must provide: the rest of the package calls nothing else.

A framework provides model.py; a kind of inputs (tables, images) provides data.py,
features.py, predict.py and options.py; a task (classification, regression) provides task.py.
mypy checks each module against its contract (the bindings at the end), so a module that lacks
a function, or takes other arguments, fails `make lint` with what is wrong.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .configuration import ModelChoice, Training
from .reports import FitReport
from .scores import Scores


class Framework(Protocol):
    """model.py: build, fit, predict, save and load a model of one framework."""

    MODEL_FILE: str  # the file name it saves to (artifact.py adds the content hash)
    VERSION: str  # the framework's name and version, recorded with the model

    @property
    def MODEL_BASE(self) -> type:  # module constants: read-only, so a subclass satisfies them
        """config.yaml's model.class_path names a subclass of it."""

    @property
    def TRAINING(self) -> type[Training]:
        """The class of config.yaml's training section."""

    @property
    def DECIDED_BY_DATA(self) -> frozenset[str]:
        """The model's arguments the data decides, not the config."""

    def build_model(self, choice: ModelChoice, training: Any, /) -> Any:
        """An untrained model as config.yaml says, checked before any data is read."""

    def wants_scaled_inputs(self, model: Any, /) -> bool:
        """Whether its inputs are standardized (not for trees, which split on raw values)."""

    def params(self, model: Any, /) -> dict[str, Any]:
        """The model's arguments as set for training (for metrics.json)."""

    def is_chief(self) -> bool:
        """Whether this process writes the model and reports: of the processes of a
        distributed training, only the first does (README: Scaling out)."""

    def fit(self, model: Any, features: Any, target: np.ndarray, /) -> FitReport:
        """Train in place on preprocessed features and the target's codes (or numbers)."""

    def predict(self, model: Any, features: Any, /) -> np.ndarray:
        """Class codes for a classifier, numbers for a regressor."""

    def predict_proba(self, model: Any, features: Any, /) -> np.ndarray | None:
        """One probability column per class code, or None for a regressor."""

    def save_model(self, model: Any, path: Path, /) -> None: ...

    def load_model(self, path: Path, /) -> Any: ...


class InputsData(Protocol):
    """data.py: the bundled dataset or the user's, with its labels."""

    ITEMS: str  # what messages call a dataset's rows: "rows", "images"
    Dataset: Any  # its name, features, target, target_name, source; summary(), description()

    def load_dataset(self, settings: Any, /) -> Any:
        """The training data `settings` names: the bundled dataset, or the user's."""

    def load_bundled(self, name: str, /) -> Any: ...

    def load_labelled(self, path: Path, target: str, metadata: dict[str, Any], /) -> Any:
        """Labelled data read as a trained model's `metadata` says: `evaluate --data`."""


class InputsFeatures(Protocol):
    """features.py: the preprocessing fitted on the training rows and saved with the model."""

    def build_preprocessing(self, dataset: Any, scale: bool, /) -> Any:
        """Unfitted; `scale`: whether the model wants its numbers standardized."""

    def fit_preprocessing(self, preprocessing: Any, features: Any, source: Any, /) -> Any: ...

    def transform(self, preprocessing: Any, features: Any, source: Any, /) -> Any: ...


class InputsPredict(Protocol):
    """predict.py: score a batch held in memory, or a file into a file."""

    def score(self, artifact: Any, features: Any, /) -> Any:
        """A data frame of the prediction and each class's probability, one row per input."""

    def score_features(self, artifact: Any, features: Any, source: Any, /) -> Scores:
        """The same as plain arrays, for the model's inputs as `transform` takes them."""

    def predict_file(self, input_path: Path, output_path: Path, models_dir: Path, /) -> int:
        """Score `input_path` into `output_path`; returns the number of rows scored."""


class InputsOptions(Protocol):
    """options.py: the command-line options and settings about the inputs."""

    HELP: dict[str, str]  # what --data, --input and --output take, and what predict does
    InputSettings: Any  # a frozen dataclass that config.Settings extends

    def add_data_options(self, data: argparse.ArgumentParser, /) -> None: ...

    def add_train_options(self, train: argparse.ArgumentParser, /) -> None: ...

    def input_settings(self, args: argparse.Namespace, /) -> dict[str, Any]: ...


class Task(Protocol):
    """task.py: what a classifier or a regressor does with its target."""

    PLOT_FILE: str  # the plot saved in reports/

    def encode(self, target: np.ndarray, /) -> tuple[np.ndarray, list[str]]:
        """What models train on (class codes, or the numbers), and the classes in code order."""

    def decode(self, predicted: np.ndarray, classes: list[str], /) -> np.ndarray: ...

    def predict_rows(self, model: Any, features: Any, /) -> tuple[np.ndarray, np.ndarray | None]:
        """What the model predicts (codes or numbers) and each class's probability (None for
        a regressor), from one pass of the model."""

    def split_problem(self, target: np.ndarray, name: str, item: str, /) -> str | None:
        """Why the target cannot be split into a training and a test part, if it cannot."""

    def strata(self, target: np.ndarray, /) -> np.ndarray | None:
        """What a split keeps in proportion (the classes), if anything."""

    def rows_per_part(self, target: np.ndarray, /) -> int: ...

    def compute_metrics(self, actual: np.ndarray, predicted: np.ndarray, /) -> dict[str, float]: ...

    def save_plot(self, actual: np.ndarray, predicted: np.ndarray, path: Path, /) -> None: ...


if TYPE_CHECKING:  # checked by mypy, never run
    from . import data, features, model, options, predict, task

    _framework: Framework = model
    _data: InputsData = data
    _features: InputsFeatures = features
    _predict: InputsPredict = predict
    _options: InputsOptions = options
    _task: Task = task
