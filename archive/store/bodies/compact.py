"""Compacting an archive: every body brought to its best packing, safely, beside other writers.

A crawl packs bodies at zstd level 3 without a site dictionary (its extraction workers cannot
spare the time), so a crawled archive is about twice the size it needs to be. ``compact``:

1. trains a dictionary for each site that is ready for one (``dictionaries.train_for_site``:
   enough bodies, and kept only when it packs held-out bodies ``MIN_GAIN`` smaller);
2. re-packs every body not yet at its best: with its site's newest dictionary where there is
   one, else plain zstd at ``ZSTD_LEVEL``. A re-packed body is kept only when smaller, and only
   after the new bytes were unpacked again and hashed to the row's SHA-256.

The CPU work (training, packing, checking) runs in a process pool; the writes are short
``BEGIN IMMEDIATE`` transactions of a few hundred rows, so a crawl or Datasette on the same
file waits tens of milliseconds, and a kill loses at most the batch being written (each batch is
committed or not). Each ``UPDATE`` applies only if the row still holds what was read, so a body
that another writer re-packed meanwhile is left as that writer made it.

A body's site is the site of its newest capture (a body shared by two sites gets one owner, so
runs do not re-pack it back and forth). Bodies compact packs carry the zstd content checksum
(``compress.has_checksum``): that is how a plain ``zstd`` body already at level 9 is told from
a crawl's level-3 one, and how a site whose dictionary did not help is recognised (its bodies
are at plain level 9) and tried again only once it has twice as many bodies.
"""

import logging
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from archive.errors import StorageError
from archive.store.bodies.compact_scan import (
    Body,
    SitePlan,
    estimate_after,
    file_bytes,
    scan_sites,
)
from archive.store.bodies.compress import Dictionary
from archive.store.bodies.dictionaries import keep_dictionary, train_for_site, training_samples
from archive.store.bodies.repack import (
    NOT_SMALLER,
    REPACKED,
    UNREADABLE,
    Repacked,
    read_chunk,
    repack_chunk,
    write_batch,
)
from archive.store.db.archive_db import ArchiveDB

__all__ = ["CompactPlan", "CompactReport", "Progress", "compact", "plan"]

log = logging.getLogger(__name__)

CHUNK = 32  # bodies per task sent to a worker
# Rows (or bytes of new data) per write transaction: the write lock is held a median 36 ms
# (at most 80) on AEB pages of 170 KB with both cores busy; at 4 MiB it was 61 ms (89).
WRITE_ROWS = 200
WRITE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Progress:
    """Where a run is: ``phase`` is "train" (sites) or "repack" (bodies); the byte counts are
    the packed sizes of the bodies handled so far, before and after."""

    phase: str
    done: int
    total: int
    bytes_before: int = 0
    bytes_after: int = 0


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class CompactPlan:
    """What a run would do (``--dry-run``), from the bodies in scope as they are now."""

    sites: int
    bodies: int
    bytes: int  # packed bytes of the bodies in scope
    raw_bytes: int
    to_train: list[str]
    to_repack: int
    repack_bytes: int
    estimated_after: int  # estimated packed bytes of the bodies in scope after a run


@dataclass
class CompactReport:
    """What a run did. Byte counts are the packed bodies in scope, before and after."""

    sites: int = 0
    bodies: int = 0
    raw_bytes: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    repacked: int = 0
    not_smaller: int = 0  # re-packed bigger or no smaller: left as they were
    unreadable: int = 0  # did not read back as their hash: left untouched (see the log)
    changed_meanwhile: int = 0  # re-packed by another writer while this run worked
    trained: list[str] = field(default_factory=list)
    untrained: list[str] = field(default_factory=list)  # tried, the dictionary did not help
    dictionary_bytes: int = 0
    seconds: float = 0.0
    file_before: int | None = None  # file bytes around --vacuum
    file_after: int | None = None

    @property
    def nothing_done(self) -> bool:
        return not self.repacked and not self.trained


