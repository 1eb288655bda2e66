"""The ``feed`` spider: archive the entries of an RSS, Atom or JSON Feed.

scrapy crawl feed -a url=https://example.org/feed.xml
scrapy crawl feed -a url=https://example.org/        # a page whose <link rel=alternate> names one
scrapy crawl feed -a url=URL -a limit=20 -a since=2026-11-01 -a include=/news/

RSS and Atom are read by feedparser (it copes with every RSS dialect, Atom 0.3 and 1.0, and
broken real-world feeds far better than anything we would write); JSON Feed, which feedparser
does not read, by ``json``. A feed over ``ARCHIVE_XML_MAXSIZE`` or declaring XML entities
(billion laughs, XXE) is refused before either reads it (``xmlguard``). The feed itself is
recorded as a capture (a feed is "not HTML", its reason says how many entries it had); a feed
that cannot be read is recorded as an extraction error with the reason. Entries are fetched as
pages, through the incremental gate.
"""

import calendar
import io
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import scrapy
from scrapy.http import HtmlResponse, Response

from archive.records import Outcome
from crawler.items import PageItem
from crawler.spiders.base import ArchiveSpider
from crawler.spiders.options import (
    URLFilter,
    page_url,
    parse_w3c_datetime,
    since_date,
    start_url,
)
from crawler.spiders.xmlguard import DEFAULT_MAX_SIZE, refusal

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
FEED_NAMES = {"rss": "RSS", "atom": "Atom", "cdf": "CDF"}


@dataclass(frozen=True)
class Entry:
    url: str
    published: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    kind: str  # "RSS 2.0 feed", "Atom feed", "JSON Feed"
    entries: list[Entry]
    problem: str | None = None  # why it could not be read (or was read only in part)


class FeedSpider(ArchiveSpider):
    name = "feed"

    def __init__(
        self,
        url: str | None = None,
        since: str | None = None,
        include: str | None = None,
        exclude: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(url=url, since=since, include=include, exclude=exclude, **kwargs)
        self.start_url = start_url(url)
        self.named_urls = [self.start_url]
        self.since = since_date(since)
        self.wanted = URLFilter.from_arguments(include, exclude)
        self.seen: set[str] = set()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.index_request(self.start_url, self.parse_feed)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        item, content = self.index_response(response)
        if content is None:  # the fetch failed: the item says why
            yield item
            return
        feed = read_feed(content, self.settings.getint("ARCHIVE_XML_MAXSIZE", DEFAULT_MAX_SIZE))
        if not feed.entries and feed.problem and (link := alternate_feed(content)):
            # A homepage naming its feed: record the page, then read the feed.
            self._describe(item, Outcome.NOT_ARTICLE, f"a page naming its feed {link}")
            yield from _maybe(item)
            yield self.index_request(link, self.parse_feed)
            return
        if feed.problem and not feed.entries:
            self._describe(item, Outcome.EXTRACT_ERROR, f"not a readable feed: {feed.problem}")
            self.logger.warning("Not a feed: %s: %s", response.url, feed.problem)
            yield from _maybe(item)
            return
        summary = f"{feed.kind} with {len(feed.entries)} entries"
        if feed.problem:
            summary += f" (read in part: {feed.problem})"
        self._describe(item, Outcome.NOT_HTML, summary)
        yield from _maybe(item)
        yield from self.entry_requests(feed.entries)

    def _describe(self, item: PageItem | None, outcome: str, reason: str) -> None:
        # An unchanged feed stays unchanged: its capture makes no new version.
        if item is not None and item.outcome != Outcome.UNCHANGED:
            item.outcome, item.fetch_error = outcome, reason

    def entry_requests(self, entries: list[Entry]) -> Iterator[scrapy.Request]:
        listed = ((entry.url, entry.published) for entry in entries)
        return self.listed_page_requests(
            listed, seen=self.seen, wanted=self.wanted, since=self.since
        )


def _maybe(item: PageItem | None) -> Iterator[PageItem]:
    if item is not None:
        yield item


def read_feed(response: Response, max_size: int = DEFAULT_MAX_SIZE) -> ParsedFeed:
    """The entries of an RSS, Atom or JSON feed, with a problem when it is not one (or is
    refused unread: too big, or declaring XML entities; see ``xmlguard``)."""
    body = response.body
    if not body.strip():
        return ParsedFeed("feed", [], "the document is empty")
    refused = refusal(body, max_size)
    if refused:
        return ParsedFeed("feed", [], f"refused: {refused}")
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "json" in content_type or body.lstrip()[:1] == b"{":
        return read_json_feed(body, response.url)
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": response.url, "content-type": content_type},
    )
    entries = [entry for raw in parsed.entries if (entry := _entry(raw, response.url))]
    version = parsed.get("version") or ""
    problem = None
    if parsed.get("bozo"):
        problem = _first_line(parsed.get("bozo_exception")) or "malformed"
    if not version and not entries:
        problem = problem or "no RSS, Atom or JSON feed found"
    return ParsedFeed(_kind(version), entries, problem)


def _entry(raw: Any, base: str) -> Entry | None:
    link = raw.get("link")
    if not link:
        return None
    url = page_url(_join(base, link))
    if url is None:
        return None
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    # feedparser gives dates as UTC struct_time values.
    published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
    return Entry(url, published)


def read_json_feed(body: bytes, base: str) -> ParsedFeed:
    """A JSON Feed (jsonfeed.org, version 1 or 1.1): ``items[].url`` and their dates."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ParsedFeed("JSON Feed", [], f"not JSON: {exc}")
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        return ParsedFeed("JSON Feed", [], "JSON without an 'items' list: not a JSON Feed")
    entries = []
    for raw in items:
        if not isinstance(raw, dict):
            continue
        link = raw.get("url") or raw.get("external_url")
        url = page_url(_join(base, link)) if isinstance(link, str) else None
        if url:
            published = raw.get("date_published") or raw.get("date_modified")
            stamp = published if isinstance(published, str) else None
            entries.append(Entry(url, parse_w3c_datetime(stamp)))
    return ParsedFeed("JSON Feed", entries)


def alternate_feed(response: Response) -> str | None:
    """The first feed an HTML page names with ``<link rel="alternate" type=...>``."""
    if not isinstance(response, HtmlResponse):  # a feed's own links never lead to a feed
        return None
    try:
        links = response.css('link[rel~="alternate"]')
    except (ValueError, TypeError):  # not HTML after all
        return None
    for link in links:
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        href = link.attrib.get("href")
        url = page_url(response.urljoin(href)) if href and kind in FEED_TYPES else None
        if url and url != response.url:
            return url
    return None


def _join(base: str, link: str) -> str:
    return urljoin(base, link.strip())


def _kind(version: str) -> str:
    for prefix, name in FEED_NAMES.items():
        if version.startswith(prefix):
            number = version.removeprefix(prefix)
            dotted = ".".join(number) if number.isdigit() else number
            return f"{name} {dotted} feed".replace("  ", " ")
    return "feed"


def _first_line(error: object) -> str:
    text = str(error or "").strip()
    return text.splitlines()[0] if text else ""
