"""The storage half of the archive: one SQLite file through sqlite-utils.

``ArchiveDB`` (in ``archive.store.db.archive_db``) is the front door; ``utc_now`` makes every
timestamp the archive writes.
"""

from archive.store.db.archive_db import ArchiveDB, StoreResult
from archive.store.db.timestamps import utc_now

__all__ = ["ArchiveDB", "StoreResult", "utc_now"]
