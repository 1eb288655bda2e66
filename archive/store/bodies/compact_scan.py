"""What ``archive compact`` reads before it writes: the bodies of each site with how they are
packed now, which sites are ready for a dictionary, and an estimate for ``--dry-run``.

Only the packed length and, for plain ``zstd`` bodies, the first bytes of each body are read
here: a body already at its best costs an index lookup, not a decompression.
"""

import os
from dataclasses import dataclass

from sqlite_utils import Database

from archive.errors import StorageError
from archive.store.bodies.compress import ZSTD, Dictionary, dict_method, has_checksum
from archive.store.bodies.dictionaries import (
    TRAIN_MIN_BODIES,
    ready_to_train,
    site_dictionaries,
    train_for_site,
    training_samples,
)
from archive.store.bodies.repack import REPACKED, read_chunk, repack_chunk
from archive.store.read.queries import site_clause

ESTIMATE_SAMPLE = 48  # bodies packed in this process for a dry run's estimate
ESTIMATE_SITES = 6  # sites to train for which a dry run trains a dictionary (not kept)

# The owner of a body is the site of its newest capture.
_SITE_BODIES = (
    "SELECT b.hash, b.size, b.compression, length(b.data),"
    " CASE WHEN b.compression = ? OR b.compression LIKE 'zstd-dict:%'"
    " THEN substr(b.data, 1, 5) END"
    " FROM bodies b WHERE b.hash IN (SELECT body_hash FROM captures WHERE site IS ?)"
    " AND (SELECT site FROM captures WHERE body_hash = b.hash ORDER BY id DESC LIMIT 1) IS ?"
)
_ORPHAN_BODIES = (
    "SELECT b.hash, b.size, b.compression, length(b.data),"
    " CASE WHEN b.compression = ? OR b.compression LIKE 'zstd-dict:%'"
    " THEN substr(b.data, 1, 5) END"
    " FROM bodies b WHERE NOT EXISTS (SELECT 1 FROM captures WHERE body_hash = b.hash)"
)


@dataclass(frozen=True)
class Body:
    hash: str
    size: int  # raw bytes
    method: str
    packed: int  # bytes as stored
    compacted: bool  # zstd that compact packed (at ZSTD_LEVEL, with a checksum)


@dataclass
class SitePlan:
    """The bodies a site owns and what they should be packed with."""

    site: str | None  # None: bodies of captures without a host, or of no capture
    bodies: list[Body]
    dictionary: Dictionary | None
    train: bool = False  # ready for a dictionary (and none tried yet in this run)

    def is_best(self, body: Body) -> bool:
        if self.dictionary is not None:
            # A crawl packs with the site's dictionary too, but at its fast level: compact
            # re-packs those at ZSTD_LEVEL (about 15% smaller).
            return body.method == dict_method(self.dictionary.id) and body.compacted
        # A site about to be trained: every body would be re-packed with its dictionary.
        return body.compacted and not self.train

    def candidates(self) -> list[Body]:
        return [body for body in self.bodies if not self.is_best(body)]

    @property
    def packed_bytes(self) -> int:
        return sum(body.packed for body in self.bodies)

    @property
    def raw_bytes(self) -> int:
        return sum(body.size for body in self.bodies)


def scan_sites(db: Database, sites: list[str] | None) -> list[SitePlan]:
    """The bodies of ``sites`` (all of the archive's bodies when empty), site by site."""
    dictionaries = site_dictionaries(db)
    plans = []
    for name in _resolve_sites(db, sites):
        bodies = _bodies(db, _SITE_BODIES, [ZSTD, name, name])
        if not bodies:
            continue
        site_plan = SitePlan(name, bodies, dictionaries.get(name) if name else None)
        site_plan.train = _ready(site_plan)
        plans.append(site_plan)
    if not sites:
        orphans = _bodies(db, _ORPHAN_BODIES, [ZSTD])
        if orphans:
            plans.append(SitePlan(None, orphans, None))
    return plans


