"""The network config.yaml names by default: a small convolutional network for images of any
size. Any `nn.Module` can take its place: config.yaml's `model.class_path` names the class and
`model.init_args` its arguments; it is built with those plus, by keyword, what the data decides:
`input_shape` (of one image: height, width, channels) and `num_outputs` (the classes). It
returns one score per output; the loss and the probabilities are added around it (outputs.py).
"""

from __future__ import annotations

import torch
from torch import nn

from .network_training import check_conv_settings


class ConvNet(nn.Module):
    """Two 3x3 convolutions, a 2x2 max-pool, dropout and a linear layer, on images of any size."""

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_outputs: int,
        filters: int = 32,
        dropout: float = 0.25,
    ) -> None:
        super().__init__()
        check_conv_settings(filters, dropout)
        height, width, channels = input_shape
        self.layers = nn.Sequential(
            nn.Conv2d(channels, filters, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(filters, 2 * filters, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(dropout),
            nn.Flatten(),
            nn.Linear(2 * filters * (height // 2) * (width // 2), num_outputs),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        # NHWC -> NCHW, copied into that layout: the permuted view of one-channel images passes
        # as contiguous, yet gives the first convolution weight gradients of other strides than
        # DistributedDataParallel's buckets, which it warns about on every step.
        channels_first = images.permute(0, 3, 1, 2).clone(memory_format=torch.contiguous_format)
        output: torch.Tensor = self.layers(channels_first)
        return output
