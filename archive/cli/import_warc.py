"""`archive import-warc`: WARC files (ours or another tool's) brought in as captures, their
HTML pages extracted."""

import os
import sys
from collections.abc import Iterator
from typing import Any

import click

from archive.cli.common import db_option, reports_errors
from archive.errors import ArchiveError, DiskFullError
from archive.records import ArticleRecord, Capture


class _Reader:
    """Captures of one WARC file not yet in the archive, for ``store_many`` to extract and
    store; a broken file ends the stream and is kept in ``error`` so that everything read
    before the break is still stored."""

    def __init__(self, path: str, db: Any) -> None:
        from archive.store.exchange.warc import SkipKnown

        self.path = path
        self.error: ArchiveError | None = None
        self.known = SkipKnown(db)

    def __iter__(self) -> Iterator[tuple[Capture, ArticleRecord | None]]:
        from archive.store.exchange.warc import read_warc

        try:
            with open(self.path, "rb") as stream:
                for capture in self.known(read_warc(stream, self.path)):
                    yield capture, None  # extracted in store_many's workers
        except ArchiveError as error:
            self.error = error
        except OSError as error:
            self.error = ArchiveError(f"cannot read ({error.strerror or error})", subject=self.path)


def _readable(files: tuple[str, ...]) -> list[str]:
    """The files that can be imported; one line on stderr for each that cannot (missing,
    unreadable, not a WARC), told before the archive is opened or created."""
    from archive.store.exchange.warc import check_warc

    readable = []
    for path in files:
        try:
            check_warc(path)
        except ArchiveError as error:
            click.echo(f"archive: error: {error}", err=True)
        else:
            readable.append(path)
    return readable


@click.command(name="import-warc")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@db_option
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(min=0),
    default=min(os.cpu_count() or 1, 4),
    show_default="cores, at most 4",
    help="Processes that parse pages and pack bodies (0: all in this process).",
)
@reports_errors
def import_warc(files: tuple[str, ...], db_path: str, workers: int) -> None:
    """Import WARC files (ours or another tool's) as captures, and extract their articles.

    Each HTTP response becomes a capture; 2xx HTML pages go through the parser. A response
    the archive already holds (the same URL, fetch time and body) is skipped, so importing a
    file again stores nothing twice. A file that is missing, unreadable or not a WARC is
    reported in one line before the archive is opened (with no good file, no archive is
    created); a file that breaks off is reported too, and what was read before it is kept.
    The other files are still imported; the exit status is then 1.

    \b
    Example:
      archive import-warc crawl-2026-03.warc.gz --db new.db
    """
    from archive.store.db.archive_db import ArchiveDB

    readable = _readable(files)
    failed = len(files) - len(readable)
    if readable:
        with ArchiveDB(db_path) as archive:
            failed += sum(_import_file(archive, path, workers) for path in readable)
    if failed:
        sys.exit(1)


def _import_file(archive: Any, path: str, workers: int) -> bool:
    """Import one file and say what came of it; True when the file broke off."""
    from archive.capture import with_extraction
    from archive.store.write.batch import store_many

    reader = _Reader(path, archive.db)
    outcomes: dict[str, int] = {}
    try:
        for result in store_many(archive, reader, workers=workers, transform=with_extraction):
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    except DiskFullError as error:
        error.stored = sum(outcomes.values())  # committed: a run again skips them
        raise
    total = sum(outcomes.values())
    detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
    click.echo(
        f"{path}: {total} captures imported"
        + (f" ({detail})" if detail else "")
        + f", {reader.known.skipped} already in the archive"
    )
    if reader.error is not None:
        click.echo(f"archive: error: {reader.error}", err=True)
    return reader.error is not None
