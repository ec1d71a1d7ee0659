"""Freed memory goes back to the system, so long runs of batches do not pile it up."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

# In a fresh process: free a 24 MB buffer (the size of a CNN layer's activations for a
# batch), then use and free a 16 MB one with a small array allocated after it, and print how
# much memory the process still holds. glibc's default keeps the 16 MB: after the first free
# it serves such buffers from a heap that shrinks only from its end.
PROBE = """
import sys
import numpy as np
from {{ cookiecutter.package_name }}.cli import release_freed_memory

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

if sys.argv[1] == "released":
    release_freed_memory()
first = np.ones(24 * 2**20, dtype=np.uint8)
del first
before = resident_mb()
second = np.ones(16 * 2**20, dtype=np.uint8)
kept = np.ones(2**16)  # allocated after it, as the next batch's arrays are
del second
print(resident_mb() - before)
"""


@pytest.mark.skipif(
    not hasattr(ctypes.CDLL(None), "mallopt") or sys.platform != "linux",
    reason="glibc's mallopt (Linux) only",
)
def test_large_freed_buffers_are_given_back() -> None:
    held = {
        mode: float(
            subprocess.run(
                [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
            ).stdout
        )
        for mode in ("default", "released")
    }
    assert held["default"] > 15  # what the setting changes: glibc's default keeps the 16 MB
    assert held["released"] < 2
