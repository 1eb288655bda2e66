"""Extraction beside the crawl: a process pool that parses pages and packs their raw bodies.

Parsing a page with BeautifulSoup costs milliseconds of pure Python (7 on average on the AEB
pages), so one Scrapy process extracting in its reactor thread caps a crawl at one core.
``ExtractionPool`` sends each page to worker processes (one per core by default,
``crawler.pool_worker``) over a socket each and hands the reactor an awaitable; the workers
also hash and compress the raw body, so the reactor only writes rows.

Back-pressure: at most ``max_in_flight`` pages are with the workers at a time; further pages
wait on a semaphore while their responses stay in Scrapy's scraper slot, and once that slot
holds ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes (5 MB by default) Scrapy stops taking new
responses. Memory is thereby bounded whatever the crawl's size.

This module does not import Scrapy: worker processes import it to find ``run_job``.
"""

import asyncio
import itertools
import logging
import os
from dataclasses import dataclass
from typing import Any

from archive.errors import (
    ArchiveError,
    ExtractionError,
    NotAnArticleError,
    NotHTMLError,
)
from archive.extract import DEFAULT_OPTIONS, ExtractOptions, extract_article
from archive.records import ArticleRecord, Outcome
from archive.store.bodies.compress import CRAWL_LEVEL, ZSTD, body_hash, compress, dict_method
from archive.store.bodies.dictionaries import Dictionary
from crawler.pool_worker import Worker, WorkerDied

logger = logging.getLogger(__name__)

# Media types handed to the parser; anything else declared by the server is "not-html".
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Pages with the workers per worker: two keep a worker busy while the last result travels back.
IN_FLIGHT_PER_PROCESS = 2


@dataclass(frozen=True)
class Extracted:
    """What a worker made of one page: outcome, record or reason, and the packed body."""

    outcome: str
    record: ArticleRecord | None
    reason: str | None
    packed_body: dict[str, Any] | None  # the ``bodies`` row: hash, size, compression, data


