"""`archive schedule FILE`: run the crawl jobs of a schedule file on their cron times."""

import logging
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from archive.cli.common import reports_errors
from archive.scheduling import Job, Schedule, ScheduleError, Scheduler, load_schedule, next_runs
from archive.scheduling.runner import run_once, stop_on_signals

LIST_RUNS = 3


@click.command()
@click.argument("file", metavar="FILE")
@click.option("--list", "list_jobs", is_flag=True, help="Show each job and its next run times.")
@click.option("--once", metavar="JOB", help="Run JOB now, in the foreground, and exit.")
@click.option(
    "--run-at-start", is_flag=True, help="Run every job once right away, then on schedule."
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep each run's output in DIR/JOB/<start time>.log (default: this terminal).",
)
@click.option(
    "--upkeep-after",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Compact a database this long after a crawl job's run, when none of its jobs is due "
    "within 15 minutes.",
)
@click.option("--no-upkeep", is_flag=True, help="Never compact on the scheduler's own.")
@reports_errors
def schedule(
    file: str,
    list_jobs: bool,
    once: str | None,
    run_at_start: bool,
    log_dir: Path | None,
    upkeep_after: float,
    no_upkeep: bool,
) -> None:
    """Run the crawl jobs of a schedule FILE (TOML) on their cron times, until stopped.

    Each job is an `archive` crawl command with its URL, database, options and a cron
    expression, or `compact` for its database's upkeep. Runs happen in subprocesses, one at
    a time per database; a failed run is logged and the schedule goes on. Ctrl-C (or
    SIGTERM) lets running crawls stop cleanly.

    Each run is recorded in the job's database (table scheduled_runs). A job that missed its
    latest cron time while the scheduler was not running runs once at start, however many
    times it was missed; `catch_up = false` in the job (or in [defaults]) turns that off.

    \b
    Example FILE:
      [jobs.harbour-feed]
      command = "crawl feed"
      url = "https://harbour.example/feed.xml"
      db = "news.db"
      cron = "*/30 * * * *"
      options = { only-new = true }
      catch_up = true        # the default
      
      [jobs.nightly-compact]
      command = "compact"
      db = "news.db"
      cron = "30 3 * * *"

    \b
    Examples:
      archive schedule crawls.toml --list
      archive schedule crawls.toml --once harbour-feed
      archive schedule crawls.toml --log-dir logs/
    """
    plan = load_schedule(file)
    for job in plan.jobs.values():
        check_options(job, file)
    if list_jobs:
        echo_jobs(plan)
        return
    log_to_stderr()
    if once is not None:
        if once not in plan.jobs:
            raise ScheduleError(
                f"no job named {once!r} (jobs: {', '.join(plan.jobs)})", subject=file
            )
        sys.exit(run_once(plan.jobs[once], plan.path.resolve().parent))
    scheduler = Scheduler(plan, log_dir=log_dir, upkeep_after=None if no_upkeep else upkeep_after)
    if run_at_start:
        scheduler.start_all_now()
    stop_on_signals(scheduler)
    scheduler.run_forever()


def check_options(job: Job, file: str) -> None:
    """Parse the job's arguments with the real command, so that a misspelt option is an
    error when the schedule is loaded rather than a failed run hours later."""
    context = click.get_current_context().find_root()
    command: click.Command | None = context.command
    words = job.argv()
    names = job.command.split()
    for name in names:
        assert isinstance(command, click.Group)
        command = command.get_command(context, name)
    assert command is not None  # COMMANDS only names commands that exist
    try:
        command.make_context(" ".join(names), words[len(names) :], parent=context)
    except click.UsageError as error:
        raise ScheduleError(f"job {job.name!r}: {error.format_message()}", subject=file) from error


def echo_jobs(plan: Schedule) -> None:
    now = datetime.now(plan.timezone)
    for job in plan.jobs.values():
        click.echo(f"{job.name}: archive {' '.join(job.argv())}")
        runs = ", ".join(
            run.strftime("%Y-%m-%d %H:%M %Z") for run in next_runs(job, now, LIST_RUNS)
        )
        click.echo(f"  cron {job.cron!r}, next: {runs}")


def log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    formatter = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime  # the archive's timestamps are UTC
    handler.setFormatter(formatter)
    logging.getLogger("archive.scheduling").addHandler(handler)
    logging.getLogger("archive.scheduling").setLevel(logging.INFO)
