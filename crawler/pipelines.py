"""Item pipelines: extract the article from each page, then store the capture and article.

Both are thin glue over the ``archive`` library: ``ExtractPipeline`` calls
``archive.capture.extract_capture`` (through ``crawler.pool``, in worker processes by default)
and ``StorePipeline`` calls ``archive.store.storage``.
Stats go under the ``archive/`` prefix; each stored page is announced with the
``crawler.results.page_stored`` signal.
"""

import logging
import os
from datetime import date, datetime
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.spiders import Spider
from scrapy.utils.asyncio import is_asyncio_available
from scrapy.utils.defer import deferred_from_coro

from archive.capture import media_type_of
from archive.errors import StorageError
from archive.extract import DEFAULT_OPTIONS, ExtractOptions
from archive.records import Capture, Outcome
from archive.store.dictionaries import Dictionary, crawl_dictionaries
from archive.store.rows import site_of
from archive.store.storage import ArchiveDB
from crawler.items import PageItem
from crawler.pool.job import PackDictionary, extract_and_pack
from crawler.pool.pool import ExtractionPool, extract_processes
from crawler.results import PageResult, page_stored

# media_type_of lives in archive.capture (the step from a capture to a record, which the
# crawl shares with WARC import and re-extraction); re-exported where callers found it.
__all__ = [
    "ExtractPipeline",
    "StorePipeline",
    "capture_from_item",
    "json_safe",
    "media_type_of",
]

logger = logging.getLogger(__name__)


def extract_options(settings: Settings) -> ExtractOptions:
    """The one place crawl settings become extraction options.

    ``ARCHIVE_RULES`` names the user's rules files or folders (a list, or one string with
    paths separated by commas). The rules are read here, so that a bad file stops the crawl
    before anything is fetched, with a ``RulesError`` naming the file and the problem.
    """
    paths = settings.getlist("ARCHIVE_RULES")
    options = ExtractOptions(rules_paths=tuple(p.strip() for p in paths if p.strip()))
    options.rules()
    return options


class ExtractPipeline:
    """Set each fetched page's outcome: an article record, or why there is none.

    With ``ARCHIVE_EXTRACT_PROCESSES`` above 1 (the default is one per core) pages are
    extracted, and their bodies compressed, in a process pool (``crawler.pool``) while the
    reactor goes on fetching; with 0 or 1 they are extracted here, in the crawl's process.
    The pool needs the asyncio reactor (Scrapy's default) and a POSIX system (Linux, macOS);
    otherwise the pipeline extracts in-process and says so in the log.
    """

    def __init__(
        self, crawler: Crawler, processes: int, options: ExtractOptions = DEFAULT_OPTIONS
    ) -> None:
        self.stats = crawler.stats
        self.options = options
        self.db_path: str = crawler.settings.get("ARCHIVE_DB")
        self.dictionaries: dict[str, Dictionary] = {}  # site: its newest zstd dictionary
        self.pool: ExtractionPool | None = None
        if processes > 1 and not is_asyncio_available():
            logger.warning("No asyncio reactor: extracting in the crawl process, not a pool")
        elif processes > 1 and os.name != "posix":
            # The workers are handed their socket as an inherited descriptor (pass_fds).
            logger.warning("Not a POSIX system: extracting in the crawl process, not a pool")
        elif processes > 1:
            self.pool = ExtractionPool(processes)
        self.stats.set_value("archive/extract/processes", processes if self.pool else 1)
        # Whatever ends the crawl (a finished spider, Ctrl-C, a stopped engine), the workers go.
        crawler.signals.connect(self.close_spider, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        processes = extract_processes(crawler.settings.get("ARCHIVE_EXTRACT_PROCESSES"))
        return cls(crawler, processes, extract_options(crawler.settings))

    def open_spider(self) -> None:
        self.dictionaries = crawl_dictionaries(self.db_path)
        if self.dictionaries:
            logger.info(
                "Packing bodies with the zstd dictionaries of %d sites", len(self.dictionaries)
            )
        if self.pool is not None:
            self.pool.start()

    async def process_item(self, item: PageItem) -> PageItem:
        if item.outcome is not None:  # the fetch failed; nothing to extract
            return item
        url = item.final_url or item.requested_url
        dictionary = self.dictionaries.get(site_of(url) or "") if self.dictionaries else None
        if self.pool is None:
            done = extract_and_pack(
                item.content_type,
                None,
                url,
                item.body,
                item.encoding,
                self.options,
                PackDictionary(dictionary.id, dictionary.data) if dictionary else None,
            )
        else:
            # The page travels as its raw bytes and encoding (half the data to pickle);
            # the worker decodes it as Scrapy's response.text would.
            done = await self.pool.extract(
                item.content_type, None, url, item.body, item.encoding, self.options, dictionary
            )
        item.outcome, item.record, item.extract_error = done.outcome, done.record, done.reason
        item.packed_body = done.packed_body
        self.stats.inc_value(f"archive/extract/{item.outcome}")
        return item

    def close_spider(self) -> None:
        if self.pool is not None:
            self.stats.set_value("archive/extract/peak_in_flight", self.pool.peak_in_flight)
            self.pool.shutdown()


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
            stored = self.db.store(
                capture_from_item(item),
                item.record,
                crawl_id=self.crawl_id,
                packed_body=item.packed_body,
            )
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
