"""Schedule files: named crawl jobs with cron expressions, in TOML.

    timezone = "Europe/Berlin"          # optional; cron times are local time by default

    [defaults]                          # optional; every job starts from these
    db = "news.db"                      # relative paths are relative to this file
    settings = { DOWNLOAD_DELAY = 2 }   # -s NAME=VALUE for every run

    [jobs.harbour-feed]
    command = "crawl feed"              # crawl feed | crawl sitemap | crawl site | save
    url = "https://harbour.example/feed.xml"
    cron = "*/30 * * * *"               # five fields, or @hourly, @daily ...
    options = { only-new = true }       # --only-new; a list of strings works too
    catch_up = true                     # default; also in [defaults]

    [jobs.nightly-compact]
    command = "compact"                 # archive compact on the job's database: no url, and
    cron = "30 3 * * *"                 # none of [defaults]' options or settings (a crawl's)
    options = { vacuum = true }

A compact job on a database never overlaps a crawl of it: jobs on one database run one at a
time.

A job with ``catch_up`` (the default) that missed its latest cron time while the scheduler
was not running (its last recorded run in its database is older) runs once at start, however
many times it was missed; ``catch_up = false`` waits for its next cron time.

``load_schedule`` reads and checks a file and raises ``ScheduleError`` (an ``ArchiveError``
naming the file) with one readable reason for the first problem found. Next run times come
from croniter (maintained, does one thing: cron expression in, datetimes out).
"""

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

from archive.errors import ArchiveError

# The archive commands a job may run: crawls, each with the URLs it needs, and upkeep of the
# job's database, which takes no URL and none of the crawl options and settings in [defaults].
CRAWL_COMMANDS = ("crawl feed", "crawl sitemap", "crawl site", "save")
UPKEEP_COMMANDS = ("compact",)
COMMANDS = CRAWL_COMMANDS + UPKEEP_COMMANDS
JOB_KEYS = frozenset({"command", "url", "urls", "cron", "db", "options", "settings", "catch_up"})
DEFAULT_KEYS = frozenset({"db", "options", "settings", "catch_up"})
TOP_KEYS = frozenset({"timezone", "defaults", "jobs"})
DEFAULT_DB = "archive.db"


class ScheduleError(ArchiveError):
    """A schedule file that cannot be used: missing, not TOML, or a job that makes no sense."""


@dataclass(frozen=True)
class Job:
    """One named crawl on a cron schedule."""

    name: str
    command: str  # one of COMMANDS
    urls: list[str]
    cron: str
    db: str  # absolute, so that jobs on one database are recognised as such
    options: list[str] = field(default_factory=list)  # extra command-line options
    settings: dict[str, str] = field(default_factory=dict)
    catch_up: bool = True  # run once at start when its latest cron time was missed

    def argv(self) -> list[str]:
        """The ``archive`` arguments of one run (after the program name)."""
        settings = [
            arg for name, value in self.settings.items() for arg in ("-s", f"{name}={value}")
        ]
        return [*self.command.split(), *self.urls, "--db", self.db, *self.options, *settings]


@dataclass(frozen=True)
class Schedule:
    path: Path
    jobs: dict[str, Job]
    timezone: tzinfo


def load_schedule(path: str | Path) -> Schedule:
    """Read and check a schedule file; raises ``ScheduleError`` for anything wrong in it."""
    path = Path(path)
    data = _read_toml(path)
    subject = str(path)
    _no_unknown_keys(data, TOP_KEYS, "the file", subject)
    timezone = _timezone(data.get("timezone"), subject)
    defaults = _table(data.get("defaults", {}), "[defaults]", subject)
    _no_unknown_keys(defaults, DEFAULT_KEYS, "[defaults]", subject)
    jobs = _table(data.get("jobs"), "[jobs]", subject)
    if not jobs:
        raise ScheduleError("no jobs: add at least one [jobs.NAME] table", subject=subject)
    folder = path.resolve().parent
    return Schedule(
        path=path,
        jobs={
            name: _job(name, _table(spec, f"[jobs.{name}]", subject), defaults, folder, subject)
            for name, spec in jobs.items()
        },
        timezone=timezone,
    )


def next_runs(job: Job, after: datetime, count: int = 1) -> list[datetime]:
    """The job's next ``count`` run times strictly after ``after`` (an aware datetime)."""
    times = croniter(job.cron, after)
    return [times.get_next(datetime) for _ in range(count)]


def previous_run(job: Job, now: datetime) -> datetime:
    """The job's latest cron time at or before ``now`` (an aware datetime)."""
    # croniter's get_prev is strictly before its start: start a second later so that a run
    # due exactly now counts as the latest.
    return croniter(job.cron, now + timedelta(seconds=1)).get_prev(datetime)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScheduleError("no such schedule file", subject=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleError(f"cannot read the schedule file: {exc}", subject=str(path)) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"not valid TOML: {exc}", subject=str(path)) from exc


