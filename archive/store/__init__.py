"""The storage half of the archive: one SQLite file through sqlite-utils.

``ArchiveDB`` (in ``archive.store.storage``) is the front door; ``utc_now`` makes every
timestamp the archive writes.
"""

from archive.store.storage import ArchiveDB, StoreResult
from archive.store.timestamps import utc_now

__all__ = ["ArchiveDB", "StoreResult", "utc_now"]
