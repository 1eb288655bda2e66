"""The ``sitemap`` spider: archive the pages a sitemap lists.

scrapy crawl sitemap -a url=https://example.org/sitemap.xml
scrapy crawl sitemap -a url=https://example.org/      # the sitemaps its robots.txt lists
scrapy crawl sitemap -a url=URL -a since=2026-11-01 -a include=/news/ -a exclude=/video/

Reads a sitemap (``<urlset>``), a sitemap index (``<sitemapindex>``, followed ``depth`` levels
down), a Google News sitemap (its ``<news:publication_date>`` counts as the date), a gzipped
sitemap and a plain-text one (one URL a line). For a site root it reads the ``Sitemap:`` lines
of robots.txt (Scrapy's ``sitemap_urls_from_robots``), falling back to ``/sitemap.xml``; the
robots.txt is the one the robots middleware fetches for the site's rules (one fetch, not two).
``since`` skips pages (and whole child sitemaps) whose date is older; undated ones are kept.

Each sitemap is recorded as a capture ("not HTML", with how many URLs it listed); one that is
not a sitemap (HTML, garbage, a gzip bomb) as an extraction error with the reason.
"""

import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import scrapy
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

from archive.records import Outcome
from crawler.middlewares.robots import SHARED_ROBOTS
from crawler.spiders.base import ArchiveSpider, positive_int
from crawler.spiders.options import (
    URLFilter,
    is_before,
    page_url,
    parse_w3c_datetime,
    since_date,
    start_url,
)
from crawler.spiders.xmlguard import DEFAULT_MAX_SIZE, refusal

DEFAULT_DEPTH = 3  # sitemap index levels followed: index -> sitemaps is 1
GZIP_MAGIC = b"\x1f\x8b"
_DEPTH = "archive_sitemap_depth"


@dataclass(frozen=True)
class Listed:
    url: str
    modified: datetime | None


@dataclass
class ParsedSitemap:
    kind: str  # "urlset", "sitemapindex", "text"
    pages: list[Listed] = field(default_factory=list)
    sitemaps: list[Listed] = field(default_factory=list)


class NotASitemap(ValueError):
    """The document is not a sitemap; the message says why."""


