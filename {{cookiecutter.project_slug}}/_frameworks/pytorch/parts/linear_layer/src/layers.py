"""The network config.yaml names by default: one linear layer, which is logistic or linear
regression on the preprocessed columns. Any `nn.Module` can take its place: config.yaml's
`model.class_path` names the class and `model.init_args` its arguments; it is built with those
plus, by keyword, what the data decides: `input_shape` (of one row: the number of model inputs)
and `num_outputs` (the classes, or 1 value). It returns one score per output; the loss and the
probabilities are added around it (outputs.py).
"""

from __future__ import annotations

import torch
from torch import nn


class LinearModel(nn.Module):
    """One linear layer from the inputs to the outputs."""

    def __init__(self, input_shape: tuple[int, ...], num_outputs: int) -> None:
        super().__init__()
        self.linear = nn.Linear(input_shape[0], num_outputs)

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        output: torch.Tensor = self.linear(rows)
        return output
