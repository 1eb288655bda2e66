"""Training site dictionaries beside a bulk write, so the writer never waits for zstd.

Training a 112 KiB dictionary on a site's pages takes about 0.6 s and re-packing its bodies
some more: done in the writer, 130 sites cost a 10,000-article import most of its time. Here
the writer only reads the samples and writes the results; the training and re-packing run in
the same worker pool that packs bodies, and their results are picked up between batches.
"""

import logging
from concurrent.futures import Executor, Future
from typing import Any

from archive.store.bodies.dictionaries import (
    Dictionary,
    apply_repack,
    bodies_to_repack,
    keep_dictionary,
    repack,
    site_dictionaries,
    sites_to_train,
    train_for_site,
    training_samples,
)
from archive.store.db.archive_db import ArchiveDB

log = logging.getLogger(__name__)


class BackgroundTrainer:
    """Site dictionaries for ``store_many``: ``dictionaries`` is the newest one per site."""

    def __init__(self, archive: ArchiveDB, executor: Executor) -> None:
        self.archive = archive
        self.executor = executor
        self.dictionaries: dict[str, Dictionary] = site_dictionaries(archive.db)
        # Bodies a site had when last tried: one where a dictionary did not help is tried
        # again only once it has twice as many.
        self.tried: dict[str, int] = {}
        self.training: dict[str, Future] = {}
        self.repacking: list[Future] = []

    def schedule(self, sites: set[str]) -> None:
        """Start training for those of ``sites`` that are ready for a dictionary."""
        waiting = sites - self.training.keys()
        for site, count in sites_to_train(self.archive.db, waiting).items():
            if count < 2 * self.tried.get(site, 0):
                continue
            self.tried[site] = count
            samples = training_samples(self.archive.db, site)
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
                rows: list[dict[str, Any]] = future.result()
                with self.archive.writing(f"re-pack {len(rows)} bodies"):
                    apply_repack(self.archive.db, rows)

    def _keep(self, site: str, trained: tuple[bytes, int] | None) -> None:
        if trained is None:
            return
        with self.archive.writing(f"a zstd dictionary for {site}"):
            dictionary = keep_dictionary(self.archive.db, site, *trained)
            bodies = bodies_to_repack(self.archive.db, dictionary)
        log.info("dictionary %d for %s; re-packing %d bodies", dictionary.id, site, len(bodies))
        self.dictionaries[site] = dictionary
        self.repacking.append(self.executor.submit(repack, dictionary, bodies))
