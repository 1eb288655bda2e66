"""`archive save` and `archive ingest` end, as crawls do, with the health flags they raised.

The archive holds three healthy runs of a loopback site (15 dated articles each); then its
pages are redesigned into lists of links without dates. A save (or a distributed crawl,
ingested) of the redesigned pages ends with a FLAG line naming the site; of healthy pages,
with none.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from archive.store.db.archive_db import ArchiveDB
from tests.crawlsite import SiteServer, article, child_env, front, rss, run_archive
from tests.httpserver import Route
from tests.redisserver import redis_server
from tests.test_health import _store_run

pytestmark = pytest.mark.crawl

PAGES = 12
FLAG = "FLAG 127.0.0.1: articles 100% -> 0% since crawl 4"


def store_history(db: Path, base: str, runs: int = 3, articles: int = 15) -> None:
    """Healthy earlier runs of the site at ``base``, as the archive keeps them."""
    with ArchiveDB(db) as archive:
        for run in range(runs):
            _store_run(archive, run, articles, 0, dated=True, base=f"{base}/earlier")


def serve_pages(server: SiteServer, *, redesigned: bool) -> list[str]:
    """Today's pages: articles, or (after the redesign) lists of links; and a feed of them."""
    paths = [f"/news/today-{n}.html" for n in range(PAGES)]
    for n, path in enumerate(paths):
        if redesigned:
            body = front(f"Story {n}", [f"/news/related-{n}-{k}.html" for k in range(8)])
        else:
            body = article(path[6:-5], f"Story {n} of today about the harbour")
        server.routes[path] = Route(body)
    server.routes["/feed.xml"] = Route(rss(server.base, paths), content_type="application/rss+xml")
    return [server.url(path) for path in paths]


@pytest.mark.parametrize("redesigned", [False, True])
def test_save_ends_with_the_flags_it_raised(tmp_path: Path, redesigned: bool) -> None:
    db = tmp_path / "a.db"
    with SiteServer() as server:
        store_history(db, server.base)
        urls = serve_pages(server, redesigned=redesigned)
        run = run_archive("save", *urls, db=db)
    flags = [line for line in run.stdout.splitlines() if line.startswith("FLAG ")]
    if redesigned:
        assert run.status == 1, run  # no URL held an article
        assert len(flags) == 1 and flags[0].startswith(FLAG), run
        assert flags[0].endswith("(archive health --site 127.0.0.1)")
    else:
        assert run.status == 0, run
        assert flags == []


def test_ingest_ends_with_the_flags_of_the_crawls_it_stored(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with SiteServer() as server, redis_server(tmp_path) as redis_url:
        store_history(db, server.base)
        serve_pages(server, redesigned=True)
        worker = run_archive(
            "crawl", "feed", server.url("/feed.xml"), "--redis", redis_url,
            db=tmp_path / "worker.db", ARCHIVE_REDIS_IDLE_CLOSE="1",
        )  # fmt: skip
        assert worker.status == 0, worker
        assert "FLAG" not in worker.stdout  # a worker stores nothing: the writer judges
        ingest = subprocess.run(
            [sys.executable, "-m", "archive", "ingest", "--db", str(db), "--redis", redis_url,
             "--idle-exit", "1"],
            env=child_env(), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    assert "Stored 13 captures" in ingest.stdout  # the feed and its 12 pages
    flags = [line for line in ingest.stdout.splitlines() if line.startswith("FLAG ")]
    assert len(flags) == 1 and flags[0].startswith(FLAG), ingest.stdout
