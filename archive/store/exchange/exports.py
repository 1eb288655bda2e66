"""Exports of the clean records: one JSON object per line (JSONL) or CSV, streamed.

Rows come from one SQLite cursor and go straight to the output, so exporting a million
articles holds one row at a time in memory. With ``versions`` every version of every article
is a record (from ``article_versions``), else every article as it is now. ``since`` keeps
articles the archive first saw at or after that date or instant (``first_seen_at``), for
versions too; ``site`` keeps one host (with or without ``www.``).
"""

import csv
import json
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from sqlite_utils import Database

from archive.errors import StorageError
from archive.screen import json_safe
from archive.store.db.timestamps import normalize_timestamp
from archive.store.read.queries import JSON_COLUMNS, site_clause

FORMATS = ("jsonl", "csv")
# Article columns first in this order; any column a later migration adds follows them.
ARTICLE_COLUMNS = (
    "id",
    "url",
    "canonical_url",
    "title",
    "authors",
    "published_at",
    "modified_at",
    "site_name",
    "site",
    "language",
    "description",
    "image",
    "tags",
    "images",
    "text",
    "markdown",
    "word_count",
    "removed",
    "extractor_version",
    "capture_id",
    "first_seen_at",
    "last_seen_at",
)
VERSION_LEAD = ("article_id", "url", "site", "version", "cause", "changed", "created_at")
FETCH_ROWS = 100


def parse_since(value: str) -> str:
    """A ``--since`` value (``2026-03-01`` or an ISO 8601 instant) in the archive's format,
    comparable as text with the ``*_at`` columns."""
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return normalize_timestamp(text)
    except StorageError as exc:
        raise StorageError("not a date (YYYY-MM-DD) or an ISO 8601 instant", subject=value) from exc


def _columns(db: Database, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})").fetchall()]


def export_columns(db: Database, *, versions: bool = False) -> list[str]:
    """The columns of each exported record, in order."""
    if versions:
        if not db["article_versions"].exists():
            raise StorageError("this archive has no article versions yet")
        rest = [c for c in _columns(db, "article_versions") if c not in (*VERSION_LEAD, "id")]
        return [*VERSION_LEAD, *rest]
    present = _columns(db, "articles")
    return [c for c in ARTICLE_COLUMNS if c in present] + [
        c for c in present if c not in ARTICLE_COLUMNS
    ]


def _query(db: Database, columns: list[str], versions: bool) -> str:
    if versions:
        picked = ", ".join(f"a.{c}" if c in ("url", "site") else f"v.{c}" for c in columns)
        return (
            f"SELECT {picked} FROM article_versions v JOIN articles a ON a.id = v.article_id"
            " WHERE 1 = 1{where} ORDER BY v.article_id, v.version"
        )
    picked = ", ".join(f"a.{c}" for c in columns)
    return f"SELECT {picked} FROM articles a WHERE 1 = 1{{where}} ORDER BY a.id"


def iter_records(
    db: Database,
    *,
    site: str | None = None,
    since: str | None = None,
    versions: bool = False,
) -> Iterator[dict[str, Any]]:
    """Export records one at a time, JSON columns left as their JSON text."""
    columns = export_columns(db, versions=versions)
    where, params = site_clause(site, "a.site")
    if since:
        where += " AND a.first_seen_at >= ?"
        params.append(parse_since(since))
    cursor = db.execute(_query(db, columns, versions).format(where=where), params)
    while True:
        rows = cursor.fetchmany(FETCH_ROWS)
        if not rows:
            return
        for row in rows:
            yield dict(zip(columns, row, strict=True))


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """One JSON object per line, lists decoded (``authors`` is a JSON array, not a string)."""
    count = 0
    for record in records:
        for column in JSON_COLUMNS.union({"changed", "rules"}).intersection(record):
            if isinstance(record[column], str):
                record[column] = json.loads(record[column])
        out.write(json_safe(json.dumps(record, ensure_ascii=False)))
        out.write("\n")
        count += 1
    return count


def write_csv(records: Iterator[dict[str, Any]], out: IO[str], columns: list[str]) -> int:
    """CSV with a header row; list columns stay JSON text in their cell."""
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(record)
        count += 1
    return count


def export(
    db: Database,
    out: IO[str],
    fmt: str,
    *,
    site: str | None = None,
    since: str | None = None,
    versions: bool = False,
) -> int:
    """Write the archive's records to ``out`` as ``fmt`` (jsonl or csv); returns the count."""
    if fmt not in FORMATS:
        raise StorageError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")
    records = iter_records(db, site=site, since=since, versions=versions)
    if fmt == "jsonl":
        return write_jsonl(records, out)
    return write_csv(records, out, export_columns(db, versions=versions))


def export_markdown(
    db: Database,
    folder: str,
    *,
    site: str | None = None,
    since: str | None = None,
    images: bool = False,
) -> tuple[int, int]:
    """One Markdown file per article in ``folder`` (see ``markdown_files``); the number
    written and how many had no stored Markdown (their text stands in). ``images``: each
    body's images in place, the Markdown made again from the stored page (``markdown_images``)."""
    from archive.store.exchange.markdown_files import write_markdown_files
    from archive.store.exchange.markdown_images import with_images

    records = iter_records(db, site=site, since=since)
    return write_markdown_files(with_images(db, records) if images else records, folder)
