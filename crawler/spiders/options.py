"""Spider arguments shared by the feed, sitemap and site spiders, checked before any fetch.

Each raises ``ArchiveError`` (``InvalidURLError`` for a URL) with a message that names the
argument, so ``scrapy crawl`` and the ``archive crawl`` commands fail with one clear line.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from archive.errors import ArchiveError, InvalidURLError
from archive.urls import normalize_url, validate_url


def start_url(url: str | None) -> str:
    """The crawl's starting URL, validated; ``-a url=`` is required."""
    if not url:
        raise ArchiveError("no URL given: pass -a url=URL")
    return validate_url(url)


def page_url(link: str) -> str | None:
    """A link found in a feed, sitemap or page as the URL to request, or None when it is not
    an http(s) URL (``mailto:``, ``javascript:``, garbage). Tracking parameters and the
    fragment are dropped, so one story reached through two links is fetched once."""
    try:
        return normalize_url(validate_url(link))
    except InvalidURLError:
        return None


def patterns(value: str | list[str] | tuple[str, ...] | None, name: str) -> list[re.Pattern]:
    """Regular expressions from ``-a include=`` (several joined by newlines) or a list."""
    if not value:
        return []
    texts = value.splitlines() if isinstance(value, str) else list(value)
    compiled = []
    for text in texts:
        if not text.strip():
            continue
        try:
            compiled.append(re.compile(text.strip()))
        except re.error as exc:
            raise ArchiveError(f"-a {name}={text}: not a regular expression ({exc})") from exc
    return compiled


@dataclass(frozen=True)
class URLFilter:
    """Keep a URL when it matches any ``include`` pattern (or there are none) and no
    ``exclude`` pattern; patterns are searched anywhere in the URL (``re.search``)."""

    include: list[re.Pattern] = field(default_factory=list)
    exclude: list[re.Pattern] = field(default_factory=list)

    @classmethod
    def from_arguments(cls, include: object, exclude: object) -> "URLFilter":
        return cls(patterns(include, "include"), patterns(exclude, "exclude"))  # type: ignore[arg-type]

    def __call__(self, url: str) -> bool:
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)


def since_date(value: str | None) -> datetime | None:
    """``-a since=2026-11-01`` (a date, midnight UTC) or an ISO 8601 instant."""
    if not value:
        return None
    moment = parse_w3c_datetime(value)
    if moment is None:
        raise ArchiveError(f"-a since={value}: not a date (use YYYY-MM-DD or ISO 8601)")
    return moment


def parse_w3c_datetime(text: str | None) -> datetime | None:
    """A sitemap ``lastmod`` or feed date (W3C datetime: ``2026``, ``2026-11``,
    ``2026-11-28``, ``2026-11-28T10:00Z`` ...) as an aware datetime; None if unreadable."""
    if not text:
        return None
    text = text.strip()
    if re.fullmatch(r"\d{4}(-\d{2})?", text):
        text = (text + "-01-01")[:10] if len(text) == 4 else text + "-01"
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_before(moment: datetime | None, since: datetime | None) -> bool:
    """Whether an entry dated ``moment`` is older than ``since``; undated entries are not."""
    return since is not None and moment is not None and moment < since
