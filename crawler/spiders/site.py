"""The ``site`` spider: follow links within one site, archiving the article pages.

scrapy crawl site -a url=https://example.org/news/ -a depth=2 -a limit=200
scrapy crawl site -a url=URL -a allow=/news/ -a deny='/tag/|/search'

Every page reached is fetched and recorded: an article page is stored as an article, a
section front or any other page as a capture without one (the extract pipeline decides), and
links are followed from all of them, up to ``depth`` links away from the start and ``limit``
pages in all. Only links to the start URL's host (with or without ``www.``) are followed;
``allow`` and ``deny`` are regular expressions searched in each link (several joined by
newlines), and links marked ``rel=nofollow`` are not followed. Pages the archive captured
within the refresh window are not fetched again, but their archived copy is read for links,
so a second run still reaches every page.
"""

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor

from crawler.middlewares.incremental import HUB
from crawler.spiders.base import REQUESTED_URL, ArchiveSpider, positive_int
from crawler.spiders.options import URLFilter, page_url, start_url

DEFAULT_DEPTH = 5  # home, section, page 2 of the section, article: with room to spare


class SiteSpider(ArchiveSpider):
    name = "site"

    def __init__(
        self,
        url: str | None = None,
        depth: str | int | None = None,
        allow: str | None = None,
        deny: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(url=url, allow=allow, deny=deny, **kwargs)
        self.start_url = page_url(start_url(url)) or start_url(url)
        self.named_urls = [self.start_url]
        self.max_depth = positive_int(depth, "depth") if depth not in (None, "") else DEFAULT_DEPTH
        self.arguments["depth"] = self.max_depth
        self.wanted = URLFilter.from_arguments(allow, deny)
        self.hosts = {_site_host(self.start_url)}
        self.links = LinkExtractor(unique=True)
        self.seen: set[str] = {self.start_url}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.page_request(self.start_url, role=HUB)

    def follow(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, HtmlResponse) or self.limit_reached:
            return
        depth = int(response.meta.get("depth", 0))
        if depth >= self.max_depth:
            return
        if response.meta.get(REQUESTED_URL) == self.start_url:
            # The start URL may redirect (http to https, to www.): that host is the site too.
            self.hosts.add(_site_host(response.url))
        for link in self.links.extract_links(response):
            url = page_url(link.url)
            if url is None or url in self.seen or link.nofollow:
                continue
            if _site_host(url) not in self.hosts or not self.wanted(url):
                continue
            self.seen.add(url)
            if self.limit_reached:
                return
            yield self.page_request(url, role=HUB)


def _site_host(url: str) -> str:
    """The host and port of ``url``, without ``www.``: one site either way."""
    return urlsplit(url).netloc.lower().removeprefix("www.")
