"""The incremental gate: ask the archive before each fetch whether the URL needs fetching.

A scheduled feed, sitemap or site crawl must not re-download the world every hour. Spiders
mark their requests with a role (``request.meta[ROLE]``); requests without one (robots.txt,
the ``page`` spider behind ``archive save``) pass untouched. For the others, in order:

1. ``--resume`` (``ARCHIVE_RESUME``): a URL the interrupted run already captured is not
   fetched again; a document whose links the crawl still needs is replayed from the archive.
2. ``--only-new`` (``ARCHIVE_ONLY_NEW``): a feed entry or sitemap URL the archive ever got an
   answer from is skipped.
3. The refresh window (``ARCHIVE_REFRESH_WINDOW``, unless ``ARCHIVE_REFRESH``): a page
   captured within it is skipped (a site page is replayed, so its links are still followed).
   Index documents (feeds, sitemaps) and site pages that are not articles (section fronts)
   are always fetched again, since they are where new articles appear.
4. The page limit (``-a limit=N``): at most N pages (not index documents) are fetched.
5. A re-fetch is conditional: ``If-None-Match`` / ``If-Modified-Since`` from the last
   capture. A 304, or a body whose hash equals the last capture's, marks the response
   unchanged (``request.meta[UNCHANGED]`` holds the reason), and the spider stores an
   ``Outcome.UNCHANGED`` capture; the archived body is attached (``STORED``) for its links.
"""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from sqlite_utils import Database

from archive.errors import ArchiveError, StorageError
from archive.store.bodies.compress import body_hash
from archive.store.read import frontier
from archive.store.read.frontier import LastCapture

logger = logging.getLogger(__name__)

ROLE = "archive_role"  # "page" (a leaf), "hub" (a site page: its links matter), "index"
PAGE, HUB, INDEX = "page", "hub", "index"
UNCHANGED = "archive_unchanged"  # why the response is unchanged (set on the request meta)
REPLAYED = "archive_replayed"  # the response comes from the archive, nothing was fetched
STORED = "archive_stored_response"  # the archived body behind a 304, for link extraction
_GATED = "archive_gated"  # the gate ran once; redirects and retries keep the decision
_LAST_HASH = "archive_last_hash"
_LAST_AT = "archive_last_at"


