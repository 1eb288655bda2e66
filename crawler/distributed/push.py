"""The worker's last pipeline: hand each finished page to the single writer through Redis.

Replaces ``crawler.pipelines.store.StorePipeline`` when ``ARCHIVE_REDIS_URL`` is set. A
worker never opens the SQLite file: each page (the capture, its raw body packed as the
``bodies`` row, its clean record) becomes one message on the ``<prefix>:items`` list
(``archive.distributed.handoff``),
with a capture uid made here, once, so that the writer stores it exactly once however often
it is delivered. The crawl run is announced first (``crawl-start``) and closed last
(``crawl-finish``, with Scrapy's finish reason and stats), so the archive's ``crawls`` table
has one row per worker run.
"""

import logging
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spiders import Spider
from scrapy_redis import connection

from archive.distributed import handoff
from crawler.distributed.scheduler import ADMITTED, capture_uid_wanted
from crawler.items import PageItem
from crawler.pipelines.store import capture_from_item, json_safe
from crawler.pool.job import pack_body
from crawler.results import PageResult, page_stored

logger = logging.getLogger(__name__)

CAPTURE_UID = "capture_uid"  # set on a PageItem by CaptureUidMiddleware


class CaptureUidMiddleware:
    """Spider middleware: give each page item its request's uid (set by the scheduler when
    the request was admitted), so the capture's uid is the same however often the request
    is fetched. Items made in errbacks (failed fetches) do not pass spider middlewares and
    get a fresh uid in the pipeline."""

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for output in result:
            yield _marked(output, response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for output in result:
            yield _marked(output, response)


def _marked(output: Any, response: Response) -> Any:
    if isinstance(output, PageItem) and response.request is not None:
        uid = response.request.meta.get(ADMITTED)
        if isinstance(uid, str):
            setattr(output, CAPTURE_UID, uid)
    return output


class PushPipeline:
    """Push every item onto the writer's Redis list instead of storing it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.server = connection.from_settings(crawler.settings)
        self.prefix = crawler.settings.get("ARCHIVE_REDIS_PREFIX") or handoff.DEFAULT_PREFIX
        self.key = handoff.items_key(self.prefix)
        self.run = uuid.uuid4().hex  # this worker run; the writer makes it a crawls row
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert spider is not None
        arguments = dict(getattr(spider, "arguments", {}))
        self._push(
            {
                "kind": "crawl-start",
                "crawl": self.run,
                "spider": spider.name,
                "arguments": arguments,
            }
        )
        self.stats.set_value("archive/redis/items_key", self.key)
        self.stats.set_value("archive/redis/run", self.run)
        logger.info("Handing pages to the writer through Redis list %s", self.key)

    def process_item(self, item: PageItem) -> PageItem:
        spider = self.crawler.spider
        assert spider is not None
        packed = item.packed_body
        if packed is None and item.body is not None:  # extracted in-process: pack it here
            packed = pack_body(item.body)
        capture = capture_from_item(item)
        # The request's uid when it has one (see CaptureUidMiddleware): a request re-queued
        # after a worker died mid-push then gives the same capture, stored once.
        uid = getattr(item, CAPTURE_UID, None) or self._held_uid(item) or uuid.uuid4().hex
        message = handoff.capture_message(uid, self.run, spider.name, capture, item.record, packed)
        self._push(message)
        self.stats.inc_value("archive/pushed")
        self.stats.inc_value(f"archive/outcome/{capture.outcome}")
        record = item.record
        result = PageResult(
            url=item.requested_url,
            outcome=capture.outcome,
            reason=capture.error,
            title=record.title if record else None,
            article_url=None,
            final_url=item.final_url,
            status=item.status,
        )
        self.crawler.signals.send_catch_log(signal=page_stored, result=result)
        return item

    def _held_uid(self, item: PageItem) -> str | None:
        answers = self.crawler.signals.send_catch_log(
            signal=capture_uid_wanted, requested_url=item.requested_url
        )
        return next((uid for _, uid in answers if isinstance(uid, str)), None)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = json_safe(self.stats.get_stats())
        self._push(
            {
                "kind": "crawl-finish",
                "crawl": self.run,
                "spider": spider.name,
                "reason": reason,
                "stats": stats,
            }
        )

    def _push(self, message: dict[str, Any]) -> None:
        self.server.lpush(self.key, handoff.encode(message))
