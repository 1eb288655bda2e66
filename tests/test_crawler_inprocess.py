"""Back-off retries and the item pipelines in-process: Scrapy crawlers from
``scrapy.utils.test.get_crawler`` (no reactor, no network, no subprocess), coroutines run with
asyncio, and a real SQLite archive in tmp_path. The crawl tests run the same parts end to end;
these pin each part's own rules, fast."""

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadTimeoutError
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from archive.records import Outcome
from crawler.items import PageItem
from crawler.middlewares.backoff import GAVE_UP, BackoffRetryMiddleware, retry_after_seconds
from crawler.pipelines.extract import ExtractPipeline
from crawler.pipelines.store import StorePipeline
from crawler.results import PageResult, page_stored
from tests.crawlsite import rows

T = TypeVar("T")
ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
TITLE = "Harbour town votes to rebuild its flood wall"
URL = "http://127.0.0.1:8000/news/story.html"


def crawler_with(**settings: Any) -> Crawler:
    crawler = get_crawler(Spider, settings)
    crawler.spider = Spider.from_crawler(crawler, name="page")
    return crawler


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


# -- back-off ------------------------------------------------------------------------------

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        (b"120", 120.0),
        (" 7 ", 7.0),
        ("Sat, 28 Nov 2026 10:01:30 GMT", 90.0),  # an HTTP date, 90 s after NOW
        ("Sat, 28 Nov 2026 09:00:00 GMT", 0.0),  # a date already past: at once
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after_as_seconds_or_an_http_date(header: Any, seconds: float | None) -> None:
    assert retry_after_seconds(header, now=NOW) == seconds


def backoff(**settings: Any) -> BackoffRetryMiddleware:
    base = {"RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0.01, "RETRY_BACKOFF_MAX": 5}
    return BackoffRetryMiddleware.from_crawler(crawler_with(**{**base, **settings}))


def answer(middleware: BackoffRetryMiddleware, request: Request, status: int, **headers: str):
    response = Response(request.url, status=status, headers=headers, request=request)
    return run(middleware.process_response(request, response))


def waited_ms(middleware: BackoffRetryMiddleware) -> int | None:
    return middleware.crawler.stats.get_value("retry/backoff_ms")


def test_each_retry_waits_twice_as_long_as_the_one_before() -> None:
    middleware = backoff()
    first = answer(middleware, Request(URL), 503)
    assert isinstance(first, Request) and first.meta["retry_times"] == 1
    assert waited_ms(middleware) == 10
    second = answer(middleware, first, 503)
    assert isinstance(second, Request) and second.meta["retry_times"] == 2
    assert waited_ms(middleware) == 10 + 20
    # RETRY_TIMES=2: the third answer is final, with no wait.
    final = answer(middleware, second, 503)
    assert isinstance(final, Response) and final.status == 503
    assert waited_ms(middleware) == 30


def test_no_wait_is_longer_than_the_cap() -> None:
    middleware = backoff(RETRY_BACKOFF_BASE=10, RETRY_BACKOFF_MAX=0.02)
    assert isinstance(answer(middleware, Request(URL), 503), Request)
    assert waited_ms(middleware) == 20


def test_retry_after_replaces_the_back_off() -> None:
    middleware = backoff(RETRY_BACKOFF_BASE=10)
    retry = answer(middleware, Request(URL), 429, **{"Retry-After": "0"})
    assert isinstance(retry, Request)
    assert waited_ms(middleware) is None  # asked for no wait: none, despite the 10 s base


def test_a_retry_after_longer_than_the_cap_gives_up_at_once() -> None:
    middleware = backoff(RETRY_BACKOFF_MAX=5)
    request = Request(URL)
    final = answer(middleware, request, 429, **{"Retry-After": "3600"})
    assert isinstance(final, Response) and final.status == 429
    assert request.meta[GAVE_UP] == (
        "the server asked to retry after 3600 s, longer than RETRY_BACKOFF_MAX"
    )
    assert middleware.crawler.stats.get_value("retry/retry_after_too_long") == 1
    assert middleware.crawler.stats.get_value("retry/count") is None


@pytest.mark.parametrize("status", [200, 404])
def test_answers_that_are_not_retried_pass_at_once(status: int) -> None:
    middleware = backoff()
    assert answer(middleware, Request(URL), status).status == status
    assert answer(middleware, Request(URL, meta={"dont_retry": True}), 503).status == 503
    assert waited_ms(middleware) is None


def test_a_timeout_is_retried_after_the_back_off() -> None:
    middleware = backoff()
    retry = run(middleware.process_exception(Request(URL), DownloadTimeoutError("took too long")))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    assert waited_ms(middleware) == 10
    assert run(middleware.process_exception(Request(URL), ValueError("not a fetch"))) is None


# -- the pipelines: extract, then store -------------------------------------------------------


def page_item(body: bytes, content_type: str = "text/html; charset=utf-8", **fields: Any):
    return PageItem(
        requested_url=URL,
        spider="page",
        fetched_at="2026-11-28T10:00:00+00:00",
        final_url=URL,
        status=200,
        response_headers=[["Content-Type", content_type]],
        content_type=content_type,
        body=body,
        encoding="utf-8",
        **fields,
    )


@pytest.fixture
def pipelines(tmp_path: Path):
    """The extract and store pipelines of one crawler, opened on a new archive file."""
    crawler = crawler_with(ARCHIVE_DB=str(tmp_path / "archive.db"), ARCHIVE_EXTRACT_PROCESSES="0")
    extract, store = ExtractPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)
    store.open_spider()  # as Scrapy orders them: the store creates the file
    extract.open_spider()
    results: list[PageResult] = []

    def collect(result: PageResult) -> None:
        results.append(result)

    crawler.signals.connect(collect, signal=page_stored)
    yield crawler, extract, store, results
    extract.close_spider()


