"""Storing many captures at once: bodies packed in worker processes, rows written by one writer
in one transaction per batch.

``store_many`` is the bulk path of ``archive import-warc`` and ``benchmarks/storage.py``. Packing
(SHA-256 and zstd, 3-4 ms for a typical page) runs in a process pool one batch ahead of the
writer. The writer writes the rows ``ArchiveDB.store`` writes, through ``ArchiveDB``'s own
placing step (articles, versions, gone marks, search index), but commits once per batch: one
``store()`` per capture spends about 1.6 ms of its 4 ms in its own commit (measured on AEB
pages), which caps a writer near 250 captures/s. After each batch, sites that now have enough
bodies start training a zstd dictionary in the pool (``archive.store.bodies.trainer``); once kept,
later bodies of the site use it and its earlier ones are re-packed with it.
"""

import dataclasses
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from archive.errors import ArchiveError
from archive.records import ArticleRecord, Capture
from archive.store.bodies.compress import Dictionary
from archive.store.bodies.trainer import BackgroundTrainer
from archive.store.db.archive_db import ArchiveDB, StoreResult
from archive.store.write.prepare import Prepared, prepare, version_or_current
from archive.store.write.rows import site_of

log = logging.getLogger(__name__)

Item = tuple[Capture, ArticleRecord | None]
# Run on each item in the worker before it is prepared (import-warc extracts articles there).
Transform = Callable[[Capture, ArticleRecord | None], Item]
BATCH_SIZE = 500
# The writer's page cache while it stores many (SQLite's default is 2 MiB): a large archive's
# indexes (random SHA-256 and URL keys) and search index segments otherwise leave it at once.
WRITER_CACHE_KIB = 64 * 1024
CHUNK = 16  # items per task sent to a worker (with their site's dictionary)


def prepare_chunk(
    dictionary: Dictionary | None,
    version: str,
    items: list[Item],
    transform: Transform | None = None,
) -> list[Prepared]:
    """Worker task: transform each item (when asked), check it, build its ``articles`` row
    and pack its body (with the site's dictionary, when it has one): all but the SQL."""
    if transform is not None:
        items = [transform(capture, record) for capture, record in items]
    return [_prepare(capture, record, version, dictionary) for capture, record in items]


def _prepare(
    capture: Capture, record: ArticleRecord | None, version: str, dictionary: Dictionary | None
) -> Prepared:
    prepared = prepare(capture, record, version, dictionary=dictionary)
    # The body travels back packed only.
    return prepared._replace(capture=dataclasses.replace(capture, body=None))


class _InlineExecutor(Executor):
    """Runs each task at once in this process (``workers=0``: tests, tiny imports)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except (ArchiveError, ValueError) as error:  # kept for result(), as a pool keeps it
            future.set_exception(error)
        return future


def _executor(workers: int) -> Executor:
    if workers <= 0:
        return _InlineExecutor()
    # spawn: workers must not inherit the writer's open SQLite connection.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def _site(capture: Capture) -> str | None:
    return site_of(capture.final_url or capture.requested_url)


def _submit(
    executor: Executor,
    batch: list[Item],
    dictionaries: dict[str, Dictionary],
    version: str,
    transform: Transform | None = None,
) -> list[tuple[list[int], Future]]:
    """Send the batch to the workers in chunks of items sharing a dictionary (or none);
    returns (positions in the batch, future of their prepared items) pairs."""
    groups: dict[Dictionary | None, list[int]] = {}
    for position, (capture, _record) in enumerate(batch):
        groups.setdefault(dictionaries.get(_site(capture) or ""), []).append(position)
    tasks = []
    for dictionary, positions in groups.items():
        for start in range(0, len(positions), CHUNK):
            chunk = positions[start : start + CHUNK]
            items = [batch[i] for i in chunk]
            future = executor.submit(prepare_chunk, dictionary, version, items, transform)
            tasks.append((chunk, future))
    return tasks


def _collect(size: int, tasks: list[tuple[list[int], Future]]) -> list[Prepared]:
    """The prepared items of a batch, in batch order."""
    prepared: list[Any] = [None] * size
    for positions, future in tasks:
        for position, row in zip(positions, future.result(), strict=True):
            prepared[position] = row
    return prepared


def _write(
    archive: ArchiveDB, batch: list[Item], prepared: list[Prepared], crawl_id: int | None
) -> list[StoreResult]:
    """Write one batch in one transaction: the rows ``ArchiveDB.store`` writes, through its
    own placing step (articles, versions, gone marks), committed once for the batch."""
    with archive.writing(f"a batch of {len(batch)} captures"):
        return [archive.write_prepared(*item, crawl_id) for item in prepared]


def store_many(
    archive: ArchiveDB,
    items: Iterable[Item],
    *,
    crawl_id: int | None = None,
    extractor_version: str | None = None,
    workers: int = 2,
    batch_size: int = BATCH_SIZE,
    train: bool = True,
    transform: Transform | None = None,
) -> Iterator[StoreResult]:
    """Store ``(capture, record)`` pairs, yielding each ``StoreResult`` in order.

    Items are read lazily, ``batch_size`` at a time, so memory stays bounded by two batches.
    ``workers`` processes pack bodies (0 packs in this process). With ``train``, sites get a
    zstd dictionary once they have enough bodies (their bodies so far are re-packed with it).
    ``transform`` (a module-level function, so worker processes can import it) is applied to
    each item in the workers first: ``archive import-warc`` extracts its articles there.
    """
    source = iter(items)
    version = version_or_current(extractor_version)
    cache = archive.db.execute("PRAGMA cache_size").fetchone()[0]
    archive.db.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    try:
        yield from _store_batches(
            archive, source, crawl_id, version, workers, batch_size, train, transform
        )
    finally:
        archive.db.execute(f"PRAGMA cache_size = {int(cache)}")


def _store_batches(
    archive: ArchiveDB,
    source: Iterator[Item],
    crawl_id: int | None,
    version: str,
    workers: int,
    batch_size: int,
    train: bool,
    transform: Transform | None,
) -> Iterator[StoreResult]:
    with _executor(workers) as executor:
        trainer = BackgroundTrainer(archive, executor)
        batch = list(islice(source, batch_size))
        tasks = _submit(executor, batch, trainer.dictionaries, version, transform)
        while batch:
            following = list(islice(source, batch_size))
            # Prepared while this batch is written: workers stay one batch ahead.
            next_tasks = _submit(executor, following, trainer.dictionaries, version, transform)
            prepared = _collect(len(batch), tasks)
            yield from _write(archive, batch, prepared, crawl_id)
            if train:
                trainer.collect()
                trainer.schedule({s for s in (_site(capture) for capture, _ in batch) if s})
            batch, tasks = following, next_tasks
        trainer.collect(wait=True)
