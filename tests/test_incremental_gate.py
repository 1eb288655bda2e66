"""The incremental gate (``crawler.middlewares.incremental``) in-process: a Scrapy crawler from
``scrapy.utils.test.get_crawler`` (no reactor, no network), a real archive file, and one
parametrized case for each row of the decision table in the module's docstring.

The archive holds captures made an hour before "now" (``ARCHIVE_NOW``), all by one crawl run
that never finished, so ``--resume`` has something to resume.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from archive.records import Outcome
from archive.store.db.archive_db import ArchiveDB
from crawler.middlewares.incremental import (
    HUB,
    INDEX,
    PAGE,
    REPLAYED,
    ROLE,
    STORED,
    UNCHANGED,
    IncrementalMiddleware,
    Skipped,
)
from tests.storage_helpers import capture, record

CAPTURED_AT = "2026-11-28T10:00:00+00:00"
NOW = "2026-11-28T11:00:00+00:00"  # an hour after every capture
BASE = "https://news.example.org"
STORY = f"{BASE}/news/story.html"  # an article
FRONT = f"{BASE}/politics/"  # a section front: not an article
FEED = f"{BASE}/feed.xml"  # an index document
BROKEN = f"{BASE}/news/broken.html"  # only ever failed
NEW = f"{BASE}/news/new.html"  # never seen
ETAG = '"v1"'
LAST_MODIFIED = "Sat, 28 Nov 2026 09:00:00 GMT"
BODIES = {STORY: b"<html>story</html>", FRONT: b"<html>front</html>", FEED: b"<rss></rss>"}

DAY, HALF_HOUR = "86400", "1800"


@pytest.fixture
def archive_file(archive: ArchiveDB, tmp_path: Path) -> Path:
    crawl = archive.start_crawl("site", {})  # never finished: an interrupted run
    validators = [("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)]
    for url, body in BODIES.items():
        outcome = Outcome.ARTICLE if url == STORY else Outcome.NOT_ARTICLE
        archive.store(
            capture(
                requested_url=url,
                final_url=url,
                fetched_at=CAPTURED_AT,
                outcome=outcome,
                body=body,
                response_headers=[("Content-Type", "text/html"), *validators],
            ),
            record(url=url, canonical_url=None) if outcome == Outcome.ARTICLE else None,
            crawl_id=crawl,
        )
    archive.store(
        capture(
            requested_url=BROKEN,
            final_url=None,
            fetched_at=CAPTURED_AT,
            outcome=Outcome.FETCH_ERROR,
            status=None,
            body=None,
            error="timeout",
        ),
        crawl_id=crawl,
    )
    return tmp_path / "archive.db"


Gate = Callable[..., IncrementalMiddleware]


@pytest.fixture
def gate(archive_file: Path) -> Iterator[Gate]:
    """``gate(**settings)``: the middleware of a fresh crawler, its spider opened."""
    opened: list[IncrementalMiddleware] = []

    def make(page_limit: int = 0, **settings: Any) -> IncrementalMiddleware:
        crawler = get_crawler(
            Spider, {"ARCHIVE_DB": str(archive_file), "ARCHIVE_NOW": NOW, **settings}
        )
        crawler.spider = Spider.from_crawler(crawler, name="site")
        crawler.spider.page_limit = page_limit  # type: ignore[attr-defined]
        middleware = IncrementalMiddleware.from_crawler(crawler)
        middleware.spider_opened(crawler.spider)
        opened.append(middleware)
        return middleware

    yield make
    for middleware in opened:
        middleware.spider_closed(middleware.crawler.spider)


def decide(middleware: IncrementalMiddleware, url: str, role: str | None) -> tuple[str, str]:
    """What the gate does with a request: fetch it (plainly or conditionally), skip it (and
    why), or replay the archived body."""
    request = Request(url, meta={ROLE: role} if role else {})
    try:
        answer = middleware.process_request(request)
    except Skipped as skipped:
        return "skip", skipped.kind
    if answer is not None:
        assert answer.body == BODIES[url]
        return "replay", request.meta[REPLAYED]
    if b"If-None-Match" in request.headers:
        assert request.headers[b"If-Modified-Since"] == LAST_MODIFIED.encode()
        return "conditional", request.headers[b"If-None-Match"].decode()
    return "fetch", ""


WINDOW_DAY = {"ARCHIVE_REFRESH_WINDOW": DAY}


@pytest.mark.parametrize(
    ("settings", "url", "role", "expected"),
    [
        # Requests without a role (robots.txt, `archive save`) pass untouched.
        (WINDOW_DAY, STORY, None, ("fetch", "")),
        # 1. --resume: what the interrupted run captured is skipped (a page) or replayed.
        ({"ARCHIVE_RESUME": True}, STORY, PAGE, ("skip", "resumed")),
        ({"ARCHIVE_RESUME": True}, FRONT, HUB, ("replay", "done by the interrupted run")),
        ({"ARCHIVE_RESUME": True}, NEW, PAGE, ("fetch", "")),
        # 2. --only-new: a page the archive ever got an answer from is skipped ...
        ({"ARCHIVE_ONLY_NEW": True}, STORY, PAGE, ("skip", "seen")),
        # ... but not one that only ever failed, nor an index document.
        ({"ARCHIVE_ONLY_NEW": True}, BROKEN, PAGE, ("fetch", "")),
        ({"ARCHIVE_ONLY_NEW": True}, FEED, INDEX, ("conditional", ETAG)),
        # 3. The refresh window: a page captured within it is skipped ...
        (WINDOW_DAY, STORY, PAGE, ("skip", "fresh")),
        # ... a site page that is an article is replayed, for its links ...
        (WINDOW_DAY, STORY, HUB, ("replay", f"captured {CAPTURED_AT}, still fresh")),
        # ... while fronts and index documents are always fetched again.
        (WINDOW_DAY, FRONT, HUB, ("conditional", ETAG)),
        (WINDOW_DAY, FEED, INDEX, ("conditional", ETAG)),
        # Outside the window, or with --refresh, the page is fetched again.
        ({"ARCHIVE_REFRESH_WINDOW": HALF_HOUR}, STORY, PAGE, ("conditional", ETAG)),
        ({**WINDOW_DAY, "ARCHIVE_REFRESH": True}, STORY, PAGE, ("conditional", ETAG)),
        ({"ARCHIVE_REFRESH_WINDOW": "0"}, STORY, PAGE, ("conditional", ETAG)),
        # 5. Never captured, or only failed: a plain fetch, nothing to be conditional on.
        (WINDOW_DAY, NEW, PAGE, ("fetch", "")),
        (WINDOW_DAY, BROKEN, PAGE, ("fetch", "")),
    ],
)
def test_the_gate_decides_as_its_table_says(
    gate: Gate, settings: dict, url: str, role: str | None, expected: tuple[str, str]
) -> None:
    assert decide(gate(**settings), url, role) == expected


def test_the_gate_decides_once_per_request_whatever_redirects_and_retries_do(gate: Gate) -> None:
    middleware = gate(**WINDOW_DAY)
    request = Request(STORY, meta={ROLE: PAGE})
    with pytest.raises(Skipped):
        middleware.process_request(request)
    assert middleware.process_request(request) is None  # the same request again: let through


def test_4_the_page_limit_counts_pages_not_index_documents(gate: Gate) -> None:
    middleware = gate(page_limit=2)
    assert decide(middleware, NEW, PAGE) == ("fetch", "")
    assert decide(middleware, FEED, INDEX) == ("conditional", ETAG)  # not counted
    assert decide(middleware, FRONT, HUB) == ("conditional", ETAG)
    assert decide(middleware, STORY, PAGE) == ("skip", "limit")
    assert middleware.crawler.spider.limit_reached is True  # type: ignore[union-attr]
    assert middleware.stats.get_value("archive/skipped/limit") == 1


def fetched(middleware: IncrementalMiddleware, status: int, body: bytes) -> Request:
    request = Request(STORY, meta={ROLE: PAGE})
    assert middleware.process_request(request) is None
    response = Response(STORY, status=status, body=body, request=request)
    assert middleware.process_response(request, response) is response
    return request


def test_5_a_304_marks_the_page_unchanged_and_attaches_the_archived_body(gate: Gate) -> None:
    middleware = gate(ARCHIVE_REFRESH=True)
    request = fetched(middleware, 304, b"")
    assert request.meta[UNCHANGED] == f"not modified since the capture of {CAPTURED_AT} (HTTP 304)"
    assert request.meta[STORED].body == BODIES[STORY]
    assert middleware.stats.get_value("archive/incremental/not_modified") == 1


def test_5_the_same_body_again_marks_the_page_unchanged(gate: Gate) -> None:
    request = fetched(gate(ARCHIVE_REFRESH=True), 200, BODIES[STORY])
    assert request.meta[UNCHANGED] == f"same body as the capture of {CAPTURED_AT}"


def test_5_a_new_body_is_not_unchanged(gate: Gate) -> None:
    request = fetched(gate(ARCHIVE_REFRESH=True), 200, b"<html>story, edited</html>")
    assert UNCHANGED not in request.meta and STORED not in request.meta


def test_without_an_archive_the_gate_is_not_configured() -> None:
    with pytest.raises(NotConfigured):
        IncrementalMiddleware.from_crawler(get_crawler(Spider))
