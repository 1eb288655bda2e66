"""Seeds pushed with ``archive enqueue``: start URLs that any worker of a spider picks up.

``archive enqueue --spider site URL...`` pushes ``{"url": URL}`` (JSON, as scrapy-redis reads
its start-URL lists) onto ``<prefix>:<spider>:start_urls``. Each worker pops a few on every
heartbeat and when idle, and starts each the way its spider starts from a URL given on the
command line: a spider built for that URL yields its start requests, whose callbacks are then
bound to the worker's own spider, and they join the shared queue through the duplicate
filter. A site crawl follows links only within its start URLs' hosts: the hosts of seeds are
shared in ``<prefix>:<spider>:hosts``, so every worker follows links on them.
"""

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request
from scrapy.spiders import Spider
from scrapy.utils.defer import deferred_from_coro

from archive.errors import ArchiveError
from crawler.netguard import name_urls

logger = logging.getLogger(__name__)

BATCH = 16  # seeds taken per heartbeat


class Seeder:
    def __init__(self, server: Any, keys: Any, spider: Spider, crawler: Any) -> None:
        self.server = server
        self.keys = keys
        self.spider = spider
        self.crawler = crawler
        own_host = getattr(spider, "start_url", None)
        if own_host and isinstance(getattr(spider, "hosts", None), set):
            server.sadd(keys.hosts, _host(own_host))
        if named := list(getattr(spider, "named_urls", ())):
            server.sadd(keys.named, *named)

    def poll(self) -> None:
        """Share hosts, then take a few seeds and schedule their start requests."""
        hosts = getattr(self.spider, "hosts", None)
        if isinstance(hosts, set):
            hosts.update(raw.decode() for raw in self.server.smembers(self.keys.hosts))
        # Any worker may fetch a page of another's seed: every worker allows every named host.
        name_urls(raw.decode() for raw in self.server.smembers(self.keys.named))
        with self.server.pipeline() as pipe:
            pipe.lrange(self.keys.start_urls, 0, BATCH - 1)
            pipe.ltrim(self.keys.start_urls, BATCH, -1)
            taken, _ = pipe.execute()
        for raw in taken:
            url = _seed_url(raw)
            if url is not None:
                deferred_from_coro(self._start(url))

    async def _start(self, url: str) -> None:
        spider = self.spider
        try:
            # The same arguments but the URL, so a seed starts as `archive crawl` would.
            given = getattr(spider, "arguments", {})  # an ArchiveSpider's arguments
            arguments = {k: v for k, v in given.items() if k in _CONSTRUCTOR_ARGS}
            starter = type(spider)(**{**arguments, "url": url})
        except ArchiveError as error:
            logger.error("Seed %s refused: %s", url, error)
            return
        name_urls([url])  # a seed is user-named: the network guard lets its host through
        self.server.sadd(self.keys.named, url)
        if isinstance(getattr(spider, "hosts", None), set):
            self.server.sadd(self.keys.hosts, _host(url))
            spider.hosts.add(_host(url))  # type: ignore[attr-defined]
        async for request in starter.start():
            if isinstance(request, Request):
                self.crawler.engine.crawl(_rebound(request, spider))


# The spider arguments that say how to crawl from a URL (not what was recorded about a run).
_CONSTRUCTOR_ARGS = {"depth", "allow", "deny", "since", "include", "exclude", "limit"}


def _rebound(request: Request, spider: Spider) -> Request:
    """The request with its callbacks taken from the worker's spider (the queue stores a
    callback by name, looked up on the spider that pops it)."""
    callback = getattr(spider, request.callback.__name__) if request.callback else None
    errback = getattr(spider, request.errback.__name__) if request.errback else None
    return request.replace(callback=callback, errback=errback)


def _seed_url(raw: bytes) -> str | None:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = raw.decode(errors="replace").strip()  # a plain URL pushed by hand
    url = data.get("url") if isinstance(data, dict) else data
    if not isinstance(url, str) or not url:
        logger.warning("Ignoring a seed without a URL: %r", raw[:200])
        return None
    return url


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.")
