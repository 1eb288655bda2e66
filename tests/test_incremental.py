"""Incremental crawls: a second run skips what is fresh, re-fetches conditionally after the
refresh window, records unchanged pages without new versions, `--only-new`, `--refresh`, and
`--resume` after Ctrl-C or SIGKILL. Real crawls in subprocesses against a loopback site; the
clock is moved with ARCHIVE_NOW ("an hour later") instead of waiting."""

import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.crawlsite import (
    Page,
    SiteServer,
    archive_command,
    article,
    child_env,
    front,
    outcomes,
    rows,
    rss,
    run_archive,
)

pytestmark = pytest.mark.crawl

STORIES = [f"/news/story-{n}.html" for n in range(1, 7)]


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat(timespec="seconds")


def story_requests(server: SiteServer, since: int = 0) -> list[str]:
    return [s.path for s in server.seen()[since:] if s.path.startswith("/news/story-")]


def test_an_hour_later_nothing_unchanged_is_fetched(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    feed = site.url("/feed.xml")
    assert run_archive("crawl", "feed", feed, db=db).status == 0
    before = len(site.seen())
    run = run_archive("crawl", "feed", feed, db=db, ARCHIVE_NOW=later(hours=1))
    assert run.status == 0, run
    assert story_requests(site, before) == []
    # The feed itself is asked for again, conditionally, and has not changed.
    (feed_request,) = [s for s in site.seen()[before:] if s.path == "/feed.xml"]
    assert feed_request.headers.get("If-None-Match") and feed_request.status == 304
    assert outcomes(db, crawl_id=2) == {"/feed.xml": "unchanged"}
    assert "skipped: archived within the refresh window        6" in run.stdout
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]


def test_after_the_window_pages_are_refetched_conditionally(
    site: SiteServer, tmp_path: Path
) -> None:
    site.routes["/news/story-1.html"].etag = False  # this server sends no validator here
    db = tmp_path / "a.db"
    feed = site.url("/feed.xml")
    assert run_archive("crawl", "feed", feed, db=db).status == 0
    before = len(site.seen())
    run = run_archive("crawl", "feed", feed, db=db, ARCHIVE_NOW=later(days=2))
    assert run.status == 0, run
    again = [s for s in site.seen()[before:] if s.path.startswith("/news/story-")]
    assert sorted(s.path for s in again) == sorted(STORIES)
    by_path = {s.path: s for s in again}
    assert "If-None-Match" not in by_path["/news/story-1.html"].headers
    assert by_path["/news/story-1.html"].status == 200
    assert all(by_path[p].status == 304 for p in STORIES[1:])
    reasons = dict(
        rows(db, "SELECT requested_url, error FROM captures WHERE crawl_id = 2 AND outcome = ?",
             "unchanged")
    )  # fmt: skip
    assert reasons[site.url("/news/story-1.html")].startswith("same body as the capture of ")
    assert reasons[site.url("/news/story-2.html")].endswith("(HTTP 304)")
    assert len(reasons) == 7  # six stories and the feed
    assert "unchanged" in run.stdout and "failed" not in run.stdout


