"""The scheduler's runs, recorded in each job's own database (table ``scheduled_runs``).

A job's last recorded run is what ``catch_up`` compares with its latest cron time. A run is
recorded when it starts (and completed when it ends), whatever its outcome: a run that failed
was still the job's turn, as cron and systemd timers count it. Runs made outside the scheduler
(``archive crawl ...`` by hand) are not the job's runs and are not looked at.
"""

import json
import logging
import sqlite3
from datetime import datetime
from pathlib import Path

from archive.errors import StorageError
from archive.scheduling.config import Job
from archive.store.db.archive_db import ArchiveDB
from archive.store.db.timestamps import format_timestamp, utc_now

log = logging.getLogger(__name__)

_LAST_RUN_SQL = "SELECT max(started_at) FROM scheduled_runs WHERE job = ?"


def last_run(job: Job) -> datetime | None:
    """When the job's last recorded run started, or None (never run, or no database yet: a
    missing database is not created here). Raises ``StorageError`` for a database that
    cannot be read."""
    if not Path(job.db).exists():
        return None
    with ArchiveDB(job.db, create=False) as archive:
        try:
            (started,) = archive.db.execute(_LAST_RUN_SQL, [job.name]).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the scheduled runs: {exc}", subject=job.db) from exc
    return None if started is None else datetime.fromisoformat(started)


def record_start(job: Job, reason: str, due: datetime | None = None) -> int:
    """Record that a run of ``job`` starts now, for ``reason`` (schedule, catch-up, at-start,
    once); returns the run's id for ``record_end``. Raises ``StorageError``."""
    row = {
        "job": job.name,
        "arguments": json.dumps(job.argv()),
        "reason": reason,
        "due_at": None if due is None else format_timestamp(due),
        "started_at": utc_now(),
    }
    with ArchiveDB(job.db) as archive, archive.writing(f"record a run of job {job.name!r}"):
        cursor = archive.db.execute(
            "INSERT INTO scheduled_runs (job, arguments, reason, due_at, started_at)"
            " VALUES (:job, :arguments, :reason, :due_at, :started_at)",
            row,
        )
        return int(cursor.lastrowid or 0)


def record_end(job: Job, run_id: int, status: int) -> None:
    """Record that run ``run_id`` of ``job`` ended now with exit ``status``."""
    with (
        ArchiveDB(job.db, create=False) as archive,
        archive.writing(f"record a run of job {job.name!r}"),
    ):
        archive.db.execute(
            "UPDATE scheduled_runs SET finished_at = ?, exit_status = ? WHERE id = ?",
            [utc_now(), status, run_id],
        )
