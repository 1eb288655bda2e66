"""What the scheduler does after a job's run: say which sites' extraction the run broke.

A scheduled crawl runs unattended, so its end is where a broken site must be noticed: the
health flags (``archive.store.read.health``) raised by the crawls that started during the run
are logged, one warning each, in the scheduler's log.
"""

import logging
from pathlib import Path

from archive.errors import ArchiveError
from archive.scheduling.config import Job
from archive.store.db.archive_db import ArchiveDB
from archive.store.read.health import Flag, flags_since

log = logging.getLogger(__name__)


def run_flags(job: Job, started_at: str) -> list[Flag]:
    """The health flags raised by the crawls of ``job``'s run that started at ``started_at``;
    logged as warnings. A database that cannot be read is logged, and no flag returned."""
    if not Path(job.db).exists():
        return []
    try:
        with ArchiveDB(job.db, create=False) as archive:
            flags = flags_since(archive.db, started_at)
    except ArchiveError as error:
        log.warning("%s: extraction health not checked: %s", job.name, error)
        return []
    for flag in flags:
        log.warning("%s: FLAG %s", job.name, flag.describe())
    return flags
