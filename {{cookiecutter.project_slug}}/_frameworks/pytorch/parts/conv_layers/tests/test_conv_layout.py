"""The images reach the first convolution in the layout DistributedDataParallel expects."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from {{ cookiecutter.package_name }}.layers import ConvNet

from .layer_inputs import random_inputs


def test_the_first_convolution_gets_channels_first_images_in_their_own_memory() -> None:
    """One-channel NHWC images permuted to NCHW pass as contiguous but keep other strides,
    and the weight gradients then follow them: DistributedDataParallel warns on every step."""
    network = ConvNet(input_shape=(4, 4, 1), num_outputs=3, filters=2, dropout=0.0)
    first = next(layer for layer in network.modules() if isinstance(layer, nn.Conv2d))
    seen: list[torch.Tensor] = []

    def record(_layer: nn.Module, inputs: tuple[Any, ...]) -> None:
        seen.append(inputs[0])

    first.register_forward_pre_hook(record)
    network(torch.as_tensor(random_inputs(5, seed=0), dtype=torch.float32)).sum().backward()
    assert seen[0].stride() == torch.empty(seen[0].shape).stride()
    assert first.weight.grad is not None
    assert first.weight.grad.stride() == first.weight.stride()
