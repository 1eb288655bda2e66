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
from pathlib import Path

from sqlite_utils import Database

from archive.errors import StorageError
from archive.store.bodies.compress import (
    DEFAULT_METHOD,
    Dictionary,
    compress,
    decompress,
    dict_method,
    dictionary_id_of,
    pack_body,
    train_dictionary,
)
from archive.store.db.timestamps import utc_now

log = logging.getLogger(__name__)

DICTIONARY_SIZE = 112 * 1024
# Bodies a site needs before a dictionary is trained, and at most how many it is trained on.
TRAIN_MIN_BODIES = 24
TRAIN_MAX_SAMPLES = 200
# zstd's advice: samples of about 100 times the dictionary. Training time grows with them (a
# site of 560 KB pages took 7 s on 150 samples), the dictionary no better (measured on a site
# of 144 KB pages: 150 samples and 60 packed its other pages to the same size, 1.3 s vs 0.5).
TRAIN_MAX_BYTES = 100 * DICTIONARY_SIZE
# A crawl trains beside its extraction, on its own cores: on fewer samples (training time
# grows with their bytes); pages of one site share their template, which a few dozen show.
CRAWL_TRAIN_MAX_SAMPLES = 2 * TRAIN_MIN_BODIES
CRAWL_TRAIN_MAX_BYTES = 4 * 1024 * 1024
HELD_OUT = 4
MIN_GAIN = 0.10


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


def ready_to_train(bodies: int, tried_at: int = 0) -> bool:
    """Whether a site without a dictionary, with ``bodies`` distinct bodies, is ready for one:
    it has ``TRAIN_MIN_BODIES``, and, when a dictionary trained at ``tried_at`` bodies did not
    help, twice as many by now (a site of unrelated pages is not retrained at every batch)."""
    return bodies >= TRAIN_MIN_BODIES and bodies >= 2 * tried_at


def sites_to_train(
    db: Database, sites: set[str] | list[str], tried: dict[str, int] | None = None
) -> dict[str, int]:
    """Those of ``sites`` without a dictionary that are ``ready_to_train`` (``tried``: the
    bodies each site had at its last try), with their count of distinct bodies."""
    if not sites:
        return {}
    marks = ", ".join("?" for _ in sites)
    rows = db.execute(
        "SELECT site, count(DISTINCT body_hash) FROM captures"
        f" WHERE site IN ({marks}) AND body_hash IS NOT NULL"
        " AND site NOT IN (SELECT site FROM zstd_dictionaries)"
        " GROUP BY site",
        sorted(sites),
    ).fetchall()
    tried = tried or {}
    return {site: int(count) for site, count in rows if ready_to_train(count, tried.get(site, 0))}


def _site_body_hashes(db: Database, site: str, limit: int) -> list[str]:
    rows = db.execute(
        "SELECT body_hash FROM captures WHERE site = ? AND body_hash IS NOT NULL"
        " GROUP BY body_hash ORDER BY max(id) DESC LIMIT ?",
        [site, limit],
    ).fetchall()
    return [row[0] for row in rows]


def training_samples(
    db: Database, site: str, max_bytes: int = TRAIN_MAX_BYTES, max_samples: int = TRAIN_MAX_SAMPLES
) -> list[bytes]:
    """The raw bodies a dictionary for ``site`` is trained on: its newest distinct ones, up to
    ``max_bytes`` once there are ``TRAIN_MIN_BODIES`` (and at most ``max_samples``)."""
    samples: list[bytes] = []
    total = 0
    for hash_ in _site_body_hashes(db, site, max(max_samples, TRAIN_MIN_BODIES)):
        if total >= max_bytes and len(samples) >= TRAIN_MIN_BODIES:
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


def hashes_to_repack(
    db: Database, dictionary: Dictionary, crawl_id: int | None = None
) -> list[str]:
    """The site's bodies not yet packed with ``dictionary`` (its newest); with ``crawl_id``,
    only those that crawl captured (a crawl re-packs its own pages; ``archive compact`` and
    the scheduler's upkeep the older ones)."""
    scope = "" if crawl_id is None else " AND crawl_id = ?"
    rows = db.execute(
        "SELECT b.hash FROM bodies b WHERE b.compression != ?"
        f" AND b.hash IN (SELECT body_hash FROM captures WHERE site = ?{scope})",
        [dict_method(dictionary.id), dictionary.site, *([] if crawl_id is None else [crawl_id])],
    ).fetchall()
    return [row[0] for row in rows]
