"""Helpers for the tests that kill, starve or crowd `archive` processes: start a command in
its own process group, kill the whole group at a chosen moment, and say whether a file is
sound (``archive.store.db.consistency`` on a plain connection, before any command opens it
again and so before a migration could mend or hide anything)."""

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlite_utils import Database

from archive.store.db.consistency import check_consistency
from tests.crawlsite import child_env


def start(command: list[str], folder: Path, log_name: str) -> subprocess.Popen:
    """``command`` in a new session (its workers with it), its output in ``log_name``."""
    with (folder / log_name).open("w") as log:  # the child keeps its own copy
        return subprocess.Popen(
            command, cwd=folder, env=child_env(), stdout=log, stderr=log, start_new_session=True
        )


def kill_group(process: subprocess.Popen) -> bool:
    """SIGKILL the process and every worker it started; True when it was still running."""
    running = process.poll() is None
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return running


def count(db: Path, sql: str) -> int:
    """A figure read from ``db`` without creating or waiting for it: 0 while there is none."""
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as c:
            return int(c.execute(sql).fetchone()[0] or 0)
    except sqlite3.Error:  # no schema yet, or a writer switching the file to WAL
        return 0


def kill_at(
    process: subprocess.Popen,
    rng: random.Random,
    progress: Callable[[], int],
    target: int | None,
    latest: float,
    startup: float = 1.5,
) -> bool:
    """Kill ``process`` once ``progress()`` reaches ``target`` (plus a few random ms, so the
    kill lands anywhere in the next write), or at a random moment of the first ``startup``
    seconds when ``target`` is None (imports, opening, schema creation), and after ``latest``
    seconds at the latest.
    True when it was killed while running."""
    began = time.monotonic()
    deadline = began + (latest if target is not None else rng.uniform(0.05, startup))
    while process.poll() is None and time.monotonic() < deadline:
        if target is not None and progress() >= target:
            time.sleep(rng.uniform(0, 0.03))
            break
        time.sleep(0.01)
    return kill_group(process)


def problems(db: Path) -> list[str]:
    """What ``check_consistency`` finds in ``db`` as a kill left it; [] for a sound file or
    one that holds nothing yet (killed before its schema was committed)."""
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db)) as conn:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            return []
        return check_consistency(Database(conn))


# Sets the limit, then becomes the command: the limit holds for it and every process it starts
# (``preexec_fn`` would do the same, but is unsafe beside the test servers' threads).
_LIMITED = (
    "import os, resource, sys; n = int(sys.argv[1]); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (n, n)); os.execv(sys.argv[2], sys.argv[2:])"
)


def limited(command: list[str], max_file_bytes: int) -> list[str]:
    """``command`` run under a file-size limit (``ulimit -f``): no file it writes, the archive
    and its write-ahead log included, may grow past ``max_file_bytes``. The way a test makes
    a disk full without filling one."""
    return [sys.executable, "-c", _LIMITED, str(max_file_bytes), *command]
