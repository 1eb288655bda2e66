"""The shared base of the archive spiders: page requests in, one PageItem per page out.

A subclass decides *what* to fetch (given URLs, a feed, a sitemap, links within a site) and
builds its requests with ``page_request``; the base turns every response and every failure
into a ``PageItem`` so that nothing is dropped silently. A link-following spider overrides
``follow`` to yield further requests from each page it fetched (or replayed from the archive).

Feed, sitemap and site spiders give their requests a role
(``crawler.middlewares.incremental.ROLE``), so the incremental gate may skip them, replay them from
the archive or make them conditional; the base turns its verdicts into items: an unchanged page
becomes an ``Outcome.UNCHANGED`` capture, a skipped or replayed one no capture at all (the archive
already has it).
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Self

import scrapy
from scrapy.http import Headers, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.datatypes import SequenceExclude
from twisted.python.failure import Failure

from archive.errors import ArchiveError
from archive.records import Outcome
from archive.redaction import redact_headers
from crawler.failures import describe_failure, http_reason
from crawler.items import PageItem
from crawler.middlewares.backoff import GAVE_UP
from crawler.middlewares.incremental import INDEX, PAGE, REPLAYED, ROLE, STORED, UNCHANGED, Skipped
from crawler.render.marks import RENDERED_FLAG, RENDERED_HEADER
from crawler.spiders.options import URLFilter, is_before

# The URL as the spider asked for it, kept in request.meta across redirects and retries.
REQUESTED_URL = "archive_requested_url"
# Every status except redirects reaches the callback; redirects are still followed (a
# handle_httpstatus_all meta key would stop RedirectMiddleware from following them). A 304
# is no redirect: it answers a conditional request of the incremental gate.
_ALL_BUT_REDIRECTS = SequenceExclude([status for status in range(300, 400) if status != 304])
# Settings recorded with the spider arguments in the crawls row (they change what a run does).
_RECORDED_SETTINGS = {"ARCHIVE_REFRESH": "refresh", "ARCHIVE_ONLY_NEW": "only_new"}


class ArchiveSpider(scrapy.Spider):
    """Base class: builds page requests and turns responses and failures into PageItems."""

    # The URLs the user named: their hosts (each on its port) pass the network guard
    # (crawler.netguard) whatever their address; set by each spider from its arguments.
    named_urls: tuple[str, ...] | list[str] = ()

    def __init__(self, *args: Any, limit: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The spider arguments as given, recorded in the crawls table.
        self.arguments: dict[str, Any] = {k: v for k, v in kwargs.items() if v is not None}
        # At most this many pages are fetched (index documents not counted); 0: no limit.
        self.page_limit = positive_int(limit, "limit")
        if self.page_limit:
            self.arguments["limit"] = self.page_limit
        self.limit_reached = False  # set by the incremental gate once the limit is hit

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        for setting, name in _RECORDED_SETTINGS.items():
            if crawler.settings.getbool(setting):
                spider.arguments[name] = True
        # Recorded so that a later --resume knows this run continued an earlier one.
        if crawler.settings.getbool("ARCHIVE_RESUME"):
            spider.arguments["resume"] = True
        return spider

    def listed_page_requests(
        self,
        listed: Iterable[tuple[str, datetime | None]],
        *,
        seen: set[str],
        wanted: URLFilter,
        since: datetime | None,
    ) -> Iterator[scrapy.Request]:
        """Requests for the article URLs a feed or sitemap lists, with their dates: each URL
        once (``seen``), kept by the include/exclude patterns and the ``--since`` date, until
        the page limit is reached. Filtered URLs are counted in ``archive/filtered``."""
        for url, dated in listed:
            if self.limit_reached:
                return
            if url in seen:
                continue
            seen.add(url)
            if not wanted(url) or is_before(dated, since):
                self.crawler.stats.inc_value("archive/filtered")
                continue
            yield self.page_request(url, role=PAGE)

    def page_request(
        self,
        url: str,
        *,
        dont_filter: bool = True,
        callback: Callable[[Response], Any] | None = None,
        role: str | None = None,
        **meta: Any,
    ) -> scrapy.Request:
        """A request whose response (any status) or failure becomes a PageItem.

        ``dont_filter`` defaults to True because the spiders deduplicate their URLs
        themselves, and a redirect to a URL fetched earlier must not vanish in the dupefilter.
        """
        meta = {REQUESTED_URL: url, "handle_httpstatus_list": _ALL_BUT_REDIRECTS, **meta}
        if role is not None:  # feed, sitemap and site requests: the incremental gate decides
            meta[ROLE] = role
        return scrapy.Request(
            url,
            callback=callback or self.parse_page,
            errback=self.page_failed,
            dont_filter=dont_filter,
            meta=meta,
        )

    def index_request(self, url: str, callback: Callable[[Response], Any]) -> scrapy.Request:
        """A request for a feed, sitemap or other list of pages, read by ``callback``.

        The callback starts with ``index_response``; an index is fetched on every run
        (conditionally), since it is where new pages appear.
        """
        return self.page_request(url, callback=callback, role=INDEX)

    def index_response(self, response: Response) -> tuple[PageItem | None, Response | None]:
        """The item to record for an index document (None when it was replayed from the
        archive) and the response whose body to read (None when the fetch failed). The
        caller sets the item's outcome and reason once it has read the document."""
        if response.meta.get(REPLAYED):
            return None, response
        item = self.fetched_item(response)
        if item.outcome == Outcome.HTTP_ERROR:
            return item, None
        return item, response.meta.get(STORED, response)

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Yield the page's item, then whatever ``follow`` finds in it.

        HTTP error statuses (after retries) are marked as such; an unchanged page (a 304, or
        the same body as its last capture) as unchanged; a page replayed from the archive
        gives no item, only its links.
        """
        if response.meta.get(REPLAYED):
            yield from self.follow(response)
            return
        item = self.fetched_item(response)
        yield item
        if item.outcome in (None, Outcome.UNCHANGED):
            yield from self.follow(response.meta.get(STORED, response))

    def fetched_item(self, response: Response) -> PageItem:
        """The item for a response that was really fetched (not replayed)."""
        item = item_from_response(response, self.name)
        unchanged = response.meta.get(UNCHANGED)
        if unchanged:
            item.outcome, item.fetch_error = Outcome.UNCHANGED, unchanged
            if response.status == 304:  # nothing was sent: the archive has the body already
                item.body = None
        elif response.status >= 400 or response.status == 304:
            item.outcome = Outcome.HTTP_ERROR
            item.fetch_error = http_reason(response.status, response.request)
            if gave_up := response.meta.get(GAVE_UP):
                item.fetch_error += f" ({gave_up})"
            self.logger.info("Not archived: %s: %s", item.requested_url, item.fetch_error)
        return item

    def follow(self, response: Response) -> Iterator[Any]:
        """Further requests from a fetched (or replayed) page: none for the base spider."""
        return iter(())

    def page_failed(self, failure: Failure) -> Iterator[PageItem]:
        """Turn a failed fetch (timeout, refused, DNS, size, robots.txt ...) into an item.

        A request the incremental gate skipped gives nothing: the archive has it already.
        """
        exc = failure.value
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(exc, Skipped):
            self.logger.debug("Skipped %s: %s", request.url, exc.reason)
            return
        if isinstance(exc, HttpError):  # a status we did not ask for: an unfollowed 3xx
            response = exc.response
            location = response.headers.get(b"Location")
            item = item_from_response(response, self.name)
            item.outcome = Outcome.HTTP_ERROR
            item.fetch_error = http_reason(
                response.status,
                response.request,
                _decode_header(location) if location and 300 <= response.status < 400 else None,
            )
        else:
            outcome, reason = describe_failure(exc, request)
            item = PageItem(
                requested_url=request.meta.get(REQUESTED_URL, request.url),
                spider=self.name,
                request_headers=header_pairs(request.headers),
                outcome=outcome,
                fetch_error=reason,
            )
            if outcome == Outcome.ROBOTS and request.meta.get(ROLE) == INDEX:
                # A refused page is no failure, but a refused feed or sitemap leaves the
                # whole crawl with nothing to do: count it, so the exit status says so.
                self.crawler.stats.inc_value("archive/index_refused")
        self.logger.info("Not archived: %s: %s", item.requested_url, item.fetch_error)
        yield item


def positive_int(value: str | int | None, name: str) -> int:
    """A spider argument that must be a whole number >= 0 (None or "" give 0)."""
    if value is None or value == "":
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ArchiveError(f"-a {name}={value}: not a whole number") from exc
    if number < 0:
        raise ArchiveError(f"-a {name}={value}: must be 0 or more")
    return number


def item_from_response(response: Response, spider: str) -> PageItem:
    """A PageItem holding everything the response says (the outcome is left to the caller)."""
    request = response.request
    assert request is not None  # Scrapy sets it on every downloaded response
    content_type = response.headers.get(b"Content-Type")
    item = PageItem(
        requested_url=request.meta.get(REQUESTED_URL, request.url),
        spider=spider,
        final_url=response.url,
        status=response.status,
        request_headers=header_pairs(request.headers),
        response_headers=[
            pair
            for pair in header_pairs(response.headers)
            # Only a page the crawl rendered may carry the mark (a server cannot fake it).
            if pair[0].lower() != RENDERED_HEADER.lower() or RENDERED_FLAG in response.flags
        ],
        content_type=_decode_header(content_type) if content_type else None,
        body=response.body,
    )
    if isinstance(response, TextResponse):
        # The encoding only: the page is decoded where it is parsed (a pool worker), not
        # here in the crawl's process, which has the reactor to keep busy.
        item.encoding = response.encoding
    return item


def header_pairs(headers: Headers) -> list[list[str]]:
    """Headers as ``[name, value]`` pairs, one per value, so repeated headers survive;
    credentials redacted here already, so they never travel (to Redis, to a worker)."""
    pairs = [
        (_decode_header(name), _decode_header(value))
        for name, values in headers.items()
        for value in values
    ]
    return [list(pair) for pair in redact_headers(pairs)]


def _decode_header(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # HTTP allows ISO-8859-1 in header values
        return raw.decode("latin-1")
