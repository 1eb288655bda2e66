"""Waiting for something to happen by looking again and again, never by sleeping a fixed time:
a fixed sleep is too short on a loaded machine and wasted time on an idle one."""

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], timeout: float = 30, *, interval: float = 0.05, what: str = ""
) -> T:
    """Call ``predicate`` until it returns something true, and return that. After ``timeout``
    seconds, fail the test with an AssertionError naming ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            awaited = what or getattr(predicate, "__name__", "the condition")
            raise AssertionError(f"waited {timeout:g} s in vain for {awaited}")
        time.sleep(interval)


def capture_count(db: Path) -> int:
    """The captures a running crawl has stored in ``db`` so far: 0 while it has not yet made
    the file or its tables (the file is never created here)."""
    if not db.exists():
        return 0
    # A short busy timeout: the crawl holds the write lock now and then.
    conn = sqlite3.connect(db, timeout=0.05)
    try:
        return int(conn.execute("SELECT count(*) FROM captures").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()
