"""The storage half of the archive: one SQLite file through sqlite-utils.

Its parts, one sub-package each: ``db`` (opening the file: ``ArchiveDB``, schema, migrations,
transactions, timestamps), ``write`` (captures and records into rows), ``read`` (queries),
``bodies`` (compression, dictionaries, compaction), ``exchange`` (exports, WARC) and
``maintenance`` (re-extraction, purge).

``ArchiveDB`` (in ``archive.store.db.archive_db``) is the front door; ``utc_now`` makes every
timestamp the archive writes. Both are imported on first use (PEP 562): a worker process that
packs bodies imports ``archive.store.bodies.compress`` without the rest of the store.
"""

from typing import TYPE_CHECKING

from archive.lazy import lazy_exports

if TYPE_CHECKING:
    from archive.store.db.archive_db import ArchiveDB, StoreResult
    from archive.store.db.timestamps import utc_now

_EXPORTS = {
    "ArchiveDB": "archive.store.db.archive_db",
    "StoreResult": "archive.store.db.archive_db",
    "utc_now": "archive.store.db.timestamps",
}

__all__ = ["ArchiveDB", "StoreResult", "utc_now"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