class Skipped(IgnoreRequest):
    """A request the gate decided not to fetch; the spider records no capture for it."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class IncrementalMiddleware:
    """Downloader middleware: skip, replay or make conditional the requests with a role."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path: str = settings.get("ARCHIVE_DB")
        self.window = timedelta(seconds=settings.getfloat("ARCHIVE_REFRESH_WINDOW"))
        self.refresh = settings.getbool("ARCHIVE_REFRESH")
        self.only_new = settings.getbool("ARCHIVE_ONLY_NEW")
        self.resume = settings.getbool("ARCHIVE_RESUME")
        self.now = _clock(settings.get("ARCHIVE_NOW") or "")
        self.archive: Database | None = None  # read-only: the store pipeline writes
        self.done: set[str] = set()
        self.fetched = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("ARCHIVE_DB"):
            raise NotConfigured("no ARCHIVE_DB")
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        # The store pipeline has created the file by now (pipelines open before this signal).
        self.archive = frontier.open_reader(self.db_path)
        if self.resume:
            self._load_resume(spider)

    def _load_resume(self, spider: Spider) -> None:
        assert self.archive is not None
        arguments = dict(getattr(spider, "arguments", {}))
        current = self.stats.get_value("archive/crawl_id")
        chain = frontier.interrupted_chain(self.archive, spider.name, arguments, exclude=current)
        self.done = frontier.done_in_crawls(self.archive, chain)
        self.stats.set_value("archive/resumed_crawls", chain)
        if chain:
            logger.info("Resuming crawl %s: %d URLs already done", chain[0], len(self.done))
        else:
            logger.warning(
                "Nothing to resume: the last %s crawl with these arguments finished", spider.name
            )

    def spider_closed(self, spider: Spider) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None

    # -- before the fetch ---------------------------------------------------------------

    def process_request(self, request: Request) -> Response | None:
        role = request.meta.get(ROLE)
        if role is None or request.meta.get(_GATED) or self.archive is None:
            return None
        request.meta[_GATED] = True
        url = request.url
        if url in self.done:
            return self._replay_or_skip(request, role, "resumed", "done by the interrupted run")
        last = frontier.last_capture(self.archive, url)
        if role == PAGE and self.only_new and (last or frontier.has_seen(self.archive, url)):
            raise self._skip("seen", "archived before (--only-new)")
        if last is not None and self._fresh(last) and (role == PAGE or last.is_article):
            when = last.fetched_at
            return self._replay_or_skip(request, role, "fresh", f"captured {when}, still fresh")
        if role != INDEX:
            self._count_fetch()
        if last is not None and last.body_hash:
            self._make_conditional(request, last)
        return None

    def _fresh(self, last: LastCapture) -> bool:
        if self.refresh or self.window <= timedelta(0):
            return False
        fetched = datetime.fromisoformat(last.fetched_at)
        return self.now() - fetched < self.window

    def _count_fetch(self) -> None:
        limit = getattr(self.crawler.spider, "page_limit", 0) or 0
        if limit and self.fetched >= limit:
            if self.crawler.spider is not None:
                self.crawler.spider.limit_reached = True  # type: ignore[attr-defined]
            raise self._skip("limit", f"over the page limit ({limit})")
        self.fetched += 1

    def _make_conditional(self, request: Request, last: LastCapture) -> None:
        if last.etag:
            request.headers[b"If-None-Match"] = last.etag
        if last.last_modified:
            request.headers[b"If-Modified-Since"] = last.last_modified
        request.meta[_LAST_HASH] = last.body_hash
        request.meta[_LAST_AT] = last.fetched_at
        self.stats.inc_value("archive/incremental/conditional")

    def _skip(self, kind: str, reason: str) -> Skipped:
        self.stats.inc_value(f"archive/skipped/{kind}")
        return Skipped(reason, kind)

    def _replay_or_skip(self, request: Request, role: str, kind: str, reason: str) -> Response:
        """A page is skipped; a hub or index document is replayed so its links are followed."""
        if role == PAGE:
            raise self._skip(kind, reason)
        replay = self._stored_response(request)
        if replay is None:  # nothing archived to replay (a failure): skip it too
            raise self._skip(kind, reason)
        self.stats.inc_value(f"archive/skipped/{kind}")
        self.stats.inc_value("archive/incremental/replayed")
        request.meta[REPLAYED] = reason
        return replay

    def _stored_response(self, request: Request) -> Response | None:
        assert self.archive is not None
        last = frontier.last_capture(self.archive, request.url)
        if last is None or last.body_hash is None:
            return None
        try:
            body = frontier.stored_body(self.archive, last.body_hash)
        except StorageError as error:
            logger.warning("Cannot replay %s from the archive: %s", request.url, error)
            return None
        headers = Headers([(name, value) for name, value in last.headers])
        headers.pop(b"Content-Encoding", None)  # the archive keeps the decoded body
        url = last.final_url or request.url
        cls = responsetypes.from_args(headers=headers, url=url, body=body)
        return cls(url=url, status=200, headers=headers, body=body, request=request)

    # -- after the fetch ----------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get(ROLE) is None or request.meta.get(REPLAYED):
            return response
        last_at = request.meta.get(_LAST_AT)
        if last_at is None:
            return response
        if response.status == 304:
            request.meta[UNCHANGED] = f"not modified since the capture of {last_at} (HTTP 304)"
            self.stats.inc_value("archive/incremental/not_modified")
            stored = self._stored_response(request)
            if stored is not None:
                request.meta[STORED] = stored
        elif response.status == 200 and body_hash(response.body) == request.meta.get(_LAST_HASH):
            request.meta[UNCHANGED] = f"same body as the capture of {last_at}"
            self.stats.inc_value("archive/incremental/same_body")
        return response


def _clock(now: str) -> Any:
    """A function giving "now": the fixed ``ARCHIVE_NOW`` instant, or the real time."""
    if not now:
        return lambda: datetime.now(UTC)
    try:
        fixed = datetime.fromisoformat(now)
    except ValueError as exc:
        raise ArchiveError(f"ARCHIVE_NOW is not an ISO 8601 instant: {now!r}") from exc
    if fixed.tzinfo is None:
        fixed = fixed.replace(tzinfo=UTC)
    return lambda: fixed