def _job(
    name: str, spec: dict[str, Any], defaults: dict[str, Any], folder: Path, subject: str
) -> Job:
    where = f"job {name!r}"
    _no_unknown_keys(spec, JOB_KEYS, where, subject)
    command = spec.get("command")
    if command not in COMMANDS:
        known = ", ".join(COMMANDS)
        raise ScheduleError(
            f"{where}: unknown command {command!r} (one of: {known})", subject=subject
        )
    cron = _cron(spec.get("cron"), where, subject)
    db = _string(spec.get("db", defaults.get("db", DEFAULT_DB)), f"{where}: db", subject)
    catch_up = _boolean(spec.get("catch_up", defaults.get("catch_up", True)), where, subject)
    if command in UPKEEP_COMMANDS:
        for key in ("url", "urls", "settings"):
            if key in spec:
                raise ScheduleError(f"{where}: {command} takes no {key}", subject=subject)
        options = _options(spec.get("options", []), where, subject)
        return Job(name, command, [], cron, str(folder / db), options, {}, catch_up)
    options = _options(defaults.get("options", []), where, subject)
    options += _options(spec.get("options", []), where, subject)
    settings = _settings(defaults.get("settings", {}), where, subject)
    settings.update(_settings(spec.get("settings", {}), where, subject))
    urls = _urls(spec, where, subject)
    return Job(name, command, urls, cron, str(folder / db), options, settings, catch_up)


def _urls(spec: dict[str, Any], where: str, subject: str) -> list[str]:
    urls = spec.get("urls", [])
    if "url" in spec:
        urls = [spec["url"], *urls] if isinstance(urls, list) else urls
    if not isinstance(urls, list) or not all(isinstance(u, str) and u.strip() for u in urls):
        raise ScheduleError(
            f"{where}: url must be a string and urls a list of strings", subject=subject
        )
    if not urls:
        raise ScheduleError(f"{where}: no url given", subject=subject)
    return [url.strip() for url in urls]


def _cron(value: Any, where: str, subject: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(
            f"{where}: cron must be a cron expression such as '0 * * * *'", subject=subject
        )
    value = value.strip()
    if not value.startswith("@") and len(value.split()) != 5:
        reason = "five fields (minute hour day month weekday) or @hourly, @daily ..."
        raise ScheduleError(f"{where}: bad cron expression {value!r}: {reason}", subject=subject)
    try:
        croniter(value)
    except CroniterError as exc:
        raise ScheduleError(
            f"{where}: bad cron expression {value!r}: {exc}", subject=subject
        ) from exc
    return value.strip()


def _options(value: Any, where: str, subject: str) -> list[str]:
    """``options`` as command-line words: a list of strings as is, or a table of flags."""
    if isinstance(value, list) and all(isinstance(word, str) for word in value):
        return list(value)
    if not isinstance(value, dict):
        raise ScheduleError(
            f"{where}: options must be a table or a list of strings", subject=subject
        )
    words: list[str] = []
    for key, given in value.items():
        flag = "--" + key.replace("_", "-")
        for item in given if isinstance(given, list) else [given]:
            if item is True:
                words.append(flag)
            elif item is not False:
                if not isinstance(item, str | int | float):
                    raise ScheduleError(
                        f"{where}: option {key!r} has an odd value", subject=subject
                    )
                words += [flag, str(item)]
    return words


def _settings(value: Any, where: str, subject: str) -> dict[str, str]:
    table = _table(value, f"{where}: settings", subject)
    settings = {}
    for name, given in table.items():
        if not isinstance(given, str | int | float | bool):
            raise ScheduleError(
                f"{where}: setting {name} must be a string or number", subject=subject
            )
        settings[name] = str(given)
    return settings


def _boolean(value: Any, where: str, subject: str) -> bool:
    if not isinstance(value, bool):
        raise ScheduleError(f"{where}: catch_up must be true or false", subject=subject)
    return value


def _timezone(value: Any, subject: str) -> tzinfo:
    if value is None:  # the machine's local time, as cron itself uses
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(_string(value, "timezone", subject))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"unknown timezone {value!r}", subject=subject) from exc


def _table(value: Any, where: str, subject: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScheduleError(f"{where} must be a table", subject=subject)
    return value


def _string(value: Any, where: str, subject: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(f"{where} must be a non-empty string", subject=subject)
    return value.strip()


def _no_unknown_keys(
    table: dict[str, Any], known: frozenset[str], where: str, subject: str
) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ScheduleError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})",
            subject=subject,
        )
