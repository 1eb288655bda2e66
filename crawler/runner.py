"""The one place that starts Scrapy in-process, so the CLI crawls from any folder.

    summary = run_spider("page", db_path="archive.db",
                         spider_kwargs={"url": "https://example.org/story"},
                         on_result=print)

Settings come from the ``crawler.settings`` module (not from a ``scrapy.cfg`` in the current
folder), then ``ARCHIVE_DB=db_path``, then ``settings``. Twisted's reactor cannot be
restarted: call ``run_spider`` at most once per process.
"""

import asyncio
from collections.abc import Callable
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from archive.store.db.archive_db import ArchiveDB
from crawler.pipelines.store import StorePipeline, json_safe
from crawler.results import CrawlSummary, PageResult, page_stored

__all__ = ["CrawlSummary", "PageResult", "project_settings", "run_spider"]


def project_settings(db_path: str, overrides: dict[str, Any] | None = None) -> Settings:
    """``crawler.settings``, with the database path and the caller's overrides on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_DB", db_path, priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_spider(
    spider: str,
    *,
    db_path: str,
    spider_kwargs: dict[str, Any],
    settings: dict[str, Any] | None = None,
    on_result: Callable[[PageResult], None] | None = None,
    keep_results: bool = True,
) -> CrawlSummary:
    """Run one spider to the end and return what it stored.

    ``keep_results=False`` keeps only the counts per outcome (for long crawls).
    ``on_result`` is called with each ``PageResult`` as soon as its page is stored (in the
    crawl's thread, between fetches: keep it quick). An error that stops the crawl from
    starting (an invalid URL, an unreadable database) is re-raised here, typed as the archive
    raised it; so is a storage failure that stopped the crawl midway.
    """
    # Open the database once before Scrapy starts: a bad path then fails with one clear
    # StorageError instead of a crawl that opens and closes around a failed pipeline.
    merged = project_settings(db_path, settings)
    if not merged.get("ARCHIVE_REDIS_URL"):  # a distributed worker never opens the archive
        ArchiveDB(db_path).close()
    process = AsyncCrawlerProcess(merged)
    crawler = process.create_crawler(spider)
    results: list[PageResult] = []
    counts: dict[str, int] = {}

    def collect(result: PageResult) -> None:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
        if keep_results:
            results.append(result)
        if on_result is not None:
            on_result(result)

    crawler.signals.connect(collect, signal=page_stored, weak=False)
    task = process.crawl(crawler, **spider_kwargs)
    process.start()
    _raise_start_failure(task)
    store = crawler.get_item_pipeline(StorePipeline)
    if store is not None and store.error is not None:
        raise store.error
    return _summary(crawler, store, results, counts)


def _raise_start_failure(task: "asyncio.Task[None]") -> None:
    # A crawl that failed to start (spider __init__ or a pipeline's open_spider raised) leaves
    # its exception on the task; re-raise it so the caller sees the typed error.
    if task.done() and not task.cancelled() and (error := task.exception()) is not None:
        raise error


def _summary(
    crawler: Crawler,
    store: StorePipeline | None,
    results: list[PageResult],
    counts: dict[str, int],
) -> CrawlSummary:
    stats = json_safe(crawler.stats.get_stats()) if crawler.stats else {}
    return CrawlSummary(
        crawl_id=store.crawl_id if store is not None else stats.get("archive/crawl_id"),
        finish_reason=stats.get("finish_reason"),
        results=results,
        counts=counts,
        stats=stats,
    )
