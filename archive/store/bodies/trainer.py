"""Training site dictionaries beside a bulk write, so the writer never waits for zstd.

A crawl's store pipeline uses it too, with a thread (zstd's training and packing release the
GIL) instead of processes: a site's dictionary is trained as soon as it has enough pages,
later pages are packed with it, and the crawl's earlier pages of the site re-packed.

Training a 112 KiB dictionary on a site's pages takes about 0.6 s and re-packing its bodies
some more: done in the writer, 130 sites cost a 10,000-article import most of its time. Here
the writer only reads the samples and writes the results; the training and re-packing (the
re-pack engine of ``archive.store.bodies.repack``, with its checks) run in the same worker
pool that packs bodies, and their results are picked up between batches.
"""

import logging
from concurrent.futures import Executor, Future

from archive.store.bodies.compress import Dictionary
from archive.store.bodies.dictionaries import (
    CRAWL_TRAIN_MAX_BYTES,
    CRAWL_TRAIN_MAX_SAMPLES,
    TRAIN_MAX_BYTES,
    TRAIN_MAX_SAMPLES,
    hashes_to_repack,
    keep_dictionary,
    site_dictionaries,
    sites_to_train,
    train_for_site,
    training_samples,
)
from archive.store.bodies.repack import REPACKED, UNREADABLE, Repacked, read_chunk, repack_chunk
from archive.store.bodies.repack import write_batch as write_repacked
from archive.store.db.archive_db import ArchiveDB

log = logging.getLogger(__name__)

REPACK_CHUNK = 32  # bodies per re-pack task


class BackgroundTrainer:
    """Site dictionaries for ``store_many``: ``dictionaries`` is the newest one per site."""

    def __init__(self, archive: ArchiveDB, executor: Executor, crawl_id: int | None = None) -> None:
        self.archive = archive
        self.executor = executor
        # A crawl's trainer re-packs only that crawl's bodies, and trains on fewer samples.
        self.crawl_id = crawl_id
        self.sample_limits = (
            (TRAIN_MAX_BYTES, TRAIN_MAX_SAMPLES)
            if crawl_id is None
            else (CRAWL_TRAIN_MAX_BYTES, CRAWL_TRAIN_MAX_SAMPLES)
        )
        self.dictionaries: dict[str, Dictionary] = site_dictionaries(archive.db)
        # Bodies a site had when last tried: one where a dictionary did not help is tried
        # again only once it has twice as many.
        self.tried: dict[str, int] = {}
        self.training: dict[str, Future] = {}
        self.repacking: list[Future] = []

    def schedule(self, sites: set[str]) -> None:
        """Start training for those of ``sites`` that are ready for a dictionary."""
        waiting = sites - self.training.keys()
        for site, count in sites_to_train(self.archive.db, waiting, self.tried).items():
            self.tried[site] = count
            samples = training_samples(self.archive.db, site, *self.sample_limits)
            self.training[site] = self.executor.submit(train_for_site, samples)

    def collect(self, wait: bool = False) -> None:
        """Keep finished dictionaries and re-packed bodies (all of them with ``wait``)."""
        for site, future in list(self.training.items()):
            if wait or future.done():
                del self.training[site]
                self._keep(site, future.result())
        for future in list(self.repacking):
            if wait or future.done():
                self.repacking.remove(future)
                self._write(future.result())

    def _keep(self, site: str, trained: tuple[bytes, int] | None) -> None:
        if trained is None:
            return
        with self.archive.writing(f"a zstd dictionary for {site}"):
            dictionary = keep_dictionary(self.archive.db, site, *trained)
        self.dictionaries[site] = dictionary
        self.repack(dictionary)

    def repack(self, dictionary: Dictionary) -> None:
        """Start re-packing the site's bodies not yet packed with ``dictionary``."""
        hashes = hashes_to_repack(self.archive.db, dictionary, self.crawl_id)
        log.info(
            "dictionary %d for %s: re-packing %d bodies",
            dictionary.id,
            dictionary.site,
            len(hashes),
        )
        for start in range(0, len(hashes), REPACK_CHUNK):
            chunk = read_chunk(self.archive.db, hashes[start : start + REPACK_CHUNK])
            self.repacking.append(self.executor.submit(repack_chunk, dictionary, *chunk))

    def _write(self, results: list[Repacked]) -> None:
        for result in results:
            if result.status == UNREADABLE:
                log.warning("body %s does not read back as its hash: left as it is", result.hash)
        repacked = [result for result in results if result.status == REPACKED]
        if repacked:
            write_repacked(self.archive, repacked)