def extract_page(
    content_type: str | None,
    content: str | bytes,
    url: str,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> tuple[str, ArticleRecord | None, str | None]:
    """The outcome, record and reason for one page.

    A declared non-HTML content type is not parsed at all; with no content type the parser
    decides (it raises ``NotHTMLError`` for a body that is not HTML).
    """
    media_type = media_type_of(content_type)
    if media_type is not None and media_type not in HTML_MEDIA_TYPES:
        return Outcome.NOT_HTML, None, f"not HTML: the server sent {media_type}"
    try:
        return Outcome.ARTICLE, extract_article(content, url, options=options), None
    except NotHTMLError as error:
        return Outcome.NOT_HTML, None, error.reason
    except NotAnArticleError as error:
        return Outcome.NOT_ARTICLE, None, error.reason
    except ExtractionError as error:
        return Outcome.EXTRACT_ERROR, None, error.reason
    except Exception as error:  # a parser bug must not lose the capture: record it, go on
        logger.exception("Extraction crashed on %s", url)
        return Outcome.EXTRACT_ERROR, None, f"parser crashed: {type(error).__name__}: {error}"


def media_type_of(content_type: str | None) -> str | None:
    """``"text/html; charset=utf-8"`` gives ``"text/html"``; empty or missing gives None."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type or None


@dataclass(frozen=True)
class PackDictionary:
    """A site's zstd dictionary as a job carries it: its bytes only the first time a worker
    is sent it (a dictionary is about 112 KiB, as much as a page), then its id alone."""

    id: int
    data: bytes | None = None


# The dictionaries this process has been sent, by id (a worker's). Bounded: when a new one
# comes and MAX_DICTIONARIES are kept, they are all dropped, and the crawl side, which keeps
# the same count for each worker (``_for_worker``), sends each again whole when next needed.
_DICTIONARIES: dict[int, bytes] = {}
MAX_DICTIONARIES = 256


def pack_body(body: bytes, dictionary: PackDictionary | None = None) -> dict[str, Any]:
    """The ``bodies`` row for a raw body, as ``ArchiveDB.store(packed_body=...)`` takes it:
    zstd at the crawl's fast level, with the site's dictionary when there is one (which
    about halves a body: pages of a site share their template)."""
    data = bytes(body)
    method, dictionary_data = ZSTD, _dictionary_bytes(dictionary)
    if dictionary is not None and dictionary_data is not None:
        method = dict_method(dictionary.id)
    return {
        "hash": body_hash(data),
        "size": len(data),
        "compression": method,
        "data": compress(data, method, dictionary_data, level=CRAWL_LEVEL),
    }


def _dictionary_bytes(dictionary: PackDictionary | None) -> bytes | None:
    if dictionary is None:
        return None
    if dictionary.data is not None:
        if dictionary.id not in _DICTIONARIES and len(_DICTIONARIES) >= MAX_DICTIONARIES:
            _DICTIONARIES.clear()
        _DICTIONARIES[dictionary.id] = dictionary.data
    # None only if the bytes never arrived (a worker restarted in between): pack without.
    return _DICTIONARIES.get(dictionary.id)


def extract_and_pack(
    content_type: str | None,
    content: str | bytes | None,
    url: str,
    body: bytes | None,
    encoding: str | None = None,
    options: ExtractOptions = DEFAULT_OPTIONS,
    dictionary: PackDictionary | None = None,
) -> Extracted:
    """Extract one page and pack its body (with ``dictionary``, the site's zstd dictionary,
    when given): the work a pool worker does for each page.

    With ``content`` None the page is ``body`` decoded here from ``encoding`` exactly as
    Scrapy's ``TextResponse.text`` decodes it (a BOM first, then the encoding Scrapy found),
    so only the raw bytes cross the process boundary, not a second copy as text.
    """
    if content is None:
        content = decoded(body or b"", encoding)
    outcome, record, reason = extract_page(content_type, content, url, options)
    packed = pack_body(body, dictionary) if body is not None else None
    return Extracted(outcome, record, reason, packed)


def decoded(body: bytes, encoding: str | None) -> str | bytes:
    """``body`` as Scrapy's ``response.text`` would give it; the bytes when no encoding."""
    if not encoding:
        return body
    # Imported here: only workers decode, and the crawl process need not load it for them.
    from w3lib.encoding import html_to_unicode

    return html_to_unicode(f"charset={encoding}", body)[1]


def extract_processes(value: object) -> int:
    """The ``ARCHIVE_EXTRACT_PROCESSES`` setting as a count; unset or empty means every core."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return os.cpu_count() or 1
    try:
        count = int(str(value).strip())
    except ValueError:
        count = -1
    if count < 0:
        raise ArchiveError(
            f"ARCHIVE_EXTRACT_PROCESSES must be a whole number, 0 or more (got {value!r})"
        )
    return count


def run_job(args: tuple[Any, ...]) -> Extracted:
    """``extract_and_pack(*args)`` for a worker: whatever goes wrong, the page gets a result."""
    try:
        return extract_and_pack(*args)
    except Exception as error:  # e.g. a body that cannot be hashed; keep the worker alive
        logger.exception("Extraction job failed on %s", args[2] if len(args) > 2 else "?")
        return Extracted(Outcome.EXTRACT_ERROR, None, f"worker error: {error}", None)


class ExtractionPool:
    """Worker processes that run ``extract_and_pack``, awaited from the asyncio loop.

    Workers (``crawler.pool_worker``) are new Python processes (a fork of a process running
    a reactor is unsafe), started on first use, all at once; each is sent pages over its own
    socket. A worker that dies (a crash in C code, the OOM killer) fails only the pages it
    held: a new one takes its place for the next page.
    """

    def __init__(self, processes: int, max_in_flight: int | None = None) -> None:
        if processes < 1:
            raise ValueError("an extraction pool needs at least one process")
        self.processes = processes
        self.max_in_flight = max_in_flight or processes * IN_FLIGHT_PER_PROCESS
        self._workers: list[Worker] = []
        self._slots: asyncio.Semaphore | None = None
        self._job_ids = itertools.count()
        self.closed = False
        self.in_flight = 0  # pages with the workers now
        self.peak_in_flight = 0  # the most there have been at once (for stats and tests)

    async def extract(
        self,
        content_type: str | None,
        content: str | bytes | None,
        url: str,
        body: bytes | None,
        encoding: str | None = None,
        options: ExtractOptions = DEFAULT_OPTIONS,
        dictionary: Dictionary | None = None,
    ) -> Extracted:
        """Extract and pack one page in a worker, waiting for a free slot first (the
        arguments are those of ``extract_and_pack``; ``dictionary`` is the site's)."""
        job = (content_type, content, url, body, encoding, options)
        if self.closed:  # a page still arriving after shutdown: no new workers for it
            whole = PackDictionary(dictionary.id, dictionary.data) if dictionary else None
            return extract_and_pack(*job, whole)
        if self._slots is None:  # created here, inside the running loop
            self._slots = asyncio.Semaphore(self.max_in_flight)
        async with self._slots:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                return await self._submit(job, url, dictionary)
            finally:
                self.in_flight -= 1

    async def _submit(
        self, job: tuple[Any, ...], url: str, dictionary: Dictionary | None
    ) -> Extracted:
        worker = self._least_busy()
        job = (*job, _for_worker(worker, dictionary))
        try:
            return await worker.submit(next(self._job_ids), job)
        except WorkerDied:
            logger.error("An extraction worker died on %s; starting another", url)
            reason = "extraction worker died (crash or out of memory)"
            return Extracted(Outcome.EXTRACT_ERROR, None, reason, None)

    def start(self) -> None:
        """Start the missing workers now (from the running event loop), so that their start-up
        (a second or so of imports) overlaps the crawl's own instead of delaying its first
        pages; ``extract`` starts them otherwise."""
        try:
            asyncio.get_running_loop()  # the workers' sockets are watched by this loop
        except RuntimeError:
            return  # not inside the loop yet: the first page will start them
        while len(self._workers) < self.processes and not self.closed:
            self._workers.append(Worker(on_lost=self._forget))

    def _least_busy(self) -> Worker:
        """The worker holding the fewest pages, after starting any that are missing."""
        self.start()
        return min(self._workers, key=lambda worker: len(worker.pending))

    def _forget(self, worker: Worker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
        worker.stop()  # reap it (it is dead or dying) so that no zombie is left

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for logs and tests)."""
        return sorted(worker.pid for worker in self._workers)

    def shutdown(self) -> None:
        """Stop the workers and wait for them to exit; pages not yet done are dropped."""
        self.closed = True
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()


def _for_worker(worker: Worker, dictionary: Dictionary | None) -> PackDictionary | None:
    """``dictionary`` as a job for ``worker`` carries it: whole the first time, then its id
    (jobs reach a worker in order, so the whole one always arrives first)."""
    if dictionary is None:
        return None
    if dictionary.id in worker.dictionaries:
        return PackDictionary(dictionary.id)
    if len(worker.dictionaries) >= MAX_DICTIONARIES:  # the worker drops them all now
        worker.dictionaries.clear()
    worker.dictionaries.add(dictionary.id)
    return PackDictionary(dictionary.id, dictionary.data)
