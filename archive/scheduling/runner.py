"""The long-lived scheduler: start each job's runs on time, one run at a time per database.

Each run is ``python -m archive <command> ...`` in a subprocess: Twisted's reactor cannot be
restarted, and a crash in one run must not take the scheduler down. A job that comes due while
its previous run is still going (or waiting for its database) skips that turn; jobs on other
databases run in parallel. Every start and end is logged with the exit status and duration;
with a log folder, each run's own output goes to ``<log_dir>/<job>/<start>.log``.

Each run is also recorded in the job's database (``archive.scheduling.history``): at start, a
job with ``catch_up`` whose latest cron time is later than its last recorded run (the
scheduler was down then) runs once at once, however many times it was missed.
"""

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from archive.errors import StorageError
from archive.scheduling import history
from archive.scheduling.aftercare import (
    UPKEEP_AFTER,
    UPKEEP_SECONDS,
    is_upkeep,
    run_flags,
    upkeep_job,
    wants_upkeep,
)
from archive.scheduling.config import Job, Schedule, next_runs, previous_run
from archive.store.db.timestamps import utc_now

logger = logging.getLogger(__name__)

# How long a stopping scheduler lets running crawls finish after passing on Ctrl-C.
STOP_GRACE_SECONDS = 60.0
# The longest the loop sleeps between looks at its children and the clock.
POLL_SECONDS = 0.5


@dataclass
class Running:
    job: Job
    process: subprocess.Popen[bytes]
    started: float
    log: IO[bytes] | None
    run_id: int | None  # its row in the database's scheduled_runs, when it could be written
    started_at: str = ""  # UTC ISO time: the crawls started since are this run's
    stopping: bool = False  # an upkeep run asked to stop


@dataclass(frozen=True)
class Queued:
    job: Job
    reason: str  # schedule, catch-up or at-start (scheduled_runs.reason)
    due: datetime | None  # the cron time it runs for


def run_command(job: Job) -> list[str]:
    """The full command line of one run of ``job``."""
    return [sys.executable, "-m", "archive", *job.argv()]