def _resolve_sites(db: Database, sites: list[str] | None) -> list[str | None]:
    """The ``captures.site`` values meant: every one, or those matching each of ``sites``
    with or without ``www.``; a site that matches none is an error."""
    if not sites:
        return [row[0] for row in db.execute("SELECT DISTINCT site FROM captures ORDER BY site")]
    found: list[str | None] = []
    for site in sites:
        where, params = site_clause(site, "site")
        rows = db.execute(
            f"SELECT DISTINCT site FROM captures WHERE body_hash IS NOT NULL{where}", params
        ).fetchall()
        if not rows:
            raise StorageError("no captured bodies of this site in the archive", subject=site)
        found.extend(row[0] for row in rows if row[0] not in found)
    return found


def _bodies(db: Database, sql: str, params: list[str | None]) -> list[Body]:
    return [
        Body(hash_, int(size), method, int(packed), bool(head) and has_checksum(bytes(head)))
        for hash_, size, method, packed, head in db.execute(sql, params).fetchall()
    ]


def _ready(site_plan: SitePlan) -> bool:
    """Whether to train a dictionary for the site now (``dictionaries.ready_to_train``).
    Compact packs a site's bodies at plain zstd, with a checksum, only when no dictionary was
    kept: so as many such bodies as ``TRAIN_MIN_BODIES`` mean a try at that size did not help,
    and (as the background trainer does) the site is tried again at twice as many bodies."""
    if site_plan.site is None or site_plan.dictionary is not None:
        return False
    compacted = sum(body.compacted for body in site_plan.bodies)
    tried_at = compacted if compacted >= TRAIN_MIN_BODIES else 0
    return ready_to_train(len(site_plan.bodies), tried_at)


def estimate_after(db: Database, plans: list[SitePlan]) -> int:
    """The packed bytes the bodies of ``plans`` would take after a run, from a sample of the
    bodies to re-pack, each packed as a run would. Sites still to train get a dictionary
    trained here (for the ``ESTIMATE_SITES`` largest, applied to all of them), not kept."""
    ready = [p for p in plans if p.train]
    known = [(p, body) for p in plans if not p.train for body in p.candidates()]
    trial: list[tuple[SitePlan, Body]] = []
    for site_plan in sorted(ready, key=lambda p: -p.packed_bytes)[:ESTIMATE_SITES]:
        probe = _probe(db, str(site_plan.site))
        trial.extend((SitePlan(site_plan.site, [], probe), body) for body in site_plan.bodies)
    to_train = sum(p.packed_bytes for p in ready)
    unchanged = sum(p.packed_bytes for p in plans) - to_train - _bytes(known)
    return round(unchanged + _bytes(known) * _ratio(db, known) + to_train * _ratio(db, trial))


def _probe(db: Database, site: str) -> Dictionary | None:
    """A dictionary for ``site`` as a run would train it, not kept; None where none helps."""
    try:
        trained = train_for_site(training_samples(db, site))
    except StorageError:  # zstd could not train on these samples
        return None
    return Dictionary(0, site, trained[0]) if trained else None


def _bytes(todo: list[tuple[SitePlan, Body]]) -> int:
    return sum(body.packed for _, body in todo)


def _ratio(db: Database, todo: list[tuple[SitePlan, Body]]) -> float:
    """Packed size after / before over up to ``ESTIMATE_SAMPLE`` of ``todo``."""
    if not todo:
        return 1.0
    step = max(len(todo) // ESTIMATE_SAMPLE, 1)
    before = after = 0
    for site_plan, body in todo[::step][:ESTIMATE_SAMPLE]:
        old, rows = read_chunk(db, [body.hash])
        for result in repack_chunk(site_plan.dictionary, old, rows):
            before += result.old_size
            after += len(result.data or b"") if result.status == REPACKED else result.old_size
    return after / before if before else 1.0


def file_bytes(path: str) -> int:
    """The bytes the archive takes on disk: the file and its write-ahead log."""
    return sum(os.path.getsize(name) for name in (path, path + "-wal") if os.path.exists(name))
