"""Removing things from the archive for good: takedowns and retention.

``plan_urls`` and ``plan_site`` select whole articles (a takedown): the articles, all their
versions, every capture of their URLs (failures included) and each body no remaining capture
shares; the search index follows through its triggers and is then optimised, and SQLite's
``secure_delete`` overwrites the freed pages, so the text does not linger in the file.
``plan_before`` applies a retention date: versions and captures older than it go, except each
article's latest version and the captures its record and latest version came from.

A plan is computed first (for the confirmation prompt), then ``execute`` deletes exactly what
it lists, in one transaction.
"""

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.store.db.archive_db import ArchiveDB
from archive.store.read import queries as reading

log = logging.getLogger(__name__)


@dataclass
class PurgePlan:
    """What a purge removes (before ``execute``) or removed (after)."""

    takedown: bool  # whole articles: scrub the freed pages and the search index too
    article_ids: list[int] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # the removed articles' URLs, for display
    version_ids: list[int] = field(default_factory=list)
    capture_ids: list[int] = field(default_factory=list)
    body_hashes: list[str] = field(default_factory=list)  # bodies no other capture shares
    body_bytes: int = 0  # their stored (compressed) size
    site: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.article_ids or self.version_ids or self.capture_ids)


def _ids(values: Iterable[int | str]) -> str:
    """A JSON array for ``IN (SELECT value FROM json_each(?))``: no limit on how many."""
    return json.dumps(sorted(set(values)))


IN_LIST = "IN (SELECT value FROM json_each(?))"


def plan_urls(archive: ArchiveDB, urls: Iterable[str]) -> tuple[PurgePlan, list[str]]:
    """The plan removing the articles at ``urls`` (any URL they were captured from), and
    the URLs that match nothing in the archive (the caller decides whether that is fatal)."""
    plan = PurgePlan(takedown=True)
    missing: list[str] = []
    loose_urls: set[str] = set()
    for url in urls:
        article = reading.get_article(archive.db, url)
        if article is not None:
            plan.article_ids.append(int(article["id"]))
        elif reading.find_captures(archive.db, url, limit=1):
            loose_urls.add(url)  # captures without an article: a takedown removes them too
        else:
            missing.append(url)
    _fill_articles(archive, plan, extra_urls=loose_urls)
    return plan, missing


def plan_site(archive: ArchiveDB, site: str) -> PurgePlan:
    """The plan removing every article and capture of ``site`` (with or without ``www.``)."""
    plan = PurgePlan(takedown=True, site=site)
    where, params = reading.site_clause(site, "site")
    rows = archive.db.execute(f"SELECT id FROM articles WHERE 1 = 1{where}", params)
    plan.article_ids = [row[0] for row in rows]
    captures = archive.db.execute(f"SELECT id FROM captures WHERE 1 = 1{where}", params)
    _fill_articles(archive, plan, extra_captures={row[0] for row in captures})
    return plan


def _fill_articles(
    archive: ArchiveDB,
    plan: PurgePlan,
    *,
    extra_urls: set[str] | None = None,
    extra_captures: set[int] | None = None,
) -> None:
    """Complete a takedown plan from its article ids: versions, captures of the articles'
    URLs (linked or not), and the bodies left unshared."""
    db = archive.db
    ids = _ids(plan.article_ids)
    plan.article_ids = json.loads(ids)
    urls = set(extra_urls or ())
    for url, canonical in db.execute(
        f"SELECT url, canonical_url FROM articles WHERE id {IN_LIST}", [ids]
    ):
        plan.urls.append(url)
        urls.update(u for u in (url, canonical) if u)
    for requested, final in db.execute(
        f"SELECT requested_url, final_url FROM captures WHERE article_id {IN_LIST}", [ids]
    ):
        urls.update(u for u in (requested, final) if u)
    wanted = _ids(urls)
    captures = set(extra_captures or ())
    captures.update(
        row[0]
        for row in db.execute(
            f"SELECT id FROM captures WHERE article_id {IN_LIST}"
            f" OR requested_url {IN_LIST} OR final_url {IN_LIST}",
            [ids, wanted, wanted],
        )
    )
    plan.capture_ids = sorted(captures)
    plan.version_ids = [
        row[0]
        for row in db.execute(f"SELECT id FROM article_versions WHERE article_id {IN_LIST}", [ids])
    ]
    _fill_bodies(archive, plan)


