"""Site dictionaries trained during a crawl, for the store pipeline.

A crawl packs each body in its extraction workers at zstd 3, with the site's dictionary when
the archive has one. A fresh archive has none, so until this module a crawl stayed about twice
the size it could be until someone ran ``archive compact``. Here, as soon as a site has
``TRAIN_MIN_BODIES`` distinct bodies in the archive, a dictionary is trained on them in a
thread (zstd's training and packing release the GIL; one thread, at a lower priority, so the
extraction workers keep their cores), kept if it helps (``dictionaries.train_for_site``),
handed to the extract pipeline (signal ``dictionary_trained``) for the site's later pages, and
the site's pages this crawl stored before it are re-packed (the re-pack engine, in the same
thread); the writes are short transactions on the reactor, between items. At the end of the
crawl the last ones are waited for, and the pages the re-packed bodies left free are given
back to the disk (``ArchiveDB.give_back``). Nothing here can fail the crawl: a storage error
stops the training, with a warning, and the pages stay as they were packed.
"""

import logging
import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from scrapy.crawler import Crawler

from archive.errors import StorageError
from archive.store.bodies.dictionaries import TRAIN_MIN_BODIES
from archive.store.bodies.trainer import BackgroundTrainer
from archive.store.db.archive_db import ArchiveDB
from crawler.results import dictionary_trained

logger = logging.getLogger(__name__)

# A site without a dictionary is looked at (one indexed count) on its first page this crawl,
# then every this many pages.
CHECK_EVERY = TRAIN_MIN_BODIES // 2


class CrawlTrainer:
    """The crawl's trainer: ``note`` each stored page's site, ``finish`` at the end."""

    def __init__(self, crawler: Crawler, archive: ArchiveDB, crawl_id: int | None) -> None:
        self.crawler = crawler
        self.executor: ThreadPoolExecutor | None = ThreadPoolExecutor(
            1, thread_name_prefix="archive-dictionaries", initializer=_lower_priority
        )
        self.trainer = BackgroundTrainer(archive, self.executor, crawl_id)
        self.known = set(self.trainer.dictionaries)  # those the archive had before
        self.announced = set(self.known)
        self.pages: Counter[str] = Counter()

    def note(self, site: str | None) -> None:
        """A page of ``site`` was stored: keep finished work, start training when ready."""
        if self.executor is None:
            return
        try:
            self._collect(wait=False)
            if site and site not in self.trainer.dictionaries:
                self.pages[site] += 1
                if self.pages[site] % CHECK_EVERY == 1:
                    self.trainer.schedule({site})
        except StorageError as error:
            self._stop(error)

    def finish(self) -> None:
        """Wait for the training and re-packing under way, and write their results."""
        if self.executor is None:
            return
        try:
            self._collect(wait=True)
            # Pages packed without the dictionary while it was being kept: re-packed too.
            for site in self.announced - self.known:
                self.trainer.repack(self.trainer.dictionaries[site])
            self._collect(wait=True)
            # The re-packed bodies' old pages: back to the disk, so a fresh archive ends
            # small (a new archive's auto_vacuum is incremental; older ones reuse them).
            freed = self.trainer.archive.give_back()
            self.crawler.stats.set_value("archive/dictionaries/pages_given_back", freed)
        except StorageError as error:
            self._stop(error)
        if self.executor is not None:
            self.executor.shutdown()
            self.executor = None

    def _collect(self, wait: bool) -> None:
        self.trainer.collect(wait=wait)
        # A dictionary kept while collecting starts its site's re-packing: wait for that too.
        while wait and (self.trainer.training or self.trainer.repacking):
            self.trainer.collect(wait=True)
        for site, dictionary in self.trainer.dictionaries.items():
            if site not in self.announced:
                self.announced.add(site)
                self.crawler.stats.inc_value("archive/dictionaries/trained")
                self.crawler.signals.send_catch_log(
                    signal=dictionary_trained, dictionary=dictionary
                )

    def _stop(self, error: StorageError) -> None:
        logger.warning("No more site dictionaries this crawl: %s", error)
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


def _lower_priority() -> None:
    """The training thread yields the cores to extraction and the reactor: on Linux a thread
    has a nice value of its own (elsewhere this raises, and the thread keeps the default)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError) as error:
        logger.debug("training thread keeps its priority: %s", error)
