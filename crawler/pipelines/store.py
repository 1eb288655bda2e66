"""The last item pipeline: store each page's capture and article in the archive.

Thin glue over ``archive.store.db.archive_db``: one ``crawls`` row per run, one ``store`` per
item. Stats go under the ``archive/`` prefix; each stored page is announced with the
``crawler.results.page_stored`` signal.
"""

import logging
from datetime import date, datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.spiders import Spider
from scrapy.utils.defer import deferred_from_coro

from archive.errors import DiskFullError, StorageError
from archive.records import Capture, Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.write.rows import site_of
from crawler.items import PageItem
from crawler.pipelines.training import CrawlTrainer
from crawler.results import PageResult, page_stored

logger = logging.getLogger(__name__)


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
        self.train = crawler.settings.getbool("ARCHIVE_CRAWL_DICTIONARIES", True)
        self.trainer: CrawlTrainer | None = None
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
        if self.train:
            self.trainer = CrawlTrainer(self.crawler, self.db, self.crawl_id)

    def process_item(self, item: PageItem) -> PageItem:
        if self.db is None or self.error is not None:
            return item  # the crawl is stopping after a storage failure
        try:
            stored = self.db.store(
                capture_from_item(item),
                item.record,
                crawl_id=self.crawl_id,
                packed_body=item.packed_body,
            )
        except StorageError as error:
            self.fail(error)
            return item
        if self.trainer is not None and item.body:
            self.trainer.note(site_of(item.final_url or item.requested_url))
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
        if isinstance(error, DiskFullError):
            error.stored = int(self.stats.get_value("archive/stored", 0))
            # The runner raises it and the command line says it in one line: no second one.
            logger.info("Disk full, stopping the crawl: %s", error)
        else:
            logger.error("Storage failed, stopping the crawl: %s", error)
        self.error = error
        self.stats.set_value("archive/storage_error", str(error))
        if self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="storage_error"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None:
            return
        try:
            if self.trainer is not None:
                self.trainer.finish()  # the crawl's first pages of each site, re-packed
                self.trainer = None
            if self.crawl_id is not None:
                stats = json_safe(self.stats.get_stats())
                self.db.finish_crawl(self.crawl_id, reason, stats)
        except StorageError as error:
            # After a full disk this fails too: the run then stays unfinished, for --resume.
            level = logging.INFO if isinstance(self.error, DiskFullError) else logging.ERROR
            logger.log(level, "Could not finish the crawl row: %s", error)
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
        page_metadata=item.page_metadata,
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
