"""Per-site zstd dictionaries: train one when it helps, pack bodies with it, read any body back.

Pages of one site share their template (head, menus, scripts, footer), which a dictionary
trained on a few of them captures: measured on AEB pages with their text replaced per copy,
zstd 9 packs to 0.19 x alone and to 0.08 x with a 112 KiB dictionary of the site. A
dictionary is kept only when it packs held-out bodies of the site at least
``MIN_GAIN`` smaller than zstd alone, so a site of unrelated pages gets none.

Dictionaries live in ``zstd_dictionaries`` (migration 0003); a body packed with one names it in
``bodies.compression`` as ``zstd-dict:<id>``. ``read_body`` reads every method.
"""

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.errors import StorageError
from archive.store.bodies.compress import (
    DEFAULT_METHOD,
    body_hash,
    compress,
    decompress,
    dict_method,
    dictionary_id_of,
    train_dictionary,
)
from archive.store.db.timestamps import utc_now
from archive.store.db.transactions import immediate

log = logging.getLogger(__name__)

DICTIONARY_SIZE = 112 * 1024
# Bodies a site needs before a dictionary is trained, and at most how many it is trained on.
TRAIN_MIN_BODIES = 24
TRAIN_MAX_SAMPLES = 200
# zstd's advice: samples of about 100 times the dictionary. Training time grows with them (a
# site of 560 KB pages took 7 s on 150 samples), the dictionary no better (measured on a site
# of 144 KB pages: 150 samples and 60 packed its other pages to the same size, 1.3 s vs 0.5).
TRAIN_MAX_BYTES = 100 * DICTIONARY_SIZE
HELD_OUT = 4
MIN_GAIN = 0.10


@dataclass(frozen=True)
class Dictionary:
    id: int
    site: str
    data: bytes


def pack_body(data: bytes, dictionary: Dictionary | None = None) -> dict[str, Any]:
    """The ``bodies`` row for raw ``data``: zstd, with the site's dictionary when given."""
    method = dict_method(dictionary.id) if dictionary else DEFAULT_METHOD
    return {
        "hash": body_hash(data),
        "size": len(data),
        "compression": method,
        "data": compress(data, method, dictionary.data if dictionary else None),
    }


def load_dictionary(db: Database, dictionary_id: int) -> bytes:
    row = db.execute("SELECT data FROM zstd_dictionaries WHERE id = ?", [dictionary_id]).fetchone()
    if row is None:
        raise StorageError(f"zstd dictionary {dictionary_id} is missing from the archive")
    return bytes(row[0])


def readable(db: Database, method: str) -> bool:
    """Whether a body packed with ``method`` can be read here: its dictionary, if it names
    one, is in the archive."""
    dictionary_id = dictionary_id_of(method)
    if dictionary_id is None:
        return True
    found = "SELECT 1 FROM zstd_dictionaries WHERE id = ?"
    return db.execute(found, [dictionary_id]).fetchone() is not None


def read_body(db: Database, hash: str) -> bytes:
    """The raw bytes of body ``hash``, whatever method packed it."""
    row = db.execute("SELECT compression, data FROM bodies WHERE hash = ?", [hash]).fetchone()
    if row is None:
        raise StorageError("no body with this hash in the archive", subject=hash)
    return unpack(db, row[1], row[0])


def unpack(db: Database, data: bytes, method: str) -> bytes:
    """Unpack a ``bodies.data`` value, loading its dictionary when the method names one."""
    dictionary_id = dictionary_id_of(method)
    dictionary = None if dictionary_id is None else load_dictionary(db, dictionary_id)
    return decompress(data, method, dictionary)


def site_dictionaries(db: Database) -> dict[str, Dictionary]:
    """The newest dictionary of each site that has one."""
    rows = db.execute(
        "SELECT id, site, data FROM zstd_dictionaries"
        " WHERE id IN (SELECT max(id) FROM zstd_dictionaries GROUP BY site)"
    ).fetchall()
    return {site: Dictionary(int(id_), site, bytes(data)) for id_, site, data in rows}


def crawl_dictionaries(path: str | os.PathLike[str] | None) -> dict[str, Dictionary]:
    """``site_dictionaries`` of the archive at ``path``, read without creating or changing it,
    for a crawl about to pack bodies; none when there is no archive (or no table) yet."""
    if not path or not os.path.exists(path):
        return {}
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        db = Database(conn)
        return site_dictionaries(db) if db["zstd_dictionaries"].exists() else {}
    except sqlite3.Error as exc:  # not an archive: the store pipeline says so, in one line
        log.debug("no dictionaries read from %s: %s", path, exc)
        return {}
    finally:
        conn.close()


def sites_to_train(db: Database, sites: set[str] | list[str]) -> dict[str, int]:
    """Those of ``sites`` without a dictionary that now hold enough bodies to train one,
    with their count of distinct bodies."""
    if not sites:
        return {}
    marks = ", ".join("?" for _ in sites)
    rows = db.execute(
        "SELECT site, count(DISTINCT body_hash) FROM captures"
        f" WHERE site IN ({marks}) AND body_hash IS NOT NULL"
        " AND site NOT IN (SELECT site FROM zstd_dictionaries)"
        " GROUP BY site HAVING count(DISTINCT body_hash) >= ?",
        [*sorted(sites), TRAIN_MIN_BODIES],
    ).fetchall()
    return {site: int(count) for site, count in rows}