class Scheduler:
    """Runs a schedule until ``stop()``; ``clock`` gives the current aware datetime."""

    def __init__(
        self,
        schedule: Schedule,
        *,
        log_dir: Path | None = None,
        clock: Callable[[], datetime] | None = None,
        upkeep_after: float | None = UPKEEP_AFTER,
    ) -> None:
        self.schedule = schedule
        self.log_dir = log_dir
        self.clock = clock or (lambda: datetime.now(schedule.timezone))
        self.cwd = schedule.path.resolve().parent
        self.due: dict[str, datetime] = {}
        self.queued: list[Queued] = []  # due, waiting for their database
        self.running: dict[str, Running] = {}  # by database
        self.stopping = False
        self.finished_runs = 0
        # Upkeep (aftercare): seconds after a crawl job's run, None for never; the databases
        # waiting for it, with the monotonic time it may start and the job that ran.
        self.upkeep_after = upkeep_after
        self.upkeep_due: dict[str, tuple[float, Job]] = {}

    def start_all_now(self) -> None:
        """Queue one run of every job at once (``--run-at-start``), then keep the schedule."""
        self.queued.extend(Queued(job, "at-start", None) for job in self.schedule.jobs.values())

    def catch_up(self, now: datetime) -> None:
        """Queue one run of each ``catch_up`` job whose latest cron time at ``now`` is later
        than its last recorded run: missed while the scheduler was not running. A job never
        recorded has nothing to catch up (its first run is its next cron time)."""
        for job in self.schedule.jobs.values():
            if not job.catch_up or self._busy(job):
                continue
            try:
                last = history.last_run(job)
            except StorageError as error:
                logger.warning("%s: cannot tell whether it missed a run: %s", job.name, error)
                continue
            missed = previous_run(job, now)
            if last is not None and last < missed:
                logger.info(
                    "%s: missed its run at %s (last run %s): running it now",
                    job.name,
                    missed.isoformat(),
                    last.isoformat(),
                )
                self.queued.append(Queued(job, "catch-up", missed))

    def stop(self) -> None:
        self.stopping = True

    def run_forever(self, max_runs: int | None = None) -> None:
        """Loop until ``stop()`` (or ``max_runs`` runs have finished), then end the runs."""
        now = self.clock()
        self.catch_up(now)
        for job in self.schedule.jobs.values():
            self.due[job.name] = next_runs(job, now)[0]
            logger.info("%s: next run at %s", job.name, self.due[job.name].isoformat())
        while not self.stopping:
            self._reap()
            if max_runs is not None and self.finished_runs >= max_runs:
                break
            self._queue_due(self.clock())
            self._queue_upkeep()
            self._start_queued()
            time.sleep(self._nap())
        self._shut_down()

    def _queue_due(self, now: datetime) -> None:
        for job in self.schedule.jobs.values():
            due = self.due[job.name]
            if due > now:
                continue
            self.due[job.name] = next_runs(job, now)[0]
            if self._busy(job):
                logger.warning(
                    "%s: skipped the run due now: the last one is still running or waiting",
                    job.name,
                )
            else:
                self.queued.append(Queued(job, "schedule", due))

    def _busy(self, job: Job) -> bool:
        running = self.running.get(job.db)
        waiting = any(queued.job == job for queued in self.queued)
        return (running is not None and running.job.name == job.name) or waiting

    def _start_queued(self) -> None:
        for queued in list(self.queued):
            running = self.running.get(queued.job.db)
            if running is not None and is_upkeep(running.job) and not is_upkeep(queued.job):
                self._stop_upkeep(running, "a job of its database is due")
            if queued.job.db not in self.running:
                self.queued.remove(queued)
                self.running[queued.job.db] = self._start(queued)

    def _start(self, queued: Queued) -> Running:
        job = queued.job
        started_at = utc_now()
        run_id = _record_start(job, queued.reason, queued.due)
        log = self._open_log(job)
        command = run_command(job)
        # A session of its own: a Ctrl-C on the scheduler's terminal reaches the scheduler
        # only, which passes on exactly one (a second one would make Scrapy stop uncleanly).
        process = subprocess.Popen(
            command,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT if log else None,
            start_new_session=True,
        )
        logger.info("%s: started (pid %s): archive %s", job.name, process.pid, " ".join(job.argv()))
        return Running(job, process, time.monotonic(), log, run_id, started_at)

    def _open_log(self, job: Job) -> IO[bytes] | None:
        if self.log_dir is None:
            return None
        folder = self.log_dir / job.name
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return (folder / f"{stamp}.log").open("ab")

    def _stop_upkeep(self, run: Running, why: str) -> None:
        if not run.stopping:
            logger.info("%s: stopping the compact on %s: %s", run.job.name, run.job.db, why)
            run.process.send_signal(signal.SIGINT)  # compact keeps every batch it wrote
            run.stopping = True

    def _reap(self) -> None:
        for db, run in list(self.running.items()):
            status = run.process.poll()
            if status is None:
                if is_upkeep(run.job) and time.monotonic() - run.started > UPKEEP_SECONDS:
                    self._stop_upkeep(run, f"it ran {UPKEEP_SECONDS} s")
                continue
            del self.running[db]
            if is_upkeep(run.job):
                _record_end(run.job, run.run_id, status)
                logger.info("%s: compact on %s ended (exit %s)", run.job.name, db, status)
                continue
            self.finished_runs += 1
            _record_end(run.job, run.run_id, status)
            seconds = time.monotonic() - run.started
            if run.log is not None:
                run.log.close()
            if status == 0:
                logger.info("%s: finished in %.1f s (exit 0)", run.job.name, seconds)
            else:
                logger.error("%s: failed in %.1f s (exit %s)", run.job.name, seconds, status)
            run_flags(run.job, run.started_at)
            self._maybe_upkeep(run.job)
            logger.info("%s: next run at %s", run.job.name, self.due[run.job.name].isoformat())

    def _maybe_upkeep(self, finished: Job) -> None:
        """Mark ``finished``'s database for upkeep ``upkeep_after`` seconds from now."""
        if self.upkeep_after is not None and not is_upkeep(finished):
            self.upkeep_due[finished.db] = (time.monotonic() + self.upkeep_after, finished)

    def _queue_upkeep(self) -> None:
        """Queue the scheduler's compact on each database whose wait is over, if it is still
        a quiet time there: nothing of it running or queued, no job of it due soon."""
        for db, (at, finished) in list(self.upkeep_due.items()):
            if time.monotonic() < at or self.stopping:
                continue
            del self.upkeep_due[db]
            busy = db in self.running or any(queued.job.db == db for queued in self.queued)
            jobs = self.schedule.jobs.values()
            if not busy and wants_upkeep(finished, jobs, self.due, self.clock()):
                self.queued.append(Queued(upkeep_job(db), "upkeep", None))

    def _nap(self) -> float:
        if not self.due:
            return POLL_SECONDS
        until = min(self.due.values()) - self.clock()
        return max(0.05, min(POLL_SECONDS, until.total_seconds()))

    def _shut_down(self) -> None:
        """Pass Ctrl-C on to running crawls so they stop cleanly; kill them after a grace."""
        if not self.running:
            return
        for run in self.running.values():
            logger.info("%s: stopping (pid %s)", run.job.name, run.process.pid)
            run.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while self.running and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.1)
        for run in self.running.values():
            logger.error("%s: did not stop in time; killed", run.job.name)
            run.process.kill()
            _record_end(run.job, run.run_id, run.process.wait())


def _record_start(job: Job, reason: str, due: datetime | None) -> int | None:
    """Record the run in the job's database; a database that cannot take it (busy, broken)
    is logged and the run still goes ahead (it reports its own errors)."""
    try:
        return history.record_start(job, reason, due)
    except StorageError as error:
        logger.warning("%s: could not record the run: %s", job.name, error)
        return None


def _record_end(job: Job, run_id: int | None, status: int) -> None:
    if run_id is None:
        return
    try:
        history.record_end(job, run_id, status)
    except StorageError as error:
        logger.warning("%s: could not record the end of the run: %s", job.name, error)


def run_once(job: Job, cwd: Path) -> int:
    """Run one job now, in the foreground (its output on this terminal); its exit status."""
    logger.info("%s: started: archive %s", job.name, " ".join(job.argv()))
    started_at = utc_now()
    run_id = _record_start(job, "once", None)
    started = time.monotonic()
    process = subprocess.Popen(run_command(job), cwd=cwd)
    # The crawl gets the terminal's Ctrl-C itself and stops cleanly; this process waits for it
    # instead of dying (or killing it) on the same Ctrl-C.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        status = process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    _record_end(job, run_id, status)
    logger.info("%s: ended in %.1f s (exit %s)", job.name, time.monotonic() - started, status)
    run_flags(job, started_at)
    return status


def stop_on_signals(scheduler: Scheduler) -> None:
    """SIGINT and SIGTERM stop the scheduler after its running crawls (the CLI calls this)."""

    def handle(signum: int, _frame: object) -> None:
        logger.info("%s: stopping after the running crawls", signal.Signals(signum).name)
        scheduler.stop()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
