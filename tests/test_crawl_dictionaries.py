"""A fresh crawl trains its site's zstd dictionary as it goes: real crawls of a loopback site
whose pages share their template, as a news site's do."""

import hashlib
import json
import random
import sqlite3
from pathlib import Path

import pytest

from archive.store.bodies.dictionaries import TRAIN_MIN_BODIES, read_body
from archive.store.db.archive_db import ArchiveDB
from tests.crawlsite import ARTICLE, Page, SiteServer, rows, rss, run_archive

PAGES = TRAIN_MIN_BODIES + 16
# What every page of the site carries besides its story: a large inline script, as real
# templates do (menus, tracking, styles), the same on every page.
_rng = random.Random(7)
TEMPLATE = " ".join(f"var{_rng.randrange(10**6)}=" + str(_rng.random()) for _ in range(2500))


def page(n: int) -> bytes:
    words = random.Random(n).choices(["harbour", "tide", "quay", "ferry", "storm", "vote"], k=300)
    story = f"<p>Story {n}: {' '.join(words)}.</p>".encode()
    script = f"<script>{TEMPLATE}</script>".encode()
    return ARTICLE.replace(b"</head>", script + b"</head>").replace(b"<p>", story + b"<p>", 1)


@pytest.fixture(scope="module")
def site() -> SiteServer:
    with SiteServer() as server:
        paths = [f"/news/story-{n}.html" for n in range(PAGES)]
        for n, path in enumerate(paths):
            server.routes[path] = Page(page(n))
        server.routes["/feed.xml"] = Page(
            rss(server.base, paths), content_type="application/rss+xml"
        )
        yield server


def crawl(site: SiteServer, db: Path, **settings: str) -> dict:
    run = run_archive("crawl", "feed", site.url("/feed.xml"), db=db, **settings)
    assert run.status == 0, run
    ((stats,),) = rows(db, "SELECT stats FROM crawls")
    return json.loads(stats)


@pytest.mark.parametrize("processes", ["0", "2"])
def test_a_fresh_crawl_packs_its_pages_with_the_dictionary_it_trained(
    site: SiteServer, tmp_path: Path, processes: str
) -> None:
    db = tmp_path / "a.db"
    stats = crawl(site, db, ARCHIVE_EXTRACT_PROCESSES=processes)
    assert stats["archive/dictionaries/trained"] == 1
    assert rows(db, "SELECT id, site FROM zstd_dictionaries") == [(1, "127.0.0.1")]
    methods = rows(
        db,
        "SELECT b.compression, count(*) FROM captures c JOIN bodies b ON b.hash = c.body_hash"
        " WHERE c.outcome = 'article' GROUP BY 1",
    )
    assert methods == [("zstd-dict:1", PAGES)]  # the first ones re-packed, the later packed so
    with ArchiveDB(db, create=False) as archive:
        for (hash_,) in archive.db.execute("SELECT hash FROM bodies").fetchall():
            assert hashlib.sha256(read_body(archive.db, hash_)).hexdigest() == hash_


def test_the_archive_ends_smaller_than_without(site: SiteServer, tmp_path: Path) -> None:
    trained, plain = tmp_path / "trained.db", tmp_path / "plain.db"
    crawl(site, trained)
    stats = crawl(site, plain, ARCHIVE_CRAWL_DICTIONARIES="False")
    assert "archive/dictionaries/trained" not in stats
    assert rows(plain, "SELECT count(*) FROM zstd_dictionaries") == [(0,)]
    sizes = {}
    for db in (trained, plain):
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            (free,) = conn.execute("PRAGMA freelist_count").fetchone()
        assert free < 8  # the re-packed bodies' old pages went back to the disk
        sizes[db] = db.stat().st_size
    ((packed_trained,),) = rows(trained, "SELECT sum(length(data)) FROM bodies")
    ((packed_plain,),) = rows(plain, "SELECT sum(length(data)) FROM bodies")
    assert packed_trained < 0.5 * packed_plain
    assert sizes[trained] < 0.8 * sizes[plain]


def _free_pages_after_churn(archive: ArchiveDB) -> int:
    with archive.writing("churn"):
        archive.db.execute("CREATE TABLE IF NOT EXISTS churn (data BLOB)")
        archive.db.execute(
            "INSERT INTO churn SELECT randomblob(50000) FROM (WITH RECURSIVE n(i) AS"
            " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) SELECT i FROM n)"
        )
    with archive.writing("churn"):
        archive.db.execute("DELETE FROM churn")
    return archive.db.execute("PRAGMA freelist_count").fetchone()[0]


def test_a_new_archive_gives_free_pages_back_an_old_one_keeps_them(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "new.db") as archive:
        free = _free_pages_after_churn(archive)
        assert free > 400
        assert archive.give_back(100) == 100  # bounded: a short write
        assert archive.give_back() == free - 100
        assert archive.db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    old = tmp_path / "old.db"
    with ArchiveDB(old) as archive:  # as archives made before: no auto_vacuum
        archive.db.conn.executescript("PRAGMA auto_vacuum = NONE; VACUUM;")
    with ArchiveDB(old) as archive:
        free = _free_pages_after_churn(archive)
        assert archive.give_back() == 0
        assert archive.db.execute("PRAGMA freelist_count").fetchone()[0] == free
