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
            server.pages[path] = Page(page(n))
        server.pages["/feed.xml"] = Page(
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