def plan(archive: ArchiveDB, sites: list[str] | None = None) -> CompactPlan:
    """What ``compact`` would do with ``sites`` (all sites when empty), writing nothing.

    The estimate packs a sample of the bodies to re-pack with what they would get (for the
    sites still to train, with dictionaries trained for a few of them and then dropped)."""
    plans = scan_sites(archive.db, sites)
    todo = [body for p in plans for body in p.candidates()]
    return CompactPlan(
        sites=sum(1 for p in plans if p.site is not None),
        bodies=sum(len(p.bodies) for p in plans),
        bytes=sum(p.packed_bytes for p in plans),
        raw_bytes=sum(p.raw_bytes for p in plans),
        to_train=[p.site for p in plans if p.train and p.site is not None],
        to_repack=len(todo),
        repack_bytes=sum(body.packed for body in todo),
        estimated_after=estimate_after(archive.db, plans),
    )


def compact(
    archive: ArchiveDB,
    sites: list[str] | None = None,
    *,
    processes: int | None = None,
    progress: ProgressCallback | None = None,
    vacuum: bool = False,
) -> CompactReport:
    """Train the dictionaries sites are ready for and re-pack every body of ``sites`` (all
    when empty) not at its best; ``processes`` workers do the CPU work (0: this process;
    default: one per core). With ``vacuum``, ``VACUUM`` the file afterwards so it shrinks."""
    started = time.perf_counter()
    report = CompactReport()
    plans = scan_sites(archive.db, sites)
    report.sites = sum(1 for p in plans if p.site is not None)
    report.bodies = sum(len(p.bodies) for p in plans)
    report.raw_bytes = sum(p.raw_bytes for p in plans)
    report.bytes_before = report.bytes_after = sum(p.packed_bytes for p in plans)
    workers = (os.cpu_count() or 1) if processes is None else processes
    try:
        with _executor(workers) as executor:
            _train(archive, executor, plans, report, progress, max(workers, 1) * 2)
            _repack(archive, executor, plans, report, progress, max(workers, 1) * 3)
    except BrokenExecutor as exc:  # a worker killed (out of memory ...): what is written stays
        raise StorageError(
            "a worker process died; the bodies re-packed so far are kept", subject=archive.path
        ) from exc
    # An archive made with incremental auto_vacuum gives the re-packed bodies' old pages back
    # now, a step at a time (each a short write); an older one keeps them for reuse.
    while archive.give_back():
        pass
    if vacuum:
        report.file_before = file_bytes(archive.path)
        _vacuum(archive)
        report.file_after = file_bytes(archive.path)
    report.seconds = time.perf_counter() - started
    return report


def _train(
    archive: ArchiveDB,
    executor: Executor,
    plans: list[SitePlan],
    report: CompactReport,
    progress: ProgressCallback | None,
    in_flight: int,
) -> None:
    """Train the ready sites in the pool, keeping each useful dictionary in its own short
    transaction as soon as it is trained."""
    ready = [p for p in plans if p.train]
    pending: list[tuple[SitePlan, Future]] = []
    done = 0
    for site_plan in ready:
        # Samples are read only when a worker is about to be free: bounded memory.
        while len(pending) >= in_flight:
            _keep(archive, *pending.pop(0), report)
            done += 1
            _tell(progress, Progress("train", done, len(ready)))
        samples = training_samples(archive.db, str(site_plan.site))
        pending.append((site_plan, executor.submit(train_for_site, samples)))
    for site_plan, future in pending:
        _keep(archive, site_plan, future, report)
        done += 1
        _tell(progress, Progress("train", done, len(ready)))


def _keep(archive: ArchiveDB, site_plan: SitePlan, future: Future, report: CompactReport) -> None:
    site = str(site_plan.site)
    try:
        trained: tuple[bytes, int] | None = future.result()
    except StorageError as error:  # zstd could not train on these samples: as no gain
        log.warning("no dictionary for %s: %s", site, error)
        trained = None
    site_plan.train = False  # tried: its bodies are now packed plainly or with this dictionary
    if trained is None:
        report.untrained.append(site)
        return
    with archive.writing(f"a zstd dictionary for {site}"):
        site_plan.dictionary = keep_dictionary(archive.db, site, *trained)
    log.info("dictionary %d for %s", site_plan.dictionary.id, site)
    report.trained.append(site)
    report.dictionary_bytes += len(trained[0])


