"""Article versions: when a record counts as changed, and the rows that keep each version.

A version is a full snapshot of the clean record, read through the ``article_versions`` view.
Its row in ``article_version_rows`` leaves ``text`` and ``markdown`` NULL while they are the
article's current ones (migration 0011: the body is not stored twice); triggers on ``articles``
hand such a version the old body before the article's body changes or the article is deleted.
A new one is made only when a *tracked* field changes (title, authors, dates, text) once
irrelevant differences are normalised away (whitespace runs, non-breaking spaces, Unicode
composition, the same instant written with another offset). Other fields (tags, images,
description ...) follow the latest record in ``articles`` but make no version on their own.

Causes: ``first`` (version 1), ``page`` (a new capture brought a changed record), ``parser``
(the same stored body, re-extracted by a different parser, gave a changed record).
"""

import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

FIRST, PAGE, PARSER = "first", "page", "parser"
CAUSES = (FIRST, PAGE, PARSER)
TRACKED_FIELDS = ("title", "authors", "published_at", "modified_at", "text")
# The record columns a version keeps (all of the clean record but the article key).
SNAPSHOT_FIELDS = (
    "canonical_url",
    "title",
    "authors",
    "published_at",
    "modified_at",
    "site_name",
    "language",
    "description",
    "image",
    "tags",
    "images",
    "text",
    "markdown",
    "word_count",
    "removed",
    "rules",
    "published_from",
    "modified_from",
    "authors_from",
)
JSON_FIELDS = frozenset({"authors", "tags", "images", "removed", "rules"})

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def _words(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())  # str.split() also splits on no-break and other spaces


def _text(value: str) -> str:
    # Paragraph breaks matter; how many blank lines or spaces make them does not.
    paragraphs = (_words(part) for part in _PARAGRAPH_BREAK.split(value))
    return "\n\n".join(part for part in paragraphs if part)


def _date(value: str) -> str:
    """An instant in UTC, so '+01:00' and 'Z' spellings of one moment compare equal."""
    text = value.strip()
    if "T" not in text and " " not in text:
        return text  # a bare date stays a bare date
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).isoformat()


def normalized(field: str, value: Any) -> Any:
    """``value`` of ``field`` (as stored: JSON text for lists) in its comparable form."""
    if field in JSON_FIELDS and isinstance(value, str):
        value = json.loads(value)
    if value is None or value == "":
        return None if field != "authors" else []
    if field == "text":
        return _text(value)
    if field == "markdown":
        return value  # its line breaks and spaces are its structure

    if field == "authors":
        return [_words(name) for name in value if _words(name)]
    if field in ("published_at", "modified_at"):
        return _date(value)
    if isinstance(value, str):
        return _words(value)
    return value


def changed_fields(
    old: Mapping[str, Any], new: Mapping[str, Any], fields: tuple[str, ...] = TRACKED_FIELDS
) -> list[str]:
    """The fields among ``fields`` whose normalised values differ, in ``fields`` order."""
    return [f for f in fields if normalized(f, old.get(f)) != normalized(f, new.get(f))]


def add_version(
    db: Database,
    article_id: int,
    record: Mapping[str, Any],
    *,
    cause: str,
    capture_id: int | None,
    extractor_version: str | None,
    created_at: str,
    changed: list[str],
) -> int:
    """Append the next version of ``article_id`` (a snapshot of ``record``); its number."""
    if cause not in CAUSES:
        raise ValueError(f"unknown version cause {cause!r}")
    (number,) = db.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM article_version_rows WHERE article_id = ?",
        [article_id],
    ).fetchone()
    row = {name: record.get(name) for name in SNAPSHOT_FIELDS}
    row.update(
        article_id=article_id,
        version=number,
        cause=cause,
        changed=json.dumps(changed),
        capture_id=capture_id,
        extractor_version=extractor_version,
        created_at=created_at,
    )
    for name in JSON_FIELDS:
        if row[name] is None:
            row[name] = "[]"
    for name in ("text", "markdown"):
        if row[name] is None:
            row[name] = ""
    row["word_count"] = row["word_count"] or 0
    columns = ", ".join(row)
    values = ", ".join(_VALUE.get(name, f":{name}") for name in row)
    db.execute(f"INSERT INTO article_version_rows ({columns}) VALUES ({values})", row)
    return int(number)


# A body equal to the article's current one is left to the article (NULL in the row).
_VALUE = {
    name: f"nullif(:{name}, (SELECT {name} FROM articles WHERE id = :article_id))"
    for name in ("text", "markdown")
}


def current_record(db: Database, article_id: int) -> dict[str, Any] | None:
    """The record ``articles`` holds now for ``article_id`` (snapshot fields and bookkeeping)."""
    columns = ", ".join((*SNAPSHOT_FIELDS, "id", "url", "capture_id", "extractor_version"))
    cursor = db.execute(f"SELECT {columns} FROM articles WHERE id = ?", [article_id])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def update_article(
    db: Database,
    article_id: int,
    record: Mapping[str, Any],
    *,
    cause: str,
    capture_id: int,
    extractor_version: str | None,
    created_at: str,
    extra: Mapping[str, Any] | None = None,
) -> int | None:
    """Make ``articles`` hold ``record``; add a version when a tracked field changed.

    ``extra`` holds further ``articles`` columns to set (``last_seen_at``, ``gone_at`` ...).
    Returns the new version number, or None when the record did not change.
    """
    old = current_record(db, article_id)
    if old is None:
        raise ValueError(f"no article with id {article_id}")
    changed = changed_fields(old, record)
    fields = {name: record.get(name) for name in SNAPSHOT_FIELDS if name in record}
    fields.update(capture_id=capture_id, extractor_version=extractor_version, **(extra or {}))
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    db.execute(
        f"UPDATE articles SET {assignments} WHERE id = :article_id",
        {**fields, "article_id": article_id},
    )
    if not changed:
        _fill_markdown(db, article_id, fields.get("markdown"))
        return None
    every = changed_fields(old, record, SNAPSHOT_FIELDS)
    return add_version(
        db,
        article_id,
        record,
        cause=cause,
        capture_id=capture_id,
        extractor_version=extractor_version,
        created_at=created_at,
        changed=every,
    )


def _fill_markdown(db: Database, article_id: int, markdown: str | None) -> None:
    """The latest version holds the same record (no tracked field changed): it takes the
    Markdown a newer parser made of it, if it was stored before the archive kept Markdown, by
    leaving it to the article again (the update's trigger gave it the old, empty one)."""
    if not markdown:
        return
    db.execute(
        "UPDATE article_version_rows SET markdown = NULL WHERE article_id = ? AND markdown = ''"
        " AND version = (SELECT max(version) FROM article_version_rows WHERE article_id = ?)",
        [article_id, article_id],
    )