def test_a_changed_page_is_stored_again(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    feed = site.url("/feed.xml")
    assert run_archive("crawl", "feed", feed, db=db).status == 0
    site.routes["/news/story-3.html"] = Page(article("story-3", "Story three, corrected"))
    run = run_archive("crawl", "feed", feed, db=db, ARCHIVE_REFRESH_WINDOW="0")
    assert run.status == 0, run
    got = outcomes(db, crawl_id=2)
    assert got.pop("/news/story-3.html") == "article"
    assert set(got.values()) == {"unchanged"}
    titles = rows(db, "SELECT title FROM articles WHERE url LIKE ?", "%story-3%")
    assert titles == [("Story three, corrected",)]


def test_only_new_fetches_urls_never_seen(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    feed = site.url("/feed.xml")
    assert run_archive("crawl", "feed", feed, db=db).status == 0
    site.routes["/news/story-7.html"] = Page(article("story-7", "Story number 7"))
    site.routes["/feed.xml"] = Page(rss(site.base, [*STORIES, "/news/story-7.html"]))
    before = len(site.seen())
    run = run_archive("crawl", "feed", feed, "--only-new", "--refresh", db=db)
    assert run.status == 0, run
    assert story_requests(site, before) == ["/news/story-7.html"]
    assert "skipped: seen before (--only-new)" in run.stdout


def test_refresh_fetches_fresh_pages_again(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    feed = site.url("/feed.xml")
    assert run_archive("crawl", "feed", feed, db=db).status == 0
    before = len(site.seen())
    run = run_archive("crawl", "feed", feed, "--refresh", db=db)
    assert run.status == 0, run
    assert sorted(story_requests(site, before)) == sorted(STORIES)
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]


def slow_site(server: SiteServer, count: int) -> list[str]:
    """A front linking ``count`` articles that each take a moment to serve."""
    paths = [f"/news/slow-{n}.html" for n in range(count)]
    server.routes["/"] = Page(front("Front", paths))
    server.routes["/news/"] = Page(front("News", []))
    for path in paths:
        server.routes[path] = Page(article(path[6:-5], f"Slow story {path}"), delay=0.4)
    return paths


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_resume_after_a_stop_loses_and_duplicates_nothing(
    tmp_path: Path, stop: signal.Signals, wait_until, capture_count
) -> None:
    db = tmp_path / "a.db"
    with SiteServer() as server:
        paths = slow_site(server, 30)
        args = ("crawl", "site", server.url("/"), "--depth", "1")
        # A delay between requests, so the stop comes mid-crawl.
        command = archive_command(*args, db=db, DOWNLOAD_DELAY="0.2")
        child = subprocess.Popen(
            command, cwd=tmp_path, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_until(lambda: capture_count(db) >= 6, what="6 captures")
        child.send_signal(stop)
        _, err = child.communicate(timeout=30)
        interrupted = rows(db, "SELECT finished_at, finish_reason FROM crawls")
        assert interrupted[0][1] == (None if stop == signal.SIGKILL else "shutdown"), err
        done_before = {url for (url,) in rows(db, "SELECT requested_url FROM captures")}
        assert 6 <= len(done_before) < 28, len(done_before)
        before = len(server.seen())
        run = run_archive(*args, "--resume", db=db)
        assert run.status == 0, run
        resumed = [s.path for s in server.seen()[before:] if s.path != "/robots.txt"]
    captured = rows(db, "SELECT requested_url, count(*) FROM captures GROUP BY 1")
    assert {url: n for url, n in captured if n != 1} == {}
    assert len(captured) == 32  # two fronts and every story, each exactly once
    assert rows(db, "SELECT count(*) FROM articles") == [(30,)]
    # The resumed run downloaded exactly what the first one had not captured.
    assert sorted(resumed) == sorted(
        p for p in ["/", "/news/", *paths] if server.url(p) not in done_before
    )
    assert "skipped: done by the interrupted run" in run.stdout


def test_resume_with_nothing_interrupted_just_crawls(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "feed", site.url("/feed.xml"), "--resume", db=db)
    assert run.status == 0, run
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]


# -- the archive's side: archive.store.read.frontier on a real database, no crawl ---------


def _capture(url: str, at: str, outcome: str, body: bytes | None, **extra: object) -> object:
    from archive.records import Capture

    headers = extra.pop("headers", [("ETag", '"v1"'), ("Last-Modified", "Sat, 28 Nov 2026")])
    return Capture(
        requested_url=url, fetched_at=at, outcome=outcome, status=200, body=body,
        response_headers=headers, content_type="text/html",
        error=None if outcome == "article" else "why", **extra,
    )  # fmt: skip


def test_frontier_last_capture_keeps_validators_across_unchanged_captures(tmp_path: Path) -> None:
    from archive.records import ArticleRecord
    from archive.store.bodies.compress import body_hash
    from archive.store.db.archive_db import ArchiveDB
    from archive.store.read import frontier

    url = "https://example.org/a"
    body = b"<html>the page</html>"
    with ArchiveDB(tmp_path / "a.db") as archive:
        archive.store(
            _capture(url, "2026-11-28T10:00:00+00:00", "article", body),
            ArticleRecord(url=url, title="A", text="words " * 50),
        )
        # The same body again, now with a new ETag; then a 304, which has no body or headers.
        new_etag = [("ETag", '"v2"')]
        archive.store(
            _capture(url, "2026-11-28T11:00:00+00:00", "unchanged", body, headers=new_etag)
        )
        archive.store(_capture(url, "2026-11-28T12:00:00+00:00", "unchanged", None, headers=[]))
        archive.store(_capture(url, "2026-11-28T13:00:00+00:00", "fetch-error", None))
        last = frontier.last_capture(archive.db, url)
        assert last is not None
        assert last.fetched_at == "2026-11-28T12:00:00+00:00"  # failures do not count
        assert (last.etag, last.last_modified) == ('"v2"', None)
        assert last.body_hash == body_hash(body) and last.is_article
        assert frontier.stored_body(archive.db, last.body_hash) == body
        assert frontier.has_seen(archive.db, url)
        assert frontier.last_capture(archive.db, "https://example.org/other") is None


def test_frontier_failures_are_not_seen_and_resume_chains(tmp_path: Path) -> None:
    from archive.store.db.archive_db import ArchiveDB
    from archive.store.read import frontier

    with ArchiveDB(tmp_path / "a.db") as archive:
        archive.store(_capture("https://example.org/x", "2026-11-28T10:00:00+00:00", "http-error",
                               None))  # fmt: skip
        assert not frontier.has_seen(archive.db, "https://example.org/x")
        args = {"url": "https://example.org/feed"}
        done = archive.start_crawl("feed", args)
        archive.finish_crawl(done, "finished", {})
        killed = archive.start_crawl("feed", args)  # never finished: killed
        stopped = archive.start_crawl("feed", {**args, "resume": True})
        archive.finish_crawl(stopped, "shutdown", {})
        archive.start_crawl("feed", {"url": "https://example.org/other"})
        archive.store(_capture("https://example.org/1", "2026-11-28T10:00:00+00:00", "robots",
                               None), crawl_id=killed)  # fmt: skip
        chain = frontier.interrupted_chain(archive.db, "feed", args)
        assert chain == [stopped, killed]
        assert frontier.done_in_crawls(archive.db, chain) == {"https://example.org/1"}
        archive.finish_crawl(archive.start_crawl("feed", args), "finished", {})
        assert frontier.interrupted_chain(archive.db, "feed", args) == []
