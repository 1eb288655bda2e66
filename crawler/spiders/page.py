"""The ``page`` spider: archive exactly the URLs it is given, and follow nothing.

scrapy crawl page -a url=https://example.org/a,https://example.org/b
scrapy crawl page -a urls_file=urls.txt -s ARCHIVE_DB=archive.db
"""

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy

from archive.errors import ArchiveError
from archive.urls import validate_url
from crawler.spiders.base import ArchiveSpider

# A comma splits two URLs only where the next one starts with a scheme, so commas inside a
# URL ("/a,b?x=1,2") survive.
_COMMA_BEFORE_SCHEME = re.compile(r",(?=[A-Za-z][A-Za-z0-9+.-]*://)")


class PageSpider(ArchiveSpider):
    name = "page"

    def __init__(self, url: str | None = None, urls_file: str | None = None, **kwargs: Any):
        super().__init__(url=url, urls_file=urls_file, **kwargs)
        self.urls = collect_urls(url, urls_file)
        self.named_urls = self.urls
        self.arguments["urls"] = self.urls  # the crawls row shows exactly what was asked for

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield self.page_request(url)


def collect_urls(url: str | None, urls_file: str | None) -> list[str]:
    """The URLs from ``-a url=`` and ``-a urls_file=``, validated, first occurrence kept.

    Raises ``InvalidURLError`` for a malformed or non-http(s) URL and ``ArchiveError`` when
    the file cannot be read or no URL is given at all, before anything is fetched.
    """
    found = split_urls(url or "")
    if urls_file:
        found += read_urls_file(urls_file)
    if not found:
        raise ArchiveError("no URL given: pass -a url=URL[,URL...] or -a urls_file=FILE")
    urls = [validate_url(u) for u in found]
    return list(dict.fromkeys(urls))


def split_urls(text: str) -> list[str]:
    """URLs separated by whitespace or commas."""
    parts = (_COMMA_BEFORE_SCHEME.split(token) for token in text.split())
    return [p.strip(",") for group in parts for p in group if p.strip(",")]


def read_urls_file(path: str) -> list[str]:
    """URLs from a text file: whitespace- or comma-separated; ``#`` starts a comment line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"cannot read URL list: {exc}", subject=path) from exc
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return split_urls("\n".join(lines))
