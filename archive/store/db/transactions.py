"""The archive's one way to write: a ``BEGIN IMMEDIATE`` transaction, rolled back on failure.

``IMMEDIATE`` takes the write lock at the start, so two writers queue (within the busy
timeout) instead of one failing halfway through.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def immediate(db: Database) -> Iterator[None]:
    """A write transaction on ``db``: committed at the end, rolled back on any error."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        # Inside the try: a failed COMMIT (a deferred foreign key) leaves the transaction
        # open, and it must be rolled back like any other failure.
        conn.commit()
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
