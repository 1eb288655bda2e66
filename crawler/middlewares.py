"""Downloader middlewares that replace Scrapy's own where ours must behave differently.

``RobotsTxtMiddleware`` fixes a race in Scrapy 2.19's middleware of the same name: while a
site's robots.txt is being fetched, every other request to that site waits on one shared
Deferred; Scrapy awaits it through ``Deferred.asFuture``, which consumes the result, so only
the first waiter gets the parser and the rest get ``None``, which means "allowed". With
several URLs of one site in a crawl, disallowed pages were fetched. Here each waiter gets its
own branch of the shared Deferred. A robots.txt that cannot be fetched (refused, timed out)
is logged in one line, not a traceback, and treated as allowing everything, as Scrapy does.

``MetaRefreshMiddleware`` is Scrapy's, reading only the start of each page (see there).
"""

import logging
from typing import Any

from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.downloadermiddlewares.robotstxt import (
    RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware,
)
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.failures import describe_failure

logger = logging.getLogger(__name__)


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every waiting request getting the parser."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = Deferred()
            await self._fetch_robots(request, netloc)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):  # another request is fetching it: wait for that
            return await maybe_deferred_to_future(_branch(parser))
        return parser

    async def _fetch_robots(self, request: Request, netloc: str) -> None:
        scheme = urlparse_cached(request).scheme
        robots_request = Request(
            f"{scheme}://{netloc}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots_request)
            await self._parse_robots(response, netloc, request)
        except Exception as error:  # any failure means "no robots.txt", as in Scrapy
            if not isinstance(error, IgnoreRequest):
                _, reason = describe_failure(error, robots_request)
                logger.info("No robots.txt for %s (%s): all pages allowed", netloc, reason)
            self._robots_error(error, netloc)


def _branch(shared: "Deferred[Any]") -> "Deferred[Any]":
    """A new Deferred firing with ``shared``'s result, which ``shared`` keeps for others."""
    branch: Deferred[Any] = Deferred()

    def forward(result: Any) -> Any:
        branch.callback(result)
        return result

    shared.addCallback(forward)
    return branch


class MetaRefreshMiddleware(ScrapyMetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, decoding only the start of the page.

    Scrapy's own looks for ``<meta http-equiv="refresh">`` in the first 4,096 characters of
    ``response.text``, but building ``response.text`` decodes the whole body and keeps that
    copy with the response: in the reactor, for every page of a crawl, a page's worth of
    memory and about a tenth of a millisecond, while the archive decodes pages in its
    extraction workers anyway. Here it is given a copy of the response cut to its first
    ``HEAD_BYTES`` (enough bytes for 4,096 characters in any encoding).
    """

    HEAD_BYTES = 4 * 4096

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not isinstance(response, HtmlResponse) or len(response.body) <= self.HEAD_BYTES:
            return super().process_response(request, response)
        # Built afresh, not with response.replace(), which reads response.encoding and so,
        # for a page that declares no charset, decodes the whole body to guess one.
        head = type(response)(
            url=response.url,
            status=response.status,
            headers=response.headers,
            body=response.body[: self.HEAD_BYTES],
            request=response.request,
            flags=response.flags,
        )
        outcome = super().process_response(request, head)
        return response if outcome is head else outcome