def _repack(
    archive: ArchiveDB,
    executor: Executor,
    plans: list[SitePlan],
    report: CompactReport,
    progress: ProgressCallback | None,
    in_flight: int,
) -> None:
    """Re-pack the candidates of every site in the pool, a chunk per task, writing the
    results in short batches as they come back."""
    todo = [(p.dictionary, p.candidates()) for p in plans]
    total = sum(len(bodies) for _, bodies in todo)
    state = _RepackState(archive, report, progress, total)
    pending: list[Future] = []
    for dictionary, chunk in _chunks(todo):
        while len(pending) >= in_flight:
            state.take(pending.pop(0).result())
        hashes = [body.hash for body in chunk]
        pending.append(executor.submit(repack_chunk, dictionary, *read_chunk(archive.db, hashes)))
    for future in pending:
        state.take(future.result())
    state.flush()


def _chunks(
    todo: list[tuple[Dictionary | None, list[Body]]],
) -> Iterator[tuple[Dictionary | None, list[Body]]]:
    for dictionary, bodies in todo:
        for start in range(0, len(bodies), CHUNK):
            yield dictionary, bodies[start : start + CHUNK]


class _RepackState:
    """Re-packed bodies waiting for their write, and the running counts."""

    def __init__(
        self,
        archive: ArchiveDB,
        report: CompactReport,
        progress: ProgressCallback | None,
        total: int,
    ) -> None:
        self.archive = archive
        self.report = report
        self.progress = progress
        self.total = total
        self.done = 0
        self.before = 0
        self.after = 0
        self.waiting: list[Repacked] = []
        self.waiting_bytes = 0

    def take(self, results: list[Repacked]) -> None:
        for result in results:
            self.done += 1
            self.before += result.old_size
            if result.status == REPACKED:
                self.waiting.append(result)
                self.waiting_bytes += len(result.data or b"")
                self.after += len(result.data or b"")  # set back in flush() if not written
            else:
                self.after += result.old_size
                self.report.not_smaller += result.status == NOT_SMALLER
                self.report.unreadable += result.status == UNREADABLE
                if result.status == UNREADABLE:
                    log.warning(
                        "body %s does not read back as its hash: left as it is", result.hash
                    )
        if len(self.waiting) >= WRITE_ROWS or self.waiting_bytes >= WRITE_BYTES:
            self.flush()
        _tell(self.progress, Progress("repack", self.done, self.total, self.before, self.after))

    def flush(self) -> None:
        if not self.waiting:
            return
        written = write_batch(self.archive, self.waiting)
        for result in self.waiting:
            saved = result.old_size - len(result.data or b"")
            if result.hash in written:
                self.report.repacked += 1
                self.report.bytes_after -= saved
            else:
                self.report.changed_meanwhile += 1
                self.after += saved
        self.waiting, self.waiting_bytes = [], 0


def _tell(progress: ProgressCallback | None, state: Progress) -> None:
    if progress is not None:
        progress(state)


def _vacuum(archive: ArchiveDB) -> None:
    """Rewrite the file without its free pages, then fold the write-ahead log back in, so the
    file on disk shrinks. Takes the write lock for the whole rewrite."""
    try:
        archive.db.execute("VACUUM")
        busy, _, _ = archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error as exc:
        raise StorageError(
            f"VACUUM failed ({exc}); the re-packed bodies are kept", subject=archive.path
        ) from exc
    if busy:
        log.warning(
            "a reader kept the write-ahead log from being folded in: the file shrinks later"
        )


class _InlineExecutor(Executor):
    """Runs each task at once in this process (``processes=0``)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except StorageError as error:  # kept for result(), as a pool keeps it
            future.set_exception(error)
        return future


@contextmanager
def _executor(processes: int) -> Iterator[Executor]:
    if processes <= 0:
        yield _InlineExecutor()
        return
    # spawn: workers must not inherit this process's open SQLite connection.
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool
    finally:
        # On an error or Ctrl-C, queued tasks are dropped rather than run to no purpose.
        pool.shutdown(wait=True, cancel_futures=True)
