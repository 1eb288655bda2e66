"""The guard every opening of an archive goes through: a file that is not an archive is
refused, byte for byte untouched, before anything is written to it.

Opening an SQLite file as an archive would switch it to WAL (which rewrites its header) and
add the archive's tables and views beside a user's own. So, on the connection just opened and
before anything else runs on it: a file that SQLite cannot read as a database, or a database
that already holds tables but not the archive's, is refused. Only a new or empty file (no
schema at all) may become an archive, and only when the caller creates archives.
"""

import sqlite3
from pathlib import Path

from archive.errors import NotAnArchiveError, StorageError

# Tables every archive has had since its first migration.
ARCHIVE_TABLES = frozenset({"bodies", "captures"})


def refuse_foreign(conn: sqlite3.Connection, path: str, *, create: bool) -> None:
    """Raise ``NotAnArchiveError`` unless ``path`` (open as ``conn``) is an archive, or is
    new or empty and ``create`` is true. Reads the schema only: nothing is written."""
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        if "file is not a database" not in str(exc):
            raise  # busy, unreadable ...: the caller's own error handling says so
        raise NotAnArchiveError("not an SQLite database (left untouched)", subject=path) from exc
    if not names and not create:
        raise NotAnArchiveError(
            "an empty file, not an archive (left untouched; create one with"
            " `archive save URL` or `archive demo`)",
            subject=path,
        )
    if names and not names >= ARCHIVE_TABLES:
        raise NotAnArchiveError(
            "not an archive: no bodies or captures table (left untouched)", subject=path
        )


def check_archive_file(path: str, *, create: bool) -> None:
    """``refuse_foreign`` for a file not yet opened, for a command that has work to do before
    opening the archive (start a server, reach Redis): its refusal then comes first. Opens
    the file read-only, if it exists; anything else wrong with the path is left for
    ``ArchiveDB`` to tell."""
    target = Path(path)
    if not target.exists():
        if not create:
            raise NotAnArchiveError("no archive database at this path", subject=path)
        return
    if not target.is_file():
        return
    try:
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
        try:
            refuse_foreign(conn, path, create=create)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StorageError(str(exc), subject=path) from exc
