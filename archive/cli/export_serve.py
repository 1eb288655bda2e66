"""`archive export` (records as JSON lines or CSV, captures as WARC) and `archive serve` (the
archive in Datasette): the commands that let others read the archive."""

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
from archive.screen import unscreened

# Addresses only this machine can reach: served with everything (SQL included), as before.
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@contextmanager
def _output(file: str | None, binary: bool) -> Iterator[IO[Any]]:
    """stdout, or FILE written under a temporary name and renamed when complete, so a failed
    export never leaves a truncated FILE that looks whole."""
    if file is None or file == "-":
        # An export is a file: byte for byte on a pipe; escaped only on a terminal.
        stdout = sys.stdout if sys.stdout.isatty() else unscreened(sys.stdout)
        yield stdout.buffer if binary else stdout
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
    type=click.Choice(["jsonl", "csv", "warc", "markdown"]),
    default="jsonl",
    show_default=True,
    help="jsonl/csv: the clean records; warc: the raw captures (FILE.warc.gz); markdown: one"
    " .md file per article, with YAML front matter, in the folder FILE.",
)
@click.option("--site", help="Only this host, e.g. news.example.org.")
@click.option("--since", help="Only articles first seen on or after this date (YYYY-MM-DD).")
@click.option("--versions", is_flag=True, help="One record per version, not per article.")
@click.option(
    "--images",
    is_flag=True,
    help="Markdown: each body image in place, its caption below (made from the stored pages).",
)
@reports_errors
def export(
    file: str | None,
    db_path: str,
    fmt: str,
    site: str | None,
    since: str | None,
    versions: bool,
    images: bool,
) -> None:
    """Export the archive: records as JSON lines or CSV, raw captures as WARC, or articles
    as Markdown files.

    Records go to FILE, or to standard output without one; the export is streamed, so a
    large archive needs little memory. With --format markdown, FILE is a folder (made if
    missing) that gets one <site>_<slug>.md file per article.

    \b
    Examples:
      archive export > articles.jsonl
      archive export --format csv --site news.example.org --since 2026-03-01 news.csv
      archive export --versions history.jsonl
      archive export --format warc captures.warc.gz
      archive export --format markdown articles-md/
      archive export --format markdown --images articles-md/
    """
    from archive.store.exchange.exports import export as export_records
    from archive.store.exchange.warc import export_warc

    if fmt == "warc" and (file is None or file == "-"):
        fail("--format warc needs a FILE (e.g. captures.warc.gz)", status=2)
    if fmt == "warc" and (since or versions):
        fail("--since and --versions apply to jsonl and csv exports", status=2)
    if images and fmt != "markdown":
        fail("--images applies to --format markdown", status=2)
    if fmt == "markdown":
        _export_markdown(file, db_path, site, since, versions, images)
        return
    with open_existing_archive(db_path) as archive, _output(file, binary=fmt == "warc") as out:
        if fmt == "warc":
            count = export_warc(archive.db, out, site=site)
        else:
            count = export_records(archive.db, out, fmt, site=site, since=since, versions=versions)
    if file not in (None, "-"):
        what = "captures" if fmt == "warc" else ("versions" if versions else "articles")
        click.echo(f"Exported {count} {what} to {file}", err=True)


def _export_markdown(
    folder: str | None,
    db_path: str,
    site: str | None,
    since: str | None,
    versions: bool,
    images: bool,
) -> None:
    from archive.store.exchange.exports import export_markdown

    if folder is None or folder == "-":
        fail("--format markdown needs a folder (e.g. articles-md/)", status=2)
    if versions:
        fail("--versions applies to jsonl and csv exports", status=2)
    assert folder is not None
    with open_existing_archive(db_path) as archive:
        count, without = export_markdown(archive.db, folder, site=site, since=since, images=images)
    click.echo(f"Exported {count} articles to {folder}", err=True)
    if without:
        click.echo(
            f"{without} of them were stored before the archive kept Markdown: their text"
            " stands in; `archive reextract` makes their Markdown from the stored pages",
            err=True,
        )


@click.command()
@db_option
@click.option("-p", "--port", default=8001, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but 127.0.0.1, ::1 or localhost serves read-only.",
)
@click.option(
    "--public",
    is_flag=True,
    help="Serve read-only as for another address: canned queries only, bodies and request "
    "headers hidden.",
)
@click.option(
    "--print-metadata", is_flag=True, help="Print the metadata JSON and exit (for datasette -m)."
)
@reports_errors
def serve(db_path: str, port: int, host: str, public: bool, print_metadata: bool) -> None:
    """Browse and query the archive in Datasette, with the archive's own metadata.

    Facets on site, language, authors and tags; saved queries for search, an article's
    history and recent changes; raw bodies hidden; the markdown column rendered as HTML
    (datasette-render-markdown). Listens on 127.0.0.1 only, unless --host
    says otherwise: on any other address (or with --public) it serves read-only, with no SQL
    of the visitor's own, and refuses raw bodies and the captures table (request headers).
    Needs the `serve` extra: pip install 'article-archiver[serve]'.

    \b
    Examples:
      archive serve                 # http://127.0.0.1:8001/
      archive serve --db news.db --port 8080
      archive serve --host 0.0.0.0  # read-only, for other machines
    """
    from archive.store.db.datasette_meta import PUBLIC_SETTINGS, SETTINGS, metadata

    public = public or host.strip("[]").lower() not in LOOPBACK_HOSTS
    with open_existing_archive(db_path) as archive:
        has_versions = archive.db["article_versions"].exists()
    meta = metadata(db_path, has_versions=has_versions, public=public)
    if print_metadata:
        click.echo(json.dumps(meta, indent=2, ensure_ascii=False))
        return
    if importlib.util.find_spec("datasette") is None:
        fail("Datasette is not installed: pip install 'article-archiver[serve]'")
    if importlib.util.find_spec("datasette_render_markdown") is None:
        click.echo(
            "note: datasette-render-markdown is not installed, so Markdown shows as plain"
            " text: pip install 'article-archiver[serve]'",
            err=True,
        )
    meta_file = _write_metadata(db_path, meta)
    argv = [sys.executable, "-m", "datasette", "serve", db_path, "--metadata", meta_file]
    argv += ["--host", host, "--port", str(port)]
    for name, value in (PUBLIC_SETTINGS if public else SETTINGS).items():
        argv += ["--setting", name, value]
    if public:
        click.echo(
            f"Serving {db_path} read-only on {host}:{port}: canned queries only, no SQL of"
            " your own; raw bodies and request headers hidden.",
            err=True,
        )
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
