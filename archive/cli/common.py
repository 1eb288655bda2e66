"""What every `archive` command shares: options, error handling, opening the archive."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from archive.errors import ArchiveError, DiskFullError, InvalidURLError, NotAnArchiveError
from archive.screen import shown

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = "The archive's SQLite file (default: archive.db here, or $ARCHIVE_DB)."


def fail(message: str, status: int = 1) -> None:
    """One clear line on stderr, then exit with `status`."""
    click.echo(f"archive: error: {shown(message)}", err=True)
    sys.exit(status)


def reports_errors(command: F) -> F:
    """Turn the library's typed errors into one line on stderr and a non-zero exit: 2 for
    bad input (a URL, a file that is not an archive), 1 for the rest."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (InvalidURLError, NotAnArchiveError) as error:
            fail(str(error), status=2)
        except DiskFullError as error:
            fail(disk_full_line(error))
        except ArchiveError as error:
            fail(str(error))

    return wrapper  # type: ignore[return-value]


def disk_full_line(error: DiskFullError) -> str:
    """``archive.db: disk full, stopped after 41 pages; free space and run again with
    --resume``: what was kept, and how to go on (every command resumes or skips what the
    file already holds; crawls need --resume for that)."""
    done = f"stopped after {error.stored} pages" if error.stored is not None else "stopped"
    context = click.get_current_context(silent=True)
    resumable = context is not None and "resume" in context.params
    again = "run again with --resume" if resumable else "run the command again"
    return f"{error}, {done}; free space and {again}"


def db_option(command: F) -> F:
    return click.option(
        "--db",
        "db_path",
        default="archive.db",
        envvar="ARCHIVE_DB",
        show_default=True,
        type=click.Path(dir_okay=False),
        help=DB_HELP,
    )(command)


def settings_option(command: F) -> F:
    return click.option(
        "-s",
        "--set",
        "settings",
        multiple=True,
        metavar="NAME=VALUE",
        help="A Scrapy or ARCHIVE_* setting for this run (repeatable), "
        "e.g. -s DOWNLOAD_TIMEOUT=10.",
    )(command)


def allow_private_option(command: F) -> F:
    """--allow-private: lift the network guard (ARCHIVE_ALLOW_PRIVATE) for this run."""
    return click.option(
        "--allow-private",
        is_flag=True,
        help="Also fetch discovered URLs on loopback, private and link-local addresses "
        "(ARCHIVE_ALLOW_PRIVATE=1); the hosts you name are always fetched.",
    )(command)


def rules_option(command: F) -> F:
    return click.option(
        "--rules",
        "rules_paths",
        multiple=True,
        metavar="PATH",
        help="A site rules file (TOML) or a folder of them, tried before the shipped rules. "
        "Repeatable.",
    )(command)


def js_option(command: F) -> F:
    return click.option(
        "--js",
        is_flag=True,
        help="Render every page in a browser (Chromium) before extracting it: for pages whose "
        "article a script writes. Needs the js extra.",
    )(command)


def checked_rules(rules_paths: tuple[str, ...]) -> Any:
    """Extraction options for these rules files, read now: a bad file is a usage error,
    reported in one line before anything is read or fetched."""
    from archive.extract import ExtractOptions
    from archive.rules import RulesError

    options = ExtractOptions(rules_paths=rules_paths)
    try:
        options.rules()
    except RulesError as error:
        fail(str(error), status=2)
    return options


def parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"-s {pair}: expected NAME=VALUE", status=2)
        settings[name.strip()] = value
    return settings


@contextmanager
def open_existing_archive(db_path: str) -> Iterator[Any]:
    """Open an archive that must exist: a missing or empty file is refused, never made a new
    archive, and so is a file that is not an archive (``NotAnArchiveError``, untouched)."""
    from archive.store.db.archive_db import ArchiveDB

    if not Path(db_path).exists():
        raise NotAnArchiveError(
            "no archive here (create one with `archive save URL` or `archive demo`)",
            subject=db_path,
        )
    archive = ArchiveDB(db_path, create=False)
    try:
        yield archive
    finally:
        archive.close()
