"""The shared base of the archive spiders: page requests in, one PageItem per page out.

A subclass decides *what* to fetch (given URLs, a feed, a sitemap, links within a site) and
builds its requests with ``page_request``; the base turns every response and every failure
into a ``PageItem`` so that nothing is dropped silently. A link-following spider can extend
``parse_page`` to yield further requests after the item.
"""

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Headers, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.datatypes import SequenceExclude
from twisted.python.failure import Failure

from archive.records import Outcome
from crawler.failures import describe_failure, http_reason
from crawler.items import PageItem

# The URL as the spider asked for it, kept in request.meta across redirects and retries.
REQUESTED_URL = "archive_requested_url"
# Every status except redirects reaches the callback; redirects are still followed (a
# handle_httpstatus_all meta key would stop RedirectMiddleware from following them).
_ALL_BUT_REDIRECTS = SequenceExclude(range(300, 400))


class ArchiveSpider(scrapy.Spider):
    """Base class: builds page requests and turns responses and failures into PageItems."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The spider arguments as given, recorded in the crawls table.
        self.arguments: dict[str, Any] = {k: v for k, v in kwargs.items() if v is not None}

    def page_request(self, url: str, *, dont_filter: bool = True, **meta: Any) -> scrapy.Request:
        """A request whose response (any status) or failure becomes a PageItem.

        ``dont_filter`` defaults to True because the page spider has deduplicated its URLs
        already, and a redirect to a URL fetched earlier must not vanish in the dupefilter.
        """
        meta = {REQUESTED_URL: url, "handle_httpstatus_list": _ALL_BUT_REDIRECTS, **meta}
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            dont_filter=dont_filter,
            meta=meta,
        )

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Yield the page's item; HTTP error statuses (after retries) are marked as such."""
        item = item_from_response(response, self.name)
        if response.status >= 400:
            item.outcome = Outcome.HTTP_ERROR
            item.fetch_error = http_reason(response.status, response.request)
            self.logger.info("Not archived: %s: %s", item.requested_url, item.fetch_error)
        yield item

    def page_failed(self, failure: Failure) -> Iterator[PageItem]:
        """Turn a failed fetch (timeout, refused, DNS, size, robots.txt ...) into an item."""
        exc = failure.value
        request = failure.request  # type: ignore[attr-defined]
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
        self.logger.info("Not archived: %s: %s", item.requested_url, item.fetch_error)
        yield item


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
        response_headers=header_pairs(response.headers),
        content_type=_decode_header(content_type) if content_type else None,
        body=response.body,
    )
    if isinstance(response, TextResponse):
        item.encoding = response.encoding
        item.text = response.text
    return item


def header_pairs(headers: Headers) -> list[list[str]]:
    """Headers as ``[name, value]`` pairs, one per value, so repeated headers survive."""
    return [
        [_decode_header(name), _decode_header(value)]
        for name, values in headers.items()
        for value in values
    ]


def _decode_header(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # HTTP allows ISO-8859-1 in header values
        return raw.decode("latin-1")