def plan_before(archive: ArchiveDB, before: str) -> PurgePlan:
    """Retention: versions created and captures fetched before ``before`` (an archive
    timestamp), keeping each article's latest version and the captures it still needs."""
    db = archive.db
    plan = PurgePlan(takedown=False)
    plan.version_ids = [
        row[0]
        for row in db.execute(
            "SELECT v.id FROM article_versions v WHERE v.created_at < ? AND v.version <"
            " (SELECT max(w.version) FROM article_versions w WHERE w.article_id = v.article_id)",
            [before],
        )
    ]
    dropped = _ids(plan.version_ids)
    plan.capture_ids = [
        row[0]
        for row in db.execute(
            "SELECT c.id FROM captures c WHERE c.fetched_at < ?"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.capture_id = c.id)"
            " AND NOT EXISTS (SELECT 1 FROM article_versions v WHERE v.capture_id = c.id"
            f" AND v.id NOT {IN_LIST})",
            [before, dropped],
        )
    ]
    _fill_bodies(archive, plan)
    return plan


def _fill_bodies(archive: ArchiveDB, plan: PurgePlan) -> None:
    """The bodies of the plan's captures that no capture outside the plan shares."""
    captures = _ids(plan.capture_ids)
    rows = archive.db.execute(
        "SELECT b.hash, length(b.data) FROM bodies b WHERE b.hash IN"
        f" (SELECT body_hash FROM captures WHERE id {IN_LIST})"
        " AND NOT EXISTS (SELECT 1 FROM captures c WHERE c.body_hash = b.hash"
        f" AND c.id NOT {IN_LIST})",
        [captures, captures],
    ).fetchall()
    plan.body_hashes = sorted(row[0] for row in rows)
    plan.body_bytes = sum(row[1] for row in rows)


def execute(archive: ArchiveDB, plan: PurgePlan) -> PurgePlan:
    """Delete what ``plan`` lists, in one transaction; returns the plan."""
    if plan.empty:
        return plan
    db = archive.db
    if plan.takedown:
        db.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left readable
    with archive.writing("purge"):
        # Articles and captures point at each other: check the keys once, at commit.
        db.execute("PRAGMA defer_foreign_keys = ON")
        db.execute(f"DELETE FROM article_version_rows WHERE id {IN_LIST}", [_ids(plan.version_ids)])
        db.execute(f"DELETE FROM captures WHERE id {IN_LIST}", [_ids(plan.capture_ids)])
        db.execute(f"DELETE FROM articles WHERE id {IN_LIST}", [_ids(plan.article_ids)])
        db.execute(f"DELETE FROM bodies WHERE hash {IN_LIST}", [_ids(plan.body_hashes)])
        if plan.site:
            _drop_site_dictionaries(archive, plan.site)
    if plan.takedown:
        _scrub(archive)
        db.execute("PRAGMA secure_delete = OFF")  # back to SQLite's faster default
    return plan


def _drop_site_dictionaries(archive: ArchiveDB, site: str) -> None:
    """A site's zstd dictionaries are trained on its pages: they go with the site, unless a
    remaining body still needs one."""
    if "zstd_dictionaries" not in archive.db.table_names():
        return
    where, params = reading.site_clause(site, "site")
    archive.db.execute(
        f"DELETE FROM zstd_dictionaries WHERE 1 = 1{where} AND NOT EXISTS"
        " (SELECT 1 FROM bodies b WHERE b.compression = 'zstd-dict:' || zstd_dictionaries.id)",
        params,
    )


def _scrub(archive: ArchiveDB) -> None:
    """After a takedown: merge the search index (deleted rows otherwise linger in old
    segments) and checkpoint the WAL, so the removed text leaves the files."""
    with archive.writing("purge: optimise the search index"):
        archive.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    if archive.path != ":memory:":
        busy, _, _ = archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            log.warning("a reader kept the WAL from being truncated; it will be on next open")
