"""Crawls against a loopback server that misbehaves on purpose: 5xx storms, 429 with
Retry-After, connection resets, a stalled body, redirect loops, malformed, gzip-bombed and
huge feeds and sitemaps, wrong or missing charsets. Every case must end as a capture with a
reason, the crawl must go on, and the exit status must say whether everything succeeded."""

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawlsite import (
    Page,
    SiteServer,
    article,
    gzip_bomb,
    outcomes,
    rows,
    rss,
    run_archive,
    sitemap,
)
from tests.crawlsite import Run as CrawlRun

pytestmark = pytest.mark.crawl

LIMITS = {"DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "2", "RETRY_BACKOFF_MAX": "5"}
# Answers that break the connection, crawled apart from the others: a broken connection may
# cost a neighbour's request on the same keep-alive pool an attempt, and the HTTP-fault tests
# count attempts exactly.
BREAKING = frozenset({"/reset.html", "/stall.html", "/loop"})


def latin1_article() -> bytes:
    """An article in windows-1252 with no charset anywhere: the crawler must guess."""
    page = article("latin", "Café owners vote on the harbour façade").decode("utf-8")
    page = page.replace('<meta charset="utf-8">', "")
    return page.encode("cp1252")


PAGES = {
    "/storm.html": Page(article("storm", "After the storm"), statuses=(503, 503)),
    "/down.html": Page(article("down", "Down"), status=500, etag=False),
    "/busy.html": Page(article("busy", "Busy"), statuses=(429,), headers=(("Retry-After", "1"),)),
    "/later.html": Page(b"slow down", status=429, headers=(("Retry-After", "3600"),)),
    "/reset.html": Page(article("reset", "Reset"), reset=True),
    "/stall.html": Page(article("stall", "Stall"), truncate=300, stall_seconds=4),
    "/loop": Page(b"", status=302, headers=(("Location", "/loop"),), etag=False),
    "/latin1.html": Page(latin1_article(), content_type="text/html"),
    "/wrong-charset.html": Page(
        article("wrong", "Déjà vu at the harbour"), content_type="text/html; charset=iso-8859-1"
    ),
    "/fine.html": Page(article("fine", "A fine story")),
}


@dataclass
class Crawl:
    server: SiteServer
    db: Path
    run: CrawlRun


def crawl_feed_of(
    tmp_path_factory: pytest.TempPathFactory, paths: list[str], **settings: str
) -> Iterator[Crawl]:
    db = tmp_path_factory.mktemp("faults") / "a.db"
    with SiteServer({path: PAGES[path] for path in paths}) as server:
        server.routes["/feed.xml"] = Page(rss(server.base, paths), content_type="text/xml")
        run = run_archive("crawl", "feed", server.url("/feed.xml"), db=db, **settings)
        yield Crawl(server, db, run)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """One feed crawl whose entries answer with HTTP errors, retry hints and odd charsets."""
    paths = [path for path in PAGES if path not in BREAKING]
    yield from crawl_feed_of(tmp_path_factory, paths, **{**LIMITS, "DOWNLOAD_TIMEOUT": "10"})


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """One feed crawl whose entries reset, stall or loop (and one that is fine)."""
    yield from crawl_feed_of(tmp_path_factory, [*sorted(BREAKING), "/fine.html"], **LIMITS)


def error_of(crawl: Crawl, path: str) -> tuple[str, str | None]:
    ((outcome, error),) = rows(
        crawl.db,
        "SELECT outcome, error FROM captures WHERE requested_url = ?",
        crawl.server.url(path),
    )
    return outcome, error


@pytest.mark.parametrize("name", ["faulty", "broken"])
def test_every_fault_is_a_capture_and_the_exit_status_is_1(
    name: str, request: pytest.FixtureRequest
) -> None:
    crawl: Crawl = request.getfixturevalue(name)
    assert crawl.run.status == 1, crawl.run
    expected = BREAKING | {"/fine.html"} if name == "broken" else set(PAGES) - BREAKING
    assert set(outcomes(crawl.db)) == {"/feed.xml", *expected}
    assert outcomes(crawl.db)["/fine.html"] == "article"
    assert "Traceback" not in crawl.run.stderr


def test_a_5xx_storm_that_passes_is_archived_after_retries(faulty: Crawl) -> None:
    assert error_of(faulty, "/storm.html") == ("article", None)
    assert [s.status for s in faulty.server.fetched("/storm.html")] == [503, 503, 200]


def test_a_server_error_that_lasts_is_recorded_after_three_attempts(faulty: Crawl) -> None:
    assert error_of(faulty, "/down.html") == (
        "http-error",
        "HTTP 500 Internal Server Error (after 3 attempts)",
    )
    seen = faulty.server.fetched("/down.html")
    # Back-off: 0.1 s, then 0.2 s (RETRY_BACKOFF_BASE=0.1, doubled per attempt).
    assert seen[1].at - seen[0].at >= 0.09 and seen[2].at - seen[1].at >= 0.19


def test_retry_after_is_honoured(faulty: Crawl) -> None:
    assert error_of(faulty, "/busy.html") == ("article", None)
    first, second = faulty.server.fetched("/busy.html")
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.95


def test_a_retry_after_beyond_the_cap_gives_up_at_once(faulty: Crawl) -> None:
    outcome, error = error_of(faulty, "/later.html")
    assert outcome == "http-error"
    assert error == (
        "HTTP 429 Too Many Requests (the server asked to retry after 3600 s,"
        " longer than RETRY_BACKOFF_MAX)"
    )
    assert len(faulty.server.fetched("/later.html")) == 1


def test_connection_reset_is_a_fetch_error(broken: Crawl) -> None:
    outcome, error = error_of(broken, "/reset.html")
    assert outcome == "fetch-error"
    # A readable reason, not the repr of a list of Twisted failures.
    assert error is not None and "Failure" not in error and "<" not in error
    assert re.fullmatch(r"download failed: .*[Cc]onnection.* \(\w+\) \(after 3 attempts\)", error)


def test_a_stalled_body_times_out(broken: Crawl) -> None:
    outcome, error = error_of(broken, "/stall.html")
    assert outcome == "fetch-error"
    assert error is not None and error.startswith("timed out: no complete response within 1 second")


def test_a_redirect_loop_is_cut(broken: Crawl) -> None:
    assert error_of(broken, "/loop") == ("fetch-error", "too many redirects (REDIRECT_MAX_TIMES)")


def test_missing_and_wrong_charsets_still_give_articles(faulty: Crawl) -> None:
    assert error_of(faulty, "/latin1.html") == ("article", None)
    assert error_of(faulty, "/wrong-charset.html") == ("article", None)
    titles = [t for (t,) in rows(faulty.db, "SELECT title FROM articles WHERE url LIKE '%latin%'")]
    assert titles == ["Café owners vote on the harbour façade"]


def test_failures_get_a_line_each_and_the_rest_is_counted(faulty: Crawl) -> None:
    lines = [line for line in faulty.run.stdout.splitlines() if line.startswith("failed")]
    failed = {"/down.html", "/later.html"}
    assert sorted(line.split()[1].removeprefix(faulty.server.base) for line in lines) == sorted(
        failed
    )
    assert "stored as articles" in faulty.run.stdout


BOMB_LIMIT = {"DOWNLOAD_MAXSIZE": "1000000"}


@pytest.mark.parametrize(
    ("page", "command", "outcome", "reason"),
    [
        (
            Page(b"<rss><channel><title>x</title><item><title>half", content_type="text/xml"),
            "feed",
            "extract-error",
            "not a readable feed: ",
        ),
        (
            Page(gzip_bomb(5_000_000), content_type="text/xml",
                 headers=(("Content-Encoding", "gzip"),)),
            "feed",
            "fetch-error",
            "response too large: over the 1000000-byte limit once decompressed",
        ),
        (
            Page(b"<rss>" + b" " * 50 * 1024 * 1024, content_type="application/rss+xml"),
            "feed",
            "fetch-error",
            "response too large: 52428805 bytes, over the 1000000-byte limit",
        ),
        (
            Page(b"\x89PNG\r\n\x1a\n\x00\x00 not a sitemap", content_type="application/xml"),
            "sitemap",
            "extract-error",
            "not a sitemap: ",
        ),
        (
            Page(gzip_bomb(5_000_000), content_type="application/gzip"),
            "sitemap",
            "extract-error",
            "not a sitemap: over the 1000000-byte limit once decompressed",
        ),
    ],
    ids=["malformed-feed", "gzip-bomb-feed", "50MB-feed", "binary-sitemap", "gzip-bomb-sitemap"],
)  # fmt: skip
def test_bad_feeds_and_sitemaps_end_as_captures_with_a_reason(
    tmp_path: Path, page: Page, command: str, outcome: str, reason: str
) -> None:
    db = tmp_path / "a.db"
    with SiteServer({"/doc": page}) as server:
        run = run_archive("crawl", command, server.url("/doc"), db=db, **BOMB_LIMIT)
    assert run.status == 1, run
    ((got, error),) = rows(db, "SELECT outcome, error FROM captures")
    assert got == outcome and error.startswith(reason), error
    assert f"failed      {server.url('/doc')}  {reason}" in run.stdout


def test_a_feed_in_the_wrong_charset_is_still_read(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.routes["/story.html"] = Page(article("story", "A story"))
        body = rss(server.base, ["/story.html"]).replace(b"Story", "Störy".encode("latin-1"))
        server.routes["/feed.xml"] = Page(body, content_type="application/rss+xml; charset=utf-8")
        run = run_archive("crawl", "feed", server.url("/feed.xml"), db=db)
    assert run.status == 0, run
    assert outcomes(db) == {"/feed.xml": "not-html", "/story.html": "article"}


def test_a_sitemap_gzip_that_is_fine_is_read(tmp_path: Path) -> None:
    # The counterpart of the bomb: a real gzipped sitemap under the limit is read.
    db = tmp_path / "a.db"
    with SiteServer() as server:
        server.routes["/story.html"] = Page(article("story", "A story"))
        packed = gzip.compress(sitemap(server.base, ["/story.html"]))
        server.routes["/s.xml.gz"] = Page(packed, content_type="application/gzip")
        run = run_archive("crawl", "sitemap", server.url("/s.xml.gz"), db=db, **BOMB_LIMIT)
    assert run.status == 0, run
    assert outcomes(db) == {"/s.xml.gz": "not-html", "/story.html": "article"}


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (b"120", 120.0),
        (b" 7 ", 7.0),
        (b"Sat, 28 Nov 2026 12:01:00 GMT", 60.0),
        (b"Sat, 28 Nov 2026 11:00:00 GMT", 0.0),  # in the past: retry now
        (b"soon", None),
        (None, None),
    ],
)
def test_retry_after_header_values(header: bytes | None, seconds: float | None) -> None:
    from datetime import UTC, datetime

    from crawler.middlewares.backoff import retry_after_seconds

    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(header, now=now) == seconds


@pytest.mark.parametrize("per_site", [1, 3])
def test_per_site_concurrency_limit_holds(tmp_path: Path, per_site: int) -> None:
    with SiteServer() as server:
        paths = [f"/slow-{n}.html" for n in range(8)]
        for path in paths:
            server.routes[path] = Page(article(path[1:-5], f"Slow {path}"), delay=0.3)
        server.routes["/feed.xml"] = Page(rss(server.base, paths), content_type="text/xml")
        run = run_archive(
            "crawl", "feed", server.url("/feed.xml"), db=tmp_path / "a.db",
            CONCURRENT_REQUESTS_PER_DOMAIN=str(per_site),
        )  # fmt: skip
        assert run.status == 0, run
        assert server.peak_concurrency == per_site
