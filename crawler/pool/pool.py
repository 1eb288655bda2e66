"""Extraction beside the crawl: a process pool that parses pages and packs their raw bodies.

Parsing a page with BeautifulSoup costs milliseconds of pure Python (7 on average on the AEB
pages), so one Scrapy process extracting in its reactor thread caps a crawl at one core.
``ExtractionPool`` sends each page to worker processes (one per core by default,
``crawler.pool.worker``) over a socket each and hands the reactor an awaitable; the workers
also hash and compress the raw body, so the reactor only writes rows.

Back-pressure: at most ``max_in_flight`` pages are with the workers at a time; further pages
wait on a semaphore while their responses stay in Scrapy's scraper slot, and once that slot
holds ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes (5 MB by default) Scrapy stops taking new
responses. Memory is thereby bounded whatever the crawl's size.

This is the crawl's side of the pool; the job a worker runs is ``crawler.pool.job``.
"""

import asyncio
import dataclasses
import itertools
import logging
import os

from archive.errors import ArchiveError
from archive.records import Outcome
from crawler.pool.job import (
    MAX_DICTIONARIES,
    Extracted,
    ExtractionJob,
    PackDictionary,
    extract_and_pack,
)
from crawler.pool.worker import JobTimedOut, Worker, WorkerDied

logger = logging.getLogger(__name__)

# Pages with the workers per worker: two keep a worker busy while the last result travels back.
IN_FLIGHT_PER_PROCESS = 2


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


class ExtractionPool:
    """Worker processes that run extraction jobs (``crawler.pool.job``), awaited from the
    asyncio loop.

    Workers (``crawler.pool.worker``) are new Python processes (a fork of a process running
    a reactor is unsafe), started on first use, all at once; each is sent pages over its own
    socket. A worker that dies (a crash in C code, the OOM killer) fails only the page it
    was extracting: a new one takes its place for the next page. So does a worker whose page
    runs past ``timeout`` seconds (``ARCHIVE_EXTRACT_TIMEOUT``; 0: no limit): it is killed,
    the page recorded as abandoned, and the pages queued behind it go to another worker.
    """

    def __init__(
        self, processes: int, max_in_flight: int | None = None, timeout: float = 0.0
    ) -> None:
        if processes < 1:
            raise ValueError("an extraction pool needs at least one process")
        self.processes = processes
        self.timeout = timeout
        self.max_in_flight = max_in_flight or processes * IN_FLIGHT_PER_PROCESS
        self._workers: list[Worker] = []
        self._slots: asyncio.Semaphore | None = None
        self._job_ids = itertools.count()
        self.closed = False
        self.in_flight = 0  # pages with the workers now
        self.peak_in_flight = 0  # the most there have been at once (for stats and tests)

    async def extract(self, job: ExtractionJob) -> Extracted:
        """Extract and pack one page in a worker, waiting for a free slot first. The job's
        ``dictionary`` is the site's whole (id and bytes): each worker is sent the bytes
        once, then only the id."""
        if self.closed:  # a page still arriving after shutdown: no new workers for it
            return extract_and_pack(job)
        if self._slots is None:  # created here, inside the running loop
            self._slots = asyncio.Semaphore(self.max_in_flight)
        async with self._slots:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                while True:  # again only for a page queued behind one that overran
                    worker = self._least_busy()
                    dictionary = _for_worker(worker, job.dictionary)
                    done = await self._submit(
                        worker, dataclasses.replace(job, dictionary=dictionary)
                    )
                    if done is not None:
                        return done
            finally:
                self.in_flight -= 1

    async def _submit(self, worker: Worker, job: ExtractionJob) -> Extracted | None:
        """The job's result, or None when it must go to another worker: it was queued
        behind a page whose worker was killed for overrunning."""
        try:
            extracted: Extracted = await worker.submit(next(self._job_ids), job)
            return extracted
        except JobTimedOut:
            logger.warning("Extraction of %s abandoned after %g s", job.url, self.timeout)
            reason = (
                f"extraction abandoned: still running after {self.timeout:g} s"
                " (ARCHIVE_EXTRACT_TIMEOUT)"
            )
            return Extracted(Outcome.EXTRACT_ERROR, None, reason, None)
        except WorkerDied as died:
            if died.innocent and not self.closed:
                return None
            logger.error("An extraction worker died on %s; starting another", job.url)
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
            self._workers.append(Worker(on_lost=self._forget, timeout=self.timeout))

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


def _for_worker(worker: Worker, dictionary: PackDictionary | None) -> PackDictionary | None:
    """``dictionary`` as a job for ``worker`` carries it: whole the first time, then its id
    (jobs reach a worker in order, so the whole one always arrives first)."""
    if dictionary is None or dictionary.data is None:  # none, or no bytes to send anyway
        return dictionary
    if dictionary.id in worker.dictionaries:
        return PackDictionary(dictionary.id)
    if len(worker.dictionaries) >= MAX_DICTIONARIES:  # the worker drops them all now
        worker.dictionaries.clear()
    worker.dictionaries.add(dictionary.id)
    return PackDictionary(dictionary.id, dictionary.data)
