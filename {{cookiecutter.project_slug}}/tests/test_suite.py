"""The test suite's own settings (pyproject.toml's [tool.pytest]), run as `make test` runs them."""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

# Deletes an old session's folder as if another pytest session were deleting it at the same time.
RACING_CONFTEST = """
import errno
import os
import shutil
from pathlib import Path

rmtree = shutil.rmtree


def racing_rmtree(path, *args, **kwargs):
    if Path(path).name.startswith("garbage-"):
        error = OSError(errno.ENOTEMPTY, "Directory not empty", str(path))
        if kwargs.get("onexc"):  # Python 3.12 and later
            kwargs["onexc"](os.rmdir, str(path), error)
        elif kwargs.get("onerror"):
            kwargs["onerror"](os.rmdir, str(path), (OSError, error, None))
    return rmtree(path, *args, **kwargs)


shutil.rmtree = racing_rmtree
"""


def test_a_race_in_pytests_clean_up_of_old_temporary_folders_fails_no_run(tmp_path: Path) -> None:
    """pytest deletes the temporary folders of earlier sessions when one ends; another session
    deleting the same folder made `make test` fail once every test had passed."""
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "conftest.py").write_text(RACING_CONFTEST)
    (tmp_path / "suite" / "test_one.py").write_text("def test_one(tmp_path):\n    pass\n")
    user = re.sub(r"\W", "_", getpass.getuser())  # as pytest names its folder
    sessions = tmp_path / "root" / f"pytest-of-{user}"
    for number in range(5):  # earlier sessions: the new one keeps 3 and deletes the rest
        (sessions / f"pytest-{number}").mkdir(parents=True, mode=0o700)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:cacheprovider"),
            *("-c", str(PROJECT / "pyproject.toml"), "--rootdir", str(tmp_path / "suite")),
            str(tmp_path / "suite"),
        ],
        cwd=tmp_path / "suite",
        env={**os.environ, "PYTEST_DEBUG_TEMPROOT": str(tmp_path / "root")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert not (sessions / "pytest-0").exists()  # the clean-up ran, and met the race
