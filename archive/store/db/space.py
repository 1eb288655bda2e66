"""Telling "the file cannot grow" apart from other write failures, and saying why.

SQLite reports a full disk (``ENOSPC``) as ``SQLITE_FULL``; a file-size limit (``ulimit -f``,
``RLIMIT_FSIZE``: the write fails with ``EFBIG``, Python ignores the ``SIGXFSZ`` that comes
with it) as a plain write error, ``SQLITE_IOERR_WRITE``. Either way the transaction under way
is rolled back and the file stays sound; the command must stop and say what to free.
"""

import os
import resource
import sqlite3

# Write errors that may mean "no room": SQLite's own, and the extended I/O errors of a write
# the operating system refused (EFBIG under a file-size limit), to the file or its log, or
# to the shared-memory index as it grows. Which it was is told by the limit and free space.
_NO_ROOM_CODES = frozenset({"SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_SHMSIZE"})
# Below this much free space a failed write is put down to the full disk.
_NEARLY_FULL_BYTES = 1 << 20


def out_of_room(exc: sqlite3.Error, path: str) -> str | None:
    """Why ``path`` could not grow, when that is what SQLite's ``exc`` says; None for any
    other failure."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL" or "database or disk is full" in str(exc):
        return _why(path) or "disk full"
    if name in _NO_ROOM_CODES:
        return _why(path)  # a write error with room left is a real I/O failure: not ours
    return None


def _why(path: str) -> str | None:
    limit = _file_size_limit()
    if limit is not None and _largest_file(path) + 65536 >= limit:
        return f"disk full: the file-size limit (ulimit -f) of {limit:,} bytes is reached"
    try:
        stats = os.statvfs(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return None
    if stats.f_bavail * stats.f_frsize < _NEARLY_FULL_BYTES:
        return "disk full"
    return None


def _file_size_limit() -> int | None:
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def _largest_file(path: str) -> int:
    """The size of the database or its write-ahead log, whichever is larger."""
    sizes = [0]
    for name in (path, f"{path}-wal"):
        try:
            sizes.append(os.path.getsize(name))
        except OSError:
            continue
    return max(sizes)
