"""Several replicas of one process (REPLICAS): the batches they share, and REPLICAS checked."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }} import distributed
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.model import batches


@pytest.mark.parametrize("replicas", [1, 2, 3])
def test_the_first_batch_splits_evenly_and_every_row_comes_once(replicas: int) -> None:
    features, target = np.arange(200.0).reshape(100, 2), np.arange(100) % 2
    sizes, seen = [], []
    for inputs, _ in batches(features, target, size=32, seed=1, replicas=replicas):
        sizes.append(len(inputs))
        seen.extend(inputs.numpy()[:, 0].tolist())
    assert sizes[0] % replicas == 0 and all(size <= 32 for size in sizes)
    assert sorted(seen) == features[:, 0].tolist()


@pytest.mark.parametrize("text", ["0", "two", "-1", "1.5"])
def test_replicas_must_be_a_whole_number_of_at_least_one(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv("REPLICAS", text)
    with pytest.raises(UserError, match=f"REPLICAS={text}: expected a whole number of at least 1"):
        distributed.replicas()
