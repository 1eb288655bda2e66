"""Schedules: named crawl jobs with cron expressions (a TOML file), run by a long-lived process.

``config`` reads and checks schedule files; ``runner`` runs them, each crawl in a subprocess.
The names below are imported on first use (PEP 562).
"""

from typing import TYPE_CHECKING

from archive.lazy import lazy_exports

if TYPE_CHECKING:
    from archive.scheduling.config import (
        COMMANDS,
        Job,
        Schedule,
        ScheduleError,
        load_schedule,
        next_runs,
    )
    from archive.scheduling.runner import Scheduler, run_command, run_once

_EXPORTS = {
    **dict.fromkeys(
        ["COMMANDS", "Job", "Schedule", "ScheduleError", "load_schedule", "next_runs"],
        "archive.scheduling.config",
    ),
    **dict.fromkeys(["Scheduler", "run_command", "run_once"], "archive.scheduling.runner"),
}

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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
