"""A live progress line on the terminal while a crawl runs.

    1,204 pages  ·  1,150 articles  ·  31 unchanged  ·  23 failures  ·  41.2 pages/s  ·  0:29

``ProgressLine`` is a Scrapy extension (``EXTENSIONS`` in ``crawler.settings``): it counts the
pages the store pipeline announces (``crawler.results.page_stored``) and redraws one line on
stderr twice a second. ``ARCHIVE_PROGRESS`` says whether to show it: ``auto`` (the default)
shows it only when stderr is a terminal and Scrapy's log there is quiet (``LOG_LEVEL``
WARNING or above, as under the ``archive`` commands), so logs, pipes and cron jobs stay
clean. The line is erased when the crawl ends; the caller prints the summary.
"""

import sys
import time
from dataclasses import dataclass, field
from typing import Any, Self, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from archive.records import Outcome
from crawler.results import PageResult, page_stored

# Outcomes that mean something went wrong (the capture records why). Pages without an
# article, robots.txt refusals and unchanged pages are not failures.
FAILURES = frozenset(
    {Outcome.HTTP_ERROR, Outcome.FETCH_ERROR, Outcome.EXTRACT_ERROR, Outcome.REFUSED}
)
REDRAW_SECONDS = 0.5
CLEAR = "\r\x1b[K"  # carriage return, then erase to the end of the line


@dataclass
class Counts:
    """What a crawl has stored so far, by outcome."""

    started: float = field(default_factory=time.monotonic)
    pages: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def add(self, result: PageResult) -> None:
        self.pages += 1
        self.by_outcome[result.outcome] = self.by_outcome.get(result.outcome, 0) + 1

    @property
    def failures(self) -> int:
        return sum(n for outcome, n in self.by_outcome.items() if outcome in FAILURES)

    def line(self, now: float | None = None) -> str:
        elapsed = max((now if now is not None else time.monotonic()) - self.started, 1e-9)
        minutes, seconds = divmod(int(elapsed), 60)
        parts = [
            f"{self.pages:,} pages",
            f"{self.by_outcome.get(Outcome.ARTICLE, 0):,} articles",
            f"{self.by_outcome.get(Outcome.UNCHANGED, 0):,} unchanged",
            f"{self.failures:,} failures",
            f"{self.pages / elapsed:.1f} pages/s",
            f"{minutes}:{seconds:02d}",
        ]
        return "  ·  ".join(parts)


def wanted(setting: Any, stream: TextIO, log_level: str = "WARNING") -> bool:
    """Whether ``ARCHIVE_PROGRESS`` asks for the line on ``stream``: ``auto`` means on a
    terminal, unless Scrapy logs INFO or DEBUG lines there, which would tear it apart."""
    text = str(setting).strip().lower()
    if text in ("", "auto"):
        chatty = str(log_level).upper() in ("DEBUG", "INFO")
        return stream.isatty() and not chatty
    return text in ("1", "true", "yes", "on")


class ProgressLine:
    """Scrapy extension: redraw the counts on stderr while the crawl runs."""

    def __init__(self, crawler: Crawler, stream: TextIO) -> None:
        self.stream = stream
        self.counts = Counts()
        self.loop = LoopingCall(self.draw)
        crawler.signals.connect(self.count, signal=page_stored)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not wanted(settings.get("ARCHIVE_PROGRESS", "auto"), sys.stderr, settings["LOG_LEVEL"]):
            raise NotConfigured  # no message: Scrapy would log a warning for one
        return cls(crawler, sys.stderr)

    def count(self, result: PageResult) -> None:
        self.counts.add(result)

    def opened(self) -> None:
        self.counts = Counts()
        self.loop.start(REDRAW_SECONDS, now=True)

    def draw(self) -> None:
        self.stream.write(CLEAR + self.counts.line())
        self.stream.flush()

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.stream.write(CLEAR)
        self.stream.flush()
