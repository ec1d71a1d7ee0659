"""The processes of a distributed training live only as long as the launcher that started them.

A launcher killed outright (`kill -9`, a closed terminal, a cancelled CI job) cannot stop its
workers, and they would train on and write `models/` over the model kept there. So the
launcher names itself in its workers' environment, and each worker exits as soon as its
parent process is no longer that launcher: within a second, before it writes anything.
"""

from __future__ import annotations

import os
import sys
import threading

LAUNCHER_PID = "TRAINING_LAUNCHER_PID"  # set by the launcher for its workers
CHECK_SECONDS = 0.5
STOPPED_STATUS = 143  # as a process stopped by SIGTERM reports


def started_by_me() -> dict[str, str]:
    """The environment entry a launcher gives its workers: its own process id."""
    return {LAUNCHER_PID: str(os.getpid())}


def launcher_is_gone() -> bool:
    """Whether this worker's launcher has stopped (it is no longer this process's parent)."""
    launcher = os.environ.get(LAUNCHER_PID)
    return launcher is not None and os.getppid() != int(launcher)


def stop_with_launcher() -> None:
    """In a worker (LAUNCHER_PID set): exit at once, writing nothing, when the launcher is gone.

    A thread checks twice a second; a plain process (no launcher) is left alone.
    """
    if os.environ.get(LAUNCHER_PID) is None:
        return
    exit_if_launcher_is_gone()

    def watch() -> None:
        while not stopped.wait(CHECK_SECONDS):
            exit_if_launcher_is_gone()

    stopped = threading.Event()
    threading.Thread(target=watch, name="launcher-watch", daemon=True).start()


def exit_if_launcher_is_gone() -> None:
    if launcher_is_gone():
        print(
            f"error: process {os.getpid()} stops: its launcher stopped, so this training "
            "did not finish and writes nothing",
            file=sys.stderr,
            flush=True,
        )
        os._exit(STOPPED_STATUS)  # no clean-up code runs: nothing may be written now
