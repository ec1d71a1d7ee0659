"""A small convolutional network for images of any size (`--param filters=... dropout=...`)."""

from __future__ import annotations

import torch
from torch import nn

from .params import Param


class ConvNet(nn.Module):
    """Two 3x3 convolutions, a 2x2 max-pool, dropout and a linear layer, on images of any size."""

    def __init__(self, shape: list[int], outputs: int, filters: int, dropout: float) -> None:
        super().__init__()
        height, width, channels = shape
        self.layers = nn.Sequential(
            nn.Conv2d(channels, filters, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(filters, 2 * filters, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Dropout(dropout),
            nn.Flatten(),
            nn.Linear(2 * filters * (height // 2) * (width // 2), outputs),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        # NHWC -> NCHW, copied into that layout: the permuted view of one-channel images passes
        # as contiguous, yet gives the first convolution weight gradients of other strides than
        # DistributedDataParallel's buckets, which it warns about on every step.
        channels_first = images.permute(0, 3, 1, 2).clone(memory_format=torch.contiguous_format)
        output: torch.Tensor = self.layers(channels_first)
        return output


def build_layers(shape: list[int], outputs: int, params: dict[str, Param]) -> nn.Module:
    """`shape`: of one image (height, width, channels); `params`: its filters and dropout."""
    return ConvNet(shape, outputs, int(params["filters"] or 0), float(params["dropout"] or 0))