class SitemapSpider(ArchiveSpider):
    name = "sitemap"

    def __init__(
        self,
        url: str | None = None,
        since: str | None = None,
        include: str | None = None,
        exclude: str | None = None,
        depth: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(url=url, since=since, include=include, exclude=exclude, **kwargs)
        self.start_url = start_url(url)
        self.named_urls = [self.start_url]
        self.since = since_date(since)
        self.wanted = URLFilter.from_arguments(include, exclude)
        self.max_depth = positive_int(depth, "depth") if depth not in (None, "") else DEFAULT_DEPTH
        self.arguments["depth"] = self.max_depth
        self.seen: set[str] = set()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if urlsplit(self.start_url).path in ("", "/"):
            robots = urljoin(self.start_url, "/robots.txt")
            # The robots middleware answers this with the robots.txt it fetches for the
            # site's rules (SHARED_ROBOTS), so the file is fetched once; without robots
            # rules (ROBOTSTXT_OBEY off) the request fetches it itself.
            yield scrapy.Request(
                robots,
                callback=self.parse_robots,
                errback=self.robots_failed,
                dont_filter=True,
                meta={
                    "dont_obey_robotstxt": True,
                    "handle_httpstatus_all": True,
                    SHARED_ROBOTS: True,
                },
            )
        else:
            yield self.sitemap_request(self.start_url, 0)

    def sitemap_request(self, url: str, depth: int) -> scrapy.Request:
        request = self.index_request(url, self.parse_sitemap)
        request.meta[_DEPTH] = depth
        return request

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        found = []
        if response.status == 200:
            found = [u for u in sitemap_urls_from_robots(response.body, response.url) if u]
        urls = [url for raw in found if (url := page_url(raw))]
        self.logger.info("robots.txt of %s lists %d sitemaps", response.url, len(urls))
        for url in dict.fromkeys(urls or [urljoin(response.url, "/sitemap.xml")]):
            yield self.sitemap_request(url, 0)

    def robots_failed(self, failure: Any) -> Iterator[scrapy.Request]:
        request = failure.request
        self.logger.info("No robots.txt at %s: trying /sitemap.xml", request.url)
        yield self.sitemap_request(urljoin(request.url, "/sitemap.xml"), 0)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        item, content = self.index_response(response)
        if content is None:
            yield item
            return
        depth = int(response.meta.get(_DEPTH, 0))
        try:
            sitemap = read_sitemap(
                content.body,
                self.settings.getint("DOWNLOAD_MAXSIZE"),
                self.settings.getint("ARCHIVE_XML_MAXSIZE", DEFAULT_MAX_SIZE),
            )
        except NotASitemap as problem:
            self.logger.warning("Not a sitemap: %s: %s", response.url, problem)
            if item is not None and item.outcome != Outcome.UNCHANGED:
                item.outcome, item.fetch_error = Outcome.EXTRACT_ERROR, f"not a sitemap: {problem}"
            if item is not None:
                yield item
            return
        if item is not None:
            if item.outcome != Outcome.UNCHANGED:
                item.outcome, item.fetch_error = Outcome.NOT_HTML, _describe(sitemap)
            yield item
        yield from self.child_requests(sitemap.sitemaps, depth)
        yield from self.page_requests(sitemap.pages)

    def child_requests(self, children: list[Listed], depth: int) -> Iterator[scrapy.Request]:
        for child in children:
            if depth + 1 > self.max_depth:
                self.logger.warning("Not following %s: deeper than depth=%d", child.url, depth)
                self.crawler.stats.inc_value("archive/sitemap/too_deep")
                continue
            if child.url in self.seen or is_before(child.modified, self.since):
                continue
            self.seen.add(child.url)
            yield self.sitemap_request(child.url, depth + 1)

    def page_requests(self, pages: list[Listed]) -> Iterator[scrapy.Request]:
        listed = ((page.url, page.modified) for page in pages)
        return self.listed_page_requests(
            listed, seen=self.seen, wanted=self.wanted, since=self.since
        )


def _describe(sitemap: ParsedSitemap) -> str:
    if sitemap.kind == "sitemapindex":
        return f"sitemap index listing {len(sitemap.sitemaps)} sitemaps"
    noun = "text sitemap" if sitemap.kind == "text" else "sitemap"
    return f"{noun} listing {len(sitemap.pages)} URLs"


def read_sitemap(
    body: bytes, max_size: int = 0, xml_max_size: int = DEFAULT_MAX_SIZE
) -> ParsedSitemap:
    """The pages or child sitemaps a sitemap lists; raises ``NotASitemap`` with the reason
    (``max_size`` bounds a gzipped one once decompressed; ``xml_max_size`` and the entity
    check of ``xmlguard`` refuse a document before it is parsed)."""
    if body[:2] == GZIP_MAGIC:
        body = _gunzip(body, max_size)
    refused = refusal(body, xml_max_size)
    if refused:
        raise NotASitemap(f"refused: {refused}")
    stripped = body.lstrip()
    if not stripped:
        raise NotASitemap("the document is empty")
    if not stripped.startswith(b"<"):
        return _text_sitemap(stripped)
    root = _parse_xml(body)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise NotASitemap(f"the root element is <{kind}>, not <urlset> or <sitemapindex>")
    listed = [entry for element in root if (entry := _listed(element))]
    if kind == "urlset":
        return ParsedSitemap(kind, pages=listed)
    return ParsedSitemap(kind, sitemaps=listed)


def _gunzip(body: bytes, max_size: int) -> bytes:
    try:
        return gunzip(body, max_size=max_size)
    except (OSError, EOFError, zlib.error) as exc:
        raise NotASitemap(f"broken gzip data ({exc})") from exc
    except ValueError as exc:  # scrapy's _DecompressionMaxSizeExceeded
        raise NotASitemap(
            f"over the {max_size}-byte limit once decompressed (DOWNLOAD_MAXSIZE)"
        ) from exc


def _parse_xml(body: bytes) -> Any:
    # No entities, no network, no huge trees: a sitemap is plain data from a stranger.
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True
    )
    try:
        root = lxml.etree.parse(BytesIO(body), parser).getroot()
    except lxml.etree.XMLSyntaxError as exc:
        raise NotASitemap(f"not XML ({exc})") from exc
    if root is None:
        raise NotASitemap("not XML")
    return root


def _text_sitemap(body: bytes) -> ParsedSitemap:
    lines = body.decode("utf-8", errors="replace").splitlines()
    urls = [url for line in lines if line.strip() and (url := page_url(line.strip()))]
    if not urls:
        raise NotASitemap("neither XML nor a list of URLs")
    return ParsedSitemap("text", pages=[Listed(url, None) for url in urls])


def _listed(element: Any) -> Listed | None:
    """A ``<url>`` or ``<sitemap>`` entry: its ``<loc>`` and its date (``<lastmod>``, else a
    Google News ``<news:publication_date>``)."""
    if not isinstance(element.tag, str) or _local(element.tag) not in ("url", "sitemap"):
        return None
    loc = lastmod = published = None
    for child in element.iter():
        if not isinstance(child.tag, str):
            continue
        name = _local(child.tag)
        text = (child.text or "").strip()
        if name == "loc" and child.getparent() is element:  # not an <image:loc>
            loc = text
        elif name == "lastmod":
            lastmod = text
        elif name == "publication_date":
            published = text
    url = page_url(loc) if loc else None
    if url is None:
        return None
    return Listed(url, parse_w3c_datetime(lastmod or published))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
