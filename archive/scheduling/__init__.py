"""Schedules: named crawl jobs with cron expressions (a TOML file), run by a long-lived process.

``config`` reads and checks schedule files; ``runner`` runs them, each crawl in a subprocess.
"""

from archive.scheduling.config import (
    COMMANDS,
    Job,
    Schedule,
    ScheduleError,
    load_schedule,
    next_runs,
)
from archive.scheduling.runner import Scheduler, run_command, run_once

__all__ = [
    "COMMANDS",
    "Job",
    "Schedule",
    "ScheduleError",
    "Scheduler",
    "load_schedule",
    "next_runs",
    "run_command",
    "run_once",
]
