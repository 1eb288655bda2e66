"""The one re-pack engine: bodies brought to a better packing, safely, beside other writers.

Used by ``archive compact`` and by the background trainer of a bulk write (once a site's
dictionary is kept). Each body is read (writer side), re-packed and checked in a worker
process (unpacked and hashed before, and the new bytes unpacked and hashed again after), and
written back only while its row still holds what was read (writer side, one short transaction
per batch)."""

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlite_utils import Database

from archive.errors import StorageError
from archive.store.bodies.compress import Dictionary, body_hash, decompress, dictionary_id_of, pack

if TYPE_CHECKING:  # only for the type: the worker processes need no storage module
    from archive.store.db.archive_db import ArchiveDB

log = logging.getLogger(__name__)

REPACKED = "repacked"
NOT_SMALLER = "not smaller"
UNREADABLE = "unreadable"

# Applied only if the row still holds what was read (another writer may have re-packed it
# meanwhile) and, for a dictionary, only while that dictionary exists (a purge may drop it).
_UPDATE = (
    "UPDATE bodies SET compression = ?, data = ?"
    " WHERE hash = ? AND compression = ? AND length(data) = ?"
    " AND (? IS NULL OR EXISTS (SELECT 1 FROM zstd_dictionaries WHERE id = ?))"
)

Row = tuple[str, str, bytes]  # hash, compression, data as stored


@dataclass(frozen=True)
class Repacked:
    """The outcome for one body: ``method`` and ``data`` are set when it was re-packed."""

    hash: str
    old_method: str
    old_size: int
    status: str
    method: str | None = None
    data: bytes | None = None


def read_chunk(db: Database, hashes: list[str]) -> tuple[dict[int, bytes], list[Row]]:
    """The stored rows of the bodies ``hashes`` and the dictionaries they are packed with
    (those that exist: a body whose dictionary is gone comes back unreadable from the
    worker)."""
    marks = ", ".join("?" for _ in hashes)
    rows = [
        (hash_, method, bytes(data))
        for hash_, method, data in db.execute(
            f"SELECT hash, compression, data FROM bodies WHERE hash IN ({marks})", hashes
        ).fetchall()
    ]
    ids = {_dictionary_id(method) for _, method, _ in rows} - {None}
    if not ids:
        return {}, rows
    found = db.execute(
        f"SELECT id, data FROM zstd_dictionaries WHERE id IN ({', '.join('?' for _ in ids)})",
        sorted(ids),
    ).fetchall()
    return {int(id_): bytes(data) for id_, data in found}, rows


def _dictionary_id(method: str) -> int | None:
    try:
        return dictionary_id_of(method)
    except StorageError:  # a malformed method: the worker reports the body unreadable
        return None


def repack_chunk(
    target: Dictionary | None, dictionaries: dict[int, bytes], rows: list[Row]
) -> list[Repacked]:
    """Worker task: each body unpacked, checked against its hash, packed with ``target``
    (plain zstd without one) and unpacked and checked again. No database."""
    return [_repack(target, dictionaries, *row) for row in rows]


def _repack(
    target: Dictionary | None, dictionaries: dict[int, bytes], hash_: str, method: str, data: bytes
) -> Repacked:
    try:
        old_id = dictionary_id_of(method)
        raw = decompress(data, method, None if old_id is None else dictionaries.get(old_id))
    except StorageError:
        return Repacked(hash_, method, len(data), UNREADABLE)
    if body_hash(raw) != hash_:
        return Repacked(hash_, method, len(data), UNREADABLE)
    # The checksum marks the body as re-packed at its best (see compress.has_checksum), and
    # is checked again on every later read.
    new_method, packed = pack(raw, target, checksum=True)
    dictionary = None if target is None else target.data
    if len(packed) >= len(data):
        return Repacked(hash_, method, len(data), NOT_SMALLER)
    # Cheap insurance: the bytes written must read back as the body they replace.
    if body_hash(decompress(packed, new_method, dictionary)) != hash_:
        log.error("body %s re-packed with %s does not read back: left as it was", hash_, method)
        return Repacked(hash_, method, len(data), NOT_SMALLER)
    return Repacked(hash_, method, len(data), REPACKED, new_method, packed)


def write_batch(archive: "ArchiveDB", results: list[Repacked]) -> set[str]:
    """Write re-packed bodies in one short transaction; returns the hashes written (the
    others changed meanwhile and are left as they are now)."""
    written = set()
    with archive.writing(f"re-pack {len(results)} bodies"):
        for result in results:
            dictionary_id = _dictionary_id(result.method or "")
            cursor = archive.db.execute(
                _UPDATE,
                [
                    result.method,
                    result.data,
                    result.hash,
                    result.old_method,
                    result.old_size,
                    dictionary_id,
                    dictionary_id,
                ],
            )
            if cursor.rowcount:
                written.add(result.hash)
    return written
