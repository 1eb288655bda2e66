"""Storing many captures at once: bodies packed in worker processes, rows written by one writer.

``store_many`` is the bulk path of ``archive import-warc`` and ``benchmarks/storage.py``. Packing
(SHA-256 and zstd, 3-4 ms for a typical page) runs in a process pool one batch ahead of the
writer, so the writer only runs ``ArchiveDB.store(..., packed_body=...)``: the same rows,
versions and search index as any other write. After each batch, sites that now have enough
bodies get a zstd dictionary (``archive.store.dictionaries``) and later bodies use it.
"""

import logging
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from archive.records import ArticleRecord, Capture
from archive.store.dictionaries import Dictionary, pack_body, site_dictionaries, train_sites
from archive.store.rows import site_of
from archive.store.storage import ArchiveDB, StoreResult

log = logging.getLogger(__name__)

Item = tuple[Capture, ArticleRecord | None]
BATCH_SIZE = 256
CHUNK = 16  # bodies per task sent to a worker (with their dictionary)


def pack_chunk(dictionary: Dictionary | None, bodies: list[bytes]) -> list[dict[str, Any]]:
    """Worker task: the ``bodies`` rows for raw bodies sharing one dictionary (or none)."""
    return [pack_body(body, dictionary) for body in bodies]


class _InlineExecutor(Executor):
    """Runs each task at once in this process (``workers=0``: tests, tiny imports)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def _executor(workers: int) -> Executor:
    if workers <= 0:
        return _InlineExecutor()
    # spawn: workers must not inherit the writer's open SQLite connection.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def _site(capture: Capture) -> str | None:
    return site_of(capture.final_url or capture.requested_url)


def _submit_packing(
    executor: Executor, batch: list[Item], dictionaries: dict[str, Dictionary]
) -> list[tuple[list[int], Future]]:
    """Send the batch's bodies to the workers, grouped by dictionary; returns
    (positions in the batch, future of their packed rows) pairs."""
    groups: dict[int | None, list[int]] = {}
    for position, (capture, _record) in enumerate(batch):
        if capture.body is not None:
            found = dictionaries.get(_site(capture) or "")
            groups.setdefault(found.id if found else None, []).append(position)
    by_id = {d.id: d for d in dictionaries.values()}
    tasks = []
    for dictionary_id, positions in groups.items():
        dictionary = by_id.get(dictionary_id) if dictionary_id is not None else None
        for start in range(0, len(positions), CHUNK):
            chunk = positions[start : start + CHUNK]
            bodies = [bytes(batch[i][0].body or b"") for i in chunk]
            tasks.append((chunk, executor.submit(pack_chunk, dictionary, bodies)))
    return tasks


def _write(
    archive: ArchiveDB,
    batch: list[Item],
    tasks: list[tuple[list[int], Future]],
    crawl_id: int | None,
    extractor_version: str | None,
) -> Iterator[StoreResult]:
    packed: list[dict[str, Any] | None] = [None] * len(batch)
    for positions, future in tasks:
        for position, row in zip(positions, future.result(), strict=True):
            packed[position] = row
    for (capture, record), body in zip(batch, packed, strict=True):
        yield archive.store(
            capture,
            record,
            crawl_id=crawl_id,
            extractor_version=extractor_version,
            packed_body=body,
        )


def store_many(
    archive: ArchiveDB,
    items: Iterable[Item],
    *,
    crawl_id: int | None = None,
    extractor_version: str | None = None,
    workers: int = 2,
    batch_size: int = BATCH_SIZE,
    train: bool = True,
) -> Iterator[StoreResult]:
    """Store ``(capture, record)`` pairs, yielding each ``StoreResult`` in order.

    Items are read lazily, ``batch_size`` at a time, so memory stays bounded by two batches.
    ``workers`` processes pack bodies (0 packs in this process). With ``train``, sites get a
    zstd dictionary once they have enough bodies (their bodies so far are re-packed with it).
    """
    source = iter(items)
    tried: dict[str, int] = {}
    with _executor(workers) as executor:
        dictionaries = site_dictionaries(archive.db)
        batch = list(islice(source, batch_size))
        tasks = _submit_packing(executor, batch, dictionaries)
        while batch:
            following = list(islice(source, batch_size))
            # Packed while this batch is written: workers stay one batch ahead.
            next_tasks = _submit_packing(executor, following, dictionaries)
            yield from _write(archive, batch, tasks, crawl_id, extractor_version)
            if train:
                sites = {s for s in (_site(capture) for capture, _ in batch) if s}
                if train_sites(archive.db, sites, tried):
                    dictionaries = site_dictionaries(archive.db)
            batch, tasks = following, next_tasks