def through(extract: ExtractPipeline, store: StorePipeline, item: PageItem) -> PageItem:
    return store.process_item(run(extract.process_item(item)))


def test_a_page_is_extracted_then_stored_with_its_crawl(pipelines, tmp_path: Path) -> None:
    crawler, extract, store, results = pipelines
    item = through(extract, store, page_item(ARTICLE))
    assert (item.outcome, item.record.title) == (Outcome.ARTICLE, TITLE)
    assert crawler.stats.get_value("archive/extract/processes") == 1  # in the crawl's process
    store.spider_closed(crawler.spider, "finished")
    db = tmp_path / "archive.db"
    [(crawl_id, spider, reason, stored)] = rows(
        db,
        "SELECT id, spider, finish_reason, json_extract(stats, '$.\"archive/stored\"') FROM crawls",
    )
    assert (spider, reason, stored) == ("page", "finished", 1)
    assert rows(db, "SELECT requested_url, outcome, status, crawl_id FROM captures") == [
        (URL, "article", 200, crawl_id)
    ]
    [(title,)] = rows(db, "SELECT title FROM articles")
    assert title == TITLE
    [result] = results
    assert (result.url, result.outcome, result.title) == (URL, "article", TITLE)


def test_pages_that_are_not_articles_are_stored_with_their_reason(pipelines, tmp_path) -> None:
    crawler, extract, store, results = pipelines
    pdf = through(extract, store, page_item(b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    teasers = (
        b"<html><body><ul>" + b"<li><a href='/a'>A story</a></li>" * 30 + b"</ul></body></html>"
    )
    listing = through(extract, store, page_item(teasers))
    failed = through(
        extract, store, page_item(b"", outcome=Outcome.HTTP_ERROR, fetch_error="HTTP 404")
    )
    assert [pdf.outcome, listing.outcome, failed.outcome] == [
        "not-html",
        "not-article",
        "http-error",
    ]
    assert failed.record is None  # a failed fetch is not extracted
    store.spider_closed(crawler.spider, "finished")
    stored = rows(tmp_path / "archive.db", "SELECT outcome, error FROM captures ORDER BY id")
    assert [outcome for outcome, _ in stored] == ["not-html", "not-article", "http-error"]
    assert all(error for _, error in stored)  # each says why it is not an article
    assert rows(tmp_path / "archive.db", "SELECT count(*) FROM articles") == [(0,)]
    assert [r.outcome for r in results] == ["not-html", "not-article", "http-error"]
