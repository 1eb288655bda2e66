"""``RobotsTxtMiddleware``: Scrapy's, where ours must behave differently.

It fixes a race in Scrapy 2.19's middleware of the same name: while a
site's robots.txt is being fetched, every other request to that site waits on one shared
Deferred; Scrapy awaits it through ``Deferred.asFuture``, which consumes the result, so only
the first waiter gets the parser and the rest get ``None``, which means "allowed". With
several URLs of one site in a crawl, disallowed pages were fetched. Here each waiter gets its
own branch of the shared Deferred. A robots.txt that cannot be fetched (refused, timed out)
is logged in one line, not a traceback, and treated as allowing everything, as Scrapy does.
It also answers a spider's own request for a site's robots.txt (``SHARED_ROBOTS`` in its meta:
the sitemap spider reads the ``Sitemap:`` lines) with the response it fetched for the rules,
so the file is fetched once, not once by each.
"""

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import (
    RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware,
)
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.failures import describe_failure

logger = logging.getLogger(__name__)

# request.meta: a spider's request for a site's robots.txt, answered by RobotsTxtMiddleware
# from its own fetch of the file (fetched by the request itself when robots.txt is not obeyed).
SHARED_ROBOTS = "archive_shared_robots"


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every waiting request getting the parser, and
    the robots.txt response shared with a spider that asks for it."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        # Hosts whose robots.txt response a SHARED_ROBOTS request waits for, and the
        # responses kept for them until handed over: only these, so a crawl over many
        # hosts keeps no robots.txt bodies.
        self._wanted: set[str] = set()
        self._kept: dict[str, Response] = {}

    # Scrapy's returns None; returning the shared robots.txt response is what this adds.
    async def process_request(self, request: Request) -> Response | None:  # type: ignore[override]
        if request.meta.get(SHARED_ROBOTS):
            return await self._shared_robots(request)
        await super().process_request(request)
        return None

    async def _shared_robots(self, request: Request) -> Response | None:
        """The robots.txt this middleware fetches for ``request``'s host, as the response
        to ``request``; None (fetch it yourself) when it was fetched before this request
        came and so not kept."""
        netloc = urlparse_cached(request).netloc
        self._wanted.add(netloc)
        try:
            await self.robot_parser(request)
        finally:
            self._wanted.discard(netloc)
            response = self._kept.pop(netloc, None)
        if response is None:
            if self._parsers.get(netloc) is None:  # the fetch failed: the spider's errback
                raise IgnoreRequest(f"robots.txt of {netloc} could not be fetched")
            return None
        # Already retried and redirected as the middleware's own request: not again.
        request.meta["dont_retry"] = request.meta["dont_redirect"] = True
        return response.replace(request=request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if netloc in self._wanted:  # kept before the parser's waiters (the spider's) resume
            self._kept[netloc] = response
        await super()._parse_robots(response, netloc, request)

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
