"""The incremental gate of a distributed worker: the archive's answers come from Redis.

Workers do not read the SQLite file (it may be on another machine). The writer mirrors each
URL's last answered fetch and validators into ``<prefix>:frontier:<url>``
(``archive.distributed.ingest``); this subclass of
``crawler.middlewares.incremental.IncrementalMiddleware`` asks that mirror instead of the archive
and applies the same rules (``--only-new``, the refresh window, the page limit, conditional
requests), with these differences, since a worker has no archived body to read links from and shares
its crawl with other workers:

- a fresh page is skipped, never replayed (a site page that is an article and is fresh is
  skipped with its links; section fronts are fetched on every run, as before);
- only leaf pages get ``If-None-Match`` / ``If-Modified-Since``; feeds, sitemaps and site
  pages are fetched whole (an unchanged body is still marked unchanged, by its hash);
- the page limit counts the pages of all the workers of the crawl, in one Redis counter
  (``crawler.distributed.limit``), not this worker's alone.

``--resume`` has nothing to do: the shared queue in Redis is the resumable state.
"""

import logging
from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy_redis import connection

from archive.distributed import handoff
from archive.store.read.frontier import LastCapture
from crawler.distributed.limit import SharedPageLimit
from crawler.distributed.workers import Keys
from crawler.middlewares.incremental import (
    _GATED,
    _LAST_AT,
    _LAST_HASH,
    INDEX,
    PAGE,
    ROLE,
    IncrementalMiddleware,
)

logger = logging.getLogger(__name__)


class RedisIncrementalMiddleware(IncrementalMiddleware):
    """``IncrementalMiddleware`` reading the writer's frontier mirror in Redis."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.server = connection.from_settings(crawler.settings)
        self.prefix = crawler.settings.get("ARCHIVE_REDIS_PREFIX") or handoff.DEFAULT_PREFIX
        # The counter lives as long as start URLs count as taken: one run of the crawl.
        self.limit_ttl = max(0.001, crawler.settings.getfloat("ARCHIVE_REDIS_REVISIT_AFTER"))
        self.shared_limit: SharedPageLimit | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        if self.resume:
            logger.info("--resume: a distributed crawl resumes from its shared queue anyway")

    def spider_closed(self, spider: Spider) -> None:
        return None

    def last_capture(self, url: str) -> LastCapture | None:
        entry: dict[Any, Any] = self.server.hgetall(handoff.frontier_key(url, self.prefix))
        if not entry:
            return None
        fields = {_text(k): _text(v) for k, v in entry.items()}
        return LastCapture(
            fetched_at=fields.get("fetched_at", ""),
            outcome=fields.get("outcome", ""),
            body_hash=fields.get("body_hash") or None,
            etag=fields.get("etag") or None,
            last_modified=fields.get("last_modified") or None,
            headers=[],
            final_url=None,
            is_article=fields.get("is_article") == "1",
        )

    def process_request(self, request: Request) -> Response | None:
        role = request.meta.get(ROLE)
        if role is None or request.meta.get(_GATED):
            return None
        request.meta[_GATED] = True
        last = self.last_capture(request.url)
        if role == PAGE and self.only_new and last is not None:
            raise self._skip("seen", "archived before (--only-new)")
        fresh = last is not None and bool(last.fetched_at) and self._fresh(last)
        if fresh and last is not None and (role == PAGE or last.is_article):
            raise self._skip("fresh", f"captured {last.fetched_at}, still fresh")
        if role != INDEX:
            self._count_fetch()
        if last is not None and last.body_hash:
            if role == PAGE:
                self._make_conditional(request, last)
            else:  # fetched whole, so its links can be read; an equal body is "unchanged"
                request.meta[_LAST_HASH] = last.body_hash
                request.meta[_LAST_AT] = last.fetched_at
        return None

    def _count_fetch(self) -> None:
        """Take the page from the crawl's shared counter: all workers together fetch at
        most ``--limit`` pages."""
        spider = self.crawler.spider
        limit = getattr(spider, "page_limit", 0) or 0
        if not limit or spider is None:
            self.fetched += 1
            return
        if self.shared_limit is None:
            keys = Keys(self.prefix, spider.name)
            self.shared_limit = SharedPageLimit(self.server, keys, ttl=self.limit_ttl)
        if not self.shared_limit.take(limit):
            spider.limit_reached = True  # type: ignore[attr-defined]
            raise self._skip("limit", f"over the page limit ({limit}, all workers)")
        self.fetched += 1

    def _stored_response(self, request: Request) -> Response | None:
        return None  # no archived bodies on a worker


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
