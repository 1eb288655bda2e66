"""What a crawl reports back to whoever started it: one PageResult per stored page.

The store pipeline sends ``page_stored`` (a Scrapy signal, with ``result=PageResult``) as
soon as each page is in the database; ``crawler.runner.run_spider`` collects them and calls
its ``on_result`` callback, so the CLI can print a line per URL while the crawl runs.
"""

from dataclasses import dataclass, field
from typing import Any

# Scrapy signals are plain objects; connect with crawler.signals.connect(fn, page_stored).
page_stored = object()
# Sent with ``dictionary=`` (an ``archive.store.bodies.compress.Dictionary``) when the store
# pipeline has kept a site dictionary trained during the crawl: the extract pipeline packs the
# site's later pages with it.
dictionary_trained = object()


@dataclass(frozen=True)
class PageResult:
    """What became of one requested URL."""

    url: str  # as requested (before redirects)
    outcome: str  # an archive.records.Outcome value
    reason: str | None = None  # why it is not an article; None when it is one
    title: str | None = None
    article_url: str | None = None  # the article's key URL (canonical or final, normalised)
    final_url: str | None = None  # where the last response came from, after redirects
    status: int | None = None
    capture_id: int | None = None


@dataclass
class CrawlSummary:
    """The end of one crawl: its ``crawls`` row id, why it ended, and what it stored.

    ``counts`` (pages per outcome) is always kept; ``results`` holds every ``PageResult``
    only when the caller asked for them (a long crawl would otherwise grow without bound).
    """

    crawl_id: int | None
    finish_reason: str | None
    results: list[PageResult] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return sum(self.counts.values())