def _site_body_hashes(db: Database, site: str, limit: int) -> list[str]:
    rows = db.execute(
        "SELECT body_hash FROM captures WHERE site = ? AND body_hash IS NOT NULL"
        " GROUP BY body_hash ORDER BY max(id) DESC LIMIT ?",
        [site, limit],
    ).fetchall()
    return [row[0] for row in rows]


def training_samples(db: Database, site: str) -> list[bytes]:
    """The raw bodies a dictionary for ``site`` is trained on: its newest distinct ones, up to
    ``TRAIN_MAX_BYTES`` once there are ``TRAIN_MIN_BODIES``."""
    samples: list[bytes] = []
    total = 0
    for hash_ in _site_body_hashes(db, site, TRAIN_MAX_SAMPLES):
        if total >= TRAIN_MAX_BYTES and len(samples) >= TRAIN_MIN_BODIES:
            break
        samples.append(read_body(db, hash_))
        total += len(samples[-1])
    return samples


def train_for_site(samples: list[bytes]) -> tuple[bytes, int] | None:
    """A dictionary trained on ``samples`` and how many it was trained on, or None when they
    are too few or it packs the held-out ones less than ``MIN_GAIN`` smaller than zstd
    alone. No database: a worker process can run it."""
    if len(samples) < TRAIN_MIN_BODIES:
        return None
    held_out, training = samples[:HELD_OUT], samples[HELD_OUT:]
    size = min(DICTIONARY_SIZE, sum(map(len, training)) // 10)
    if size < 1024:
        return None
    data = train_dictionary(training, size)
    plain = sum(len(compress(body, DEFAULT_METHOD)) for body in held_out)
    probe = Dictionary(0, "", data)
    packed = sum(len(pack_body(body, probe)["data"]) for body in held_out)
    if packed > plain * (1 - MIN_GAIN):
        log.info("no dictionary: %d vs %d bytes on held-out bodies", packed, plain)
        return None
    return data, len(training)


def keep_dictionary(db: Database, site: str, data: bytes, samples: int) -> Dictionary:
    """Store a trained dictionary; the caller holds the write transaction."""
    cursor = db.execute(
        "INSERT INTO zstd_dictionaries (site, size, samples, trained_at, data)"
        " VALUES (?, ?, ?, ?, ?)",
        [site, len(data), samples, utc_now(), data],
    )
    return Dictionary(int(cursor.lastrowid or 0), site, data)


def bodies_to_repack(db: Database, dictionary: Dictionary) -> list[tuple[str, int, bytes]]:
    """(hash, packed size, raw bytes) of the site's bodies not packed with ``dictionary``."""
    rows = db.execute(
        "SELECT b.hash, b.compression, b.data FROM bodies b WHERE b.compression != ?"
        " AND b.hash IN (SELECT body_hash FROM captures WHERE site = ?)",
        [dict_method(dictionary.id), dictionary.site],
    ).fetchall()
    return [(hash_, len(data), unpack(db, data, method)) for hash_, method, data in rows]


def repack(dictionary: Dictionary, bodies: list[tuple[str, int, bytes]]) -> list[dict[str, Any]]:
    """The ``bodies`` rows of those ``bodies_to_repack`` that ``dictionary`` makes smaller.
    No database: a worker process can run it."""
    rows = (pack_body(raw, dictionary) for _hash, _size, raw in bodies)
    return [
        row for row, (_h, size, _r) in zip(rows, bodies, strict=True) if len(row["data"]) < size
    ]


def apply_repack(db: Database, rows: list[dict[str, Any]]) -> None:
    """Write re-packed bodies; the caller holds the write transaction."""
    db.conn.executemany(
        "UPDATE bodies SET compression = :compression, data = :data WHERE hash = :hash", rows
    )


def train_site(db: Database, site: str) -> Dictionary | None:
    """Train, keep and re-pack with a dictionary for ``site`` in this process, if it helps
    enough; the caller holds the write transaction."""
    trained = train_for_site(training_samples(db, site))
    if trained is None:
        return None
    dictionary = keep_dictionary(db, site, *trained)
    apply_repack(db, repack(dictionary, bodies_to_repack(db, dictionary)))
    return dictionary


def train_sites(
    db: Database, sites: set[str], tried: dict[str, int] | None = None
) -> list[Dictionary]:
    """Train (and re-pack with) a dictionary for each of ``sites`` that is ready for one,
    each site in its own write transaction. ``tried`` (site: bodies at the last try) is
    updated, so a site where a dictionary did not help is tried again only once it has
    twice as many bodies."""
    tried = {} if tried is None else tried
    trained = []
    for site, count in sites_to_train(db, sites).items():
        if count < 2 * tried.get(site, 0):
            continue
        tried[site] = count
        with immediate(db):
            dictionary = train_site(db, site)
        if dictionary is not None:
            log.info("dictionary %d for %s", dictionary.id, site)
            trained.append(dictionary)
    return trained
