"""What the tests of distributed training ask of the processes they start."""

from __future__ import annotations

import os


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
