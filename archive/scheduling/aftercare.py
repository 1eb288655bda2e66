"""What the scheduler does after a job's run: say which sites' extraction the run broke, and
keep the database small when it is quiet.

A scheduled crawl runs unattended, so its end is where a broken site must be noticed: the
health flags (``archive.store.read.health``) raised by the crawls that started during the run
are logged, one warning each, in the scheduler's log.

Upkeep: a minute after a crawl job's run (``archive schedule --upkeep-after``), when nothing
runs on that database and no job of it is due within ``QUIET_SECONDS``, the scheduler runs
``archive compact --processes 1`` on it (a run named ``upkeep``, recorded like the others with
reason ``upkeep``), so nobody needs a cron line for it. It is bounded: stopped (Ctrl-C, which
compact survives keeping every batch it wrote) after ``UPKEEP_SECONDS``, or as soon as a job of
the database comes due; the next quiet time goes on.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from archive.errors import ArchiveError
from archive.scheduling.config import UPKEEP_COMMANDS, Job
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


UPKEEP = "upkeep"
QUIET_SECONDS = 15 * 60
UPKEEP_SECONDS = 10 * 60
UPKEEP_AFTER = 60.0  # seconds after the crawl's run: runs started by hand or queued go first


def upkeep_job(db: str) -> Job:
    """The scheduler's own compact run on ``db``: one process, so a crawl starting on another
    database keeps a core."""
    return Job(UPKEEP, "compact", [], "", db, ["--processes", "1"])


def is_upkeep(job: Job) -> bool:
    return job.name == UPKEEP and job.command == "compact"


def wants_upkeep(
    finished: Job, jobs: Iterable[Job], due: dict[str, datetime], now: datetime
) -> bool:
    """Whether the end of ``finished``'s run is a quiet time for its database: it was a crawl
    (not a compact), and no job of the database is due within ``QUIET_SECONDS``."""
    if finished.command in UPKEEP_COMMANDS:
        return False
    soon = now + timedelta(seconds=QUIET_SECONDS)
    return not any(
        job.db == finished.db and due[job.name] < soon for job in jobs if job.name in due
    )
