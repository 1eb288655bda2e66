"""Downloader middlewares that replace Scrapy's own where ours must behave differently.

``RobotsTxtMiddleware`` fixes a race in Scrapy 2.19's middleware of the same name: while a
site's robots.txt is being fetched, every other request to that site waits on one shared
Deferred; Scrapy awaits it through ``Deferred.asFuture``, which consumes the result, so only
the first waiter gets the parser and the rest get ``None``, which means "allowed". With
several URLs of one site in a crawl, disallowed pages were fetched. Here each waiter gets its
own branch of the shared Deferred. A robots.txt that cannot be fetched (refused, timed out)
is logged in one line, not a traceback, and treated as allowing everything, as Scrapy does.
"""

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import (
    RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware,
)
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
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
