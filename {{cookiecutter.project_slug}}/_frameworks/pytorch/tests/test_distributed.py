"""Several processes under torchrun share each batch so that together they take one process's."""

from __future__ import annotations

import pytest
import torch

from {{ cookiecutter.package_name }} import distributed
from {{ cookiecutter.package_name }}.errors import UserError


def shares(monkeypatch: pytest.MonkeyPatch, processes: int, rank: int) -> list[torch.Tensor]:
    """Rows of each batch of an epoch for this process, as torchrun would set it up."""
    monkeypatch.setenv("WORLD_SIZE", str(processes))
    monkeypatch.setenv("RANK", str(rank))
    return list(distributed.epoch_batches(rows=100, batch_size=32, seed=7, epoch=3))


def test_two_processes_take_the_batches_one_process_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = shares(monkeypatch, 1, 0)
    first, second = shares(monkeypatch, 2, 0), shares(monkeypatch, 2, 1)
    assert len(first) == len(second) == len(alone)  # the same steps: none waits for the other
    for whole, one, other in zip(alone, first, second, strict=True):
        assert len(one) == len(other) <= 16  # half a batch each
        assert set(whole.tolist()) == set(one.tolist()) | set(other.tolist())
    assert distributed.is_chief() is False  # the second process: it does not write


def test_each_epoch_is_shuffled_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "1")
    epochs = [torch.cat(list(distributed.epoch_batches(100, 32, 7, epoch))) for epoch in (0, 1)]
    assert sorted(epochs[0].tolist()) == sorted(epochs[1].tolist()) == list(range(100))
    assert epochs[0].tolist() != epochs[1].tolist()


def test_one_process_is_the_chief_and_averages_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    monkeypatch.delenv("RANK", raising=False)
    assert distributed.is_chief() and distributed.world_size() == 1
    assert distributed.mean_over_processes(0.25, 10, torch.device("cpu")) == 0.25


GLOO_ERROR = (
    "[/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:537] Read error [127.0.0.1]:15505: "
    "Connection reset by peer. This is typically caused by a remote worker hanging.\nmore"
)


def test_a_failing_process_of_several_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    with pytest.raises(UserError) as failed, distributed.one_line_failures():
        raise RuntimeError(GLOO_ERROR)
    reason = "RuntimeError: Read error [127.0.0.1]:15505: Connection reset by peer"
    assert str(failed.value) == f"process 1 of 2 stopped: {reason}"
    with pytest.raises(UserError, match=r"^training.epochs"), distributed.one_line_failures():
        raise UserError("training.epochs: expected a whole number of at least 1")


def test_one_process_keeps_the_traceback_of_a_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "1")
    with pytest.raises(RuntimeError, match="a fault"), distributed.one_line_failures():
        raise RuntimeError("a fault")


@pytest.mark.parametrize(
    ("message", "first"),
    [
        ("", ""),
        ("Timed out.", "Timed out"),
        ("[pair.cc:537] One. Two. Three.", "One"),
        ("One. Two. Three.", "One"),
        ("Version 2.1 failed.\nTrace", "Version 2.1 failed"),
    ],
)
def test_an_errors_first_sentence_is_its_line(message: str, first: str) -> None:
    assert distributed.first_sentence(message) == first


def test_a_failure_without_a_message_is_named_by_its_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    with pytest.raises(UserError) as failed, distributed.one_line_failures():
        raise ConnectionError
    assert str(failed.value) == "process 0 of 2 stopped: ConnectionError"
