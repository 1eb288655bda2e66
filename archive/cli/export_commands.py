"""Commands that take the archive out and bring captures in: `archive export`,
`archive import-warc` and `archive serve` (Datasette)."""

import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from archive.cli.common import db_option, fail, open_existing_archive, reports_errors
from archive.errors import ArchiveError
from archive.records import ArticleRecord, Capture


@contextmanager
def _output(file: str | None, binary: bool) -> Iterator[IO[Any]]:
    """stdout, or FILE written under a temporary name and renamed when complete, so a failed
    export never leaves a truncated FILE that looks whole."""
    if file is None or file == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    target = Path(file)
    partial = target.with_name(target.name + ".partial")
    try:
        handle: IO[Any] = (
            partial.open("wb") if binary else partial.open("w", encoding="utf-8", newline="")
        )
    except OSError as error:
        fail(f"{file}: cannot write ({error.strerror or error})", status=2)
    try:
        with handle:
            yield handle
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


@click.command()
@click.argument("file", required=False, metavar="[FILE]")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "warc"]),
    default="jsonl",
    show_default=True,
    help="jsonl/csv: the clean records; warc: the raw captures (FILE.warc.gz).",
)
@click.option("--site", help="Only this host, e.g. news.example.org.")
@click.option("--since", help="Only articles first seen on or after this date (YYYY-MM-DD).")
@click.option("--versions", is_flag=True, help="One record per version, not per article.")
@reports_errors
def export(
    file: str | None, db_path: str, fmt: str, site: str | None, since: str | None, versions: bool
) -> None:
    """Export the archive: records as JSON lines or CSV, or raw captures as WARC.

    Records go to FILE, or to standard output without one; the export is streamed, so a
    large archive needs little memory.

    \b
    Examples:
      archive export > articles.jsonl
      archive export --format csv --site news.example.org --since 2026-03-01 news.csv
      archive export --versions history.jsonl
      archive export --format warc captures.warc.gz
    """
    from archive.store.exports import export as export_records
    from archive.store.warc import export_warc

    if fmt == "warc" and (file is None or file == "-"):
        fail("--format warc needs a FILE (e.g. captures.warc.gz)", status=2)
    if fmt == "warc" and (since or versions):
        fail("--since and --versions apply to jsonl and csv exports", status=2)
    with open_existing_archive(db_path) as archive, _output(file, binary=fmt == "warc") as out:
        if fmt == "warc":
            count = export_warc(archive.db, out, site=site)
        else:
            count = export_records(archive.db, out, fmt, site=site, since=since, versions=versions)
    if file not in (None, "-"):
        what = "captures" if fmt == "warc" else ("versions" if versions else "articles")
        click.echo(f"Exported {count} {what} to {file}", err=True)


class _Reader:
    """Captures of one WARC file not yet in the archive, for ``store_many`` to extract and
    store; a broken file ends the stream and is kept in ``error`` so that everything read
    before the break is still stored."""

    def __init__(self, path: str, db: Any) -> None:
        from archive.store.warc import SkipKnown

        self.path = path
        self.error: ArchiveError | None = None
        self.known = SkipKnown(db)

    def __iter__(self) -> Iterator[tuple[Capture, ArticleRecord | None]]:
        from archive.store.warc import read_warc

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
    from archive.store.warc import check_warc

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
    from archive.store.storage import ArchiveDB

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
    from archive.store.batch import store_many

    reader = _Reader(path, archive.db)
    outcomes: dict[str, int] = {}
    for result in store_many(archive, reader, workers=workers, transform=with_extraction):
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
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


@click.command()
@db_option
@click.option("-p", "--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--print-metadata", is_flag=True, help="Print the metadata JSON and exit (for datasette -m)."
)
@reports_errors
def serve(db_path: str, port: int, host: str, print_metadata: bool) -> None:
    """Browse and query the archive in Datasette, with the archive's own metadata.

    Facets on site, language, authors and tags; saved queries for search, an article's
    history and recent changes; raw bodies hidden. Needs the `serve` extra:
    pip install 'article-archiver[serve]'.

    \b
    Examples:
      archive serve                 # http://127.0.0.1:8001/
      archive serve --db news.db --port 8080
    """
    from archive.store.datasette_meta import SETTINGS, metadata

    with open_existing_archive(db_path) as archive:
        has_versions = archive.db["article_versions"].exists()
    meta = metadata(db_path, has_versions=has_versions)
    if print_metadata:
        click.echo(json.dumps(meta, indent=2, ensure_ascii=False))
        return
    if importlib.util.find_spec("datasette") is None:
        fail("Datasette is not installed: pip install 'article-archiver[serve]'")
    meta_file = _write_metadata(db_path, meta)
    argv = [sys.executable, "-m", "datasette", "serve", db_path, "--metadata", meta_file]
    argv += ["--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        argv += ["--setting", name, value]
    sys.stdout.flush()
    sys.stderr.flush()
    # Replace this process: Ctrl-C and a signal from a supervisor reach Datasette directly.
    os.execv(sys.executable, argv)


def _write_metadata(db_path: str, meta: dict[str, Any]) -> str:
    """The metadata file, one per archive path in the temporary folder (rewritten each run)."""
    import hashlib

    key = hashlib.sha256(os.path.abspath(db_path).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"article-archiver-{key}-metadata.json"
    path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return str(path)
