"""The first item pipeline: extract the article from each page (``StorePipeline``, in
``crawler.pipelines.store``, then keeps it).

Thin glue over the ``archive`` library: ``ExtractPipeline`` calls
``archive.capture.extract_capture`` (through ``crawler.pool``, in worker processes by default).
Stats go under the ``archive/`` prefix.
"""

import logging
import os
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.asyncio import is_asyncio_available

from archive.capture import media_type_of
from archive.extract import DEFAULT_OPTIONS, ExtractOptions
from archive.store.bodies.compress import Dictionary
from archive.store.bodies.dictionaries import crawl_dictionaries
from archive.store.write.rows import site_of
from crawler.items import PageItem
from crawler.pool.job import ExtractionJob, PackDictionary, extract_and_pack
from crawler.pool.pool import ExtractionPool, extract_processes
from crawler.results import dictionary_trained

# media_type_of lives in archive.capture (the step from a capture to a record, which the
# crawl shares with WARC import and re-extraction); re-exported where callers found it.
__all__ = ["ExtractPipeline", "media_type_of"]

logger = logging.getLogger(__name__)


def extract_options(settings: Settings) -> ExtractOptions:
    """The one place crawl settings become extraction options.

    ``ARCHIVE_RULES`` names the user's rules files or folders (a list, or one string with
    paths separated by commas). The rules are read here, so that a bad file stops the crawl
    before anything is fetched, with a ``RulesError`` naming the file and the problem.
    """
    paths = settings.getlist("ARCHIVE_RULES")
    options = ExtractOptions(rules_paths=tuple(p.strip() for p in paths if p.strip()))
    options.rules()
    return options


class ExtractPipeline:
    """Set each fetched page's outcome: an article record, or why there is none.

    With ``ARCHIVE_EXTRACT_PROCESSES`` above 1 (the default is one per core) pages are
    extracted, and their bodies compressed, in a process pool (``crawler.pool``) while the
    reactor goes on fetching; with 0 or 1 they are extracted here, in the crawl's process.
    The pool needs the asyncio reactor (Scrapy's default) and a POSIX system (Linux, macOS);
    otherwise the pipeline extracts in-process and says so in the log.
    """

    def __init__(
        self, crawler: Crawler, processes: int, options: ExtractOptions = DEFAULT_OPTIONS
    ) -> None:
        self.stats = crawler.stats
        self.options = options
        self.db_path: str = crawler.settings.get("ARCHIVE_DB")
        self.dictionaries: dict[str, Dictionary] = {}  # site: its newest zstd dictionary
        self.pool: ExtractionPool | None = None
        if processes > 1 and not is_asyncio_available():
            logger.warning("No asyncio reactor: extracting in the crawl process, not a pool")
        elif processes > 1 and os.name != "posix":
            # The workers are handed their socket as an inherited descriptor (pass_fds).
            logger.warning("Not a POSIX system: extracting in the crawl process, not a pool")
        elif processes > 1:
            timeout = crawler.settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT")
            self.pool = ExtractionPool(processes, timeout=max(timeout, 0.0))
        self.stats.set_value("archive/extract/processes", processes if self.pool else 1)
        # Whatever ends the crawl (a finished spider, Ctrl-C, a stopped engine), the workers go.
        crawler.signals.connect(self.close_spider, signal=signals.engine_stopped)
        crawler.signals.connect(self.dictionary_trained, signal=dictionary_trained)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        processes = extract_processes(crawler.settings.get("ARCHIVE_EXTRACT_PROCESSES"))
        return cls(crawler, processes, extract_options(crawler.settings))

    def open_spider(self) -> None:
        self.dictionaries = crawl_dictionaries(self.db_path)
        if self.dictionaries:
            logger.info(
                "Packing bodies with the zstd dictionaries of %d sites", len(self.dictionaries)
            )
        if self.pool is not None:
            self.pool.start()

    def dictionary_trained(self, dictionary: Dictionary) -> None:
        """A dictionary the store pipeline trained during this crawl: later pages of its
        site are packed with it."""
        self.dictionaries[dictionary.site] = dictionary

    async def process_item(self, item: PageItem) -> PageItem:
        if item.outcome is not None:  # the fetch failed; nothing to extract
            return item
        url = item.final_url or item.requested_url
        dictionary = self.dictionaries.get(site_of(url) or "") if self.dictionaries else None
        # The page travels as its raw bytes and encoding (half the data to pickle); the
        # worker decodes it as Scrapy's response.text would.
        job = ExtractionJob(
            item.content_type,
            None,
            url,
            item.body,
            item.encoding,
            self.options,
            PackDictionary(dictionary.id, dictionary.data) if dictionary else None,
        )
        done = extract_and_pack(job) if self.pool is None else await self.pool.extract(job)
        item.outcome, item.record, item.extract_error = done.outcome, done.record, done.reason
        item.packed_body, item.page_metadata = done.packed_body, done.metadata
        self.stats.inc_value(f"archive/extract/{item.outcome}")
        return item

    def close_spider(self) -> None:
        if self.pool is not None:
            self.stats.set_value("archive/extract/peak_in_flight", self.pool.peak_in_flight)
            self.pool.shutdown()
