"""Item pipelines: extract the article from each page, then store the capture and article.

Both are thin glue over the ``archive`` library: ``ExtractPipeline`` calls
``archive.extract.extract_article`` and ``StorePipeline`` calls ``archive.store.storage``.
Stats go under the ``archive/`` prefix; each stored page is announced with the
``crawler.results.page_stored`` signal.
"""

import logging
from datetime import date, datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from scrapy.utils.defer import deferred_from_coro

from archive.errors import ExtractionError, NotAnArticleError, NotHTMLError, StorageError
from archive.extract import extract_article
from archive.records import ArticleRecord, Capture, Outcome
from archive.store.storage import ArchiveDB
from crawler.items import PageItem
from crawler.results import PageResult, page_stored

logger = logging.getLogger(__name__)

# Media types handed to the parser; anything else declared by the server is "not-html".
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class ExtractPipeline:
    """Set each fetched page's outcome: an article record, or why there is none."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: PageItem) -> PageItem:
        if item.outcome is not None:  # the fetch failed; nothing to extract
            return item
        content: str | bytes = item.text if item.text is not None else (item.body or b"")
        url = item.final_url or item.requested_url
        item.outcome, item.record, item.extract_error = extract_page(
            item.content_type, content, url
        )
        self.stats.inc_value(f"archive/extract/{item.outcome}")
        return item


def extract_page(
    content_type: str | None, content: str | bytes, url: str
) -> tuple[str, ArticleRecord | None, str | None]:
    """The outcome, record and reason for one page; a plain function, so a process pool fits.

    A declared non-HTML content type is not parsed at all; with no content type the parser
    decides (it raises ``NotHTMLError`` for a body that is not HTML).
    """
    media_type = media_type_of(content_type)
    if media_type is not None and media_type not in HTML_MEDIA_TYPES:
        return Outcome.NOT_HTML, None, f"not HTML: the server sent {media_type}"
    try:
        return Outcome.ARTICLE, extract_article(content, url), None
    except NotHTMLError as error:
        return Outcome.NOT_HTML, None, error.reason
    except NotAnArticleError as error:
        return Outcome.NOT_ARTICLE, None, error.reason
    except ExtractionError as error:
        return Outcome.EXTRACT_ERROR, None, error.reason
    except Exception as error:  # a parser bug must not lose the capture: record it, go on
        logger.exception("Extraction crashed on %s", url)
        return Outcome.EXTRACT_ERROR, None, f"parser crashed: {type(error).__name__}: {error}"


def media_type_of(content_type: str | None) -> str | None:
    """``"text/html; charset=utf-8"`` gives ``"text/html"``; empty or missing gives None."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type or None


class StorePipeline:
    """Write every item to the archive database, one ``crawls`` row per run.

    The database is opened when the spider opens and the crawl row is finished on
    ``spider_closed``, when Scrapy knows the finish reason. A storage failure stops the
    crawl (reason ``storage_error``) and is kept in ``error`` for the runner to raise.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path: str = crawler.settings.get("ARCHIVE_DB")
        self.db: ArchiveDB | None = None
        self.crawl_id: int | None = None
        self.error: StorageError | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        self.db = ArchiveDB(self.db_path)
        self.crawl_id = self.db.start_crawl(spider.name, dict(getattr(spider, "arguments", {})))
        self.stats.set_value("archive/crawl_id", self.crawl_id)
        self.stats.set_value("archive/db", self.db_path)
        logger.info("Archiving into %s (crawl %s)", self.db_path, self.crawl_id)

    def process_item(self, item: PageItem) -> PageItem:
        if self.db is None or self.error is not None:
            return item  # the crawl is stopping after a storage failure
        try:
            stored = self.db.store(capture_from_item(item), item.record, crawl_id=self.crawl_id)
        except StorageError as error:
            self.fail(error)
            return item
        self.stats.inc_value("archive/stored")
        self.stats.inc_value(f"archive/outcome/{stored.outcome}")
        result = PageResult(
            url=item.requested_url,
            outcome=stored.outcome,
            reason=stored.reason,
            title=item.record.title if item.record and stored.article_id is not None else None,
            article_url=stored.article_url,
            final_url=item.final_url,
            status=item.status,
            capture_id=stored.capture_id,
        )
        self.crawler.signals.send_catch_log(signal=page_stored, result=result)
        return item

    def fail(self, error: StorageError) -> None:
        logger.error("Storage failed, stopping the crawl: %s", error)
        self.error = error
        self.stats.set_value("archive/storage_error", str(error))
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None:
            return
        try:
            if self.crawl_id is not None:
                stats = json_safe(self.stats.get_stats())
                self.db.finish_crawl(self.crawl_id, reason, stats)
        except StorageError as error:
            logger.error("Could not finish the crawl row: %s", error)
            self.error = self.error or error
        finally:
            self.db.close()
            self.db = None


def capture_from_item(item: PageItem) -> Capture:
    """The archive's record of one fetch, exactly as requested and served."""
    return Capture(
        requested_url=item.requested_url,
        fetched_at=item.fetched_at,
        outcome=item.outcome or Outcome.EXTRACT_ERROR,
        final_url=item.final_url,
        status=item.status,
        request_headers=[(name, value) for name, value in item.request_headers],
        response_headers=[(name, value) for name, value in item.response_headers],
        content_type=item.content_type,
        body=item.body,
        error=item.reason if item.outcome != Outcome.ARTICLE else None,
    )


def json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    """Scrapy's stats with datetimes as ISO strings, so they fit a JSON column."""
    safe: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif not isinstance(value, str | int | float | bool | type(None) | list | dict):
            value = str(value)
        safe[key] = value
    return safe
