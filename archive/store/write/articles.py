"""Writing articles inside ``ArchiveDB.store``'s transaction: new articles, changed ones
(a version each), and captures that found an article unchanged.

Every function here runs inside the caller's write transaction and takes the
``sqlite_utils.Database``; none commits.
"""

from typing import Any

from sqlite_utils import Database

from archive.errors import InvalidURLError
from archive.store.write import versions
from archive.urls import normalize_url


def find_article(db: Database, *urls: str | None) -> tuple[int, str] | None:
    """The article (id, key) whose key is one of ``urls`` (normalised), else the article a
    capture of one of them gave, latest first; None when the archive has no such article."""
    given = [url for url in urls if url]
    keys = []
    for url in given:
        try:
            keys.append(normalize_url(url))
        except InvalidURLError:
            continue
    # The key is often the canonical URL, which may add or drop the "www." of the URL asked.
    keys = list(dict.fromkeys(keys + [_other_www(key) for key in keys]))
    candidates = list(dict.fromkeys(given + keys))
    if not candidates:
        return None
    key_marks = ", ".join("?" for _ in keys)
    row: tuple[Any, ...] | None = None
    if keys:
        sql = f"SELECT id, url FROM articles WHERE url IN ({key_marks})"
        row = db.execute(sql, keys).fetchone()
    marks = ", ".join("?" for _ in candidates)
    if row is None:
        row = db.execute(
            "SELECT a.id, a.url FROM captures c JOIN articles a ON a.id = c.article_id"
            f" WHERE (c.requested_url IN ({marks}) OR c.final_url IN ({marks}))"
            " AND c.outcome IN ('article', 'unchanged')"
            " ORDER BY c.fetched_at DESC, c.id DESC LIMIT 1",
            candidates + candidates,
        ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def _other_www(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if rest.startswith("www."):
        return f"{scheme}{sep}{rest[4:]}"
    return f"{scheme}{sep}www.{rest}"


def upsert_article(
    db: Database, row: dict[str, Any], capture_id: int, body_hash: str | None
) -> tuple[int, int | None]:
    """Store the article ``row`` (from ``rows.article_row``) seen in capture ``capture_id``.

    Returns the article id and the version made (None when the record did not change). A
    capture older than the article's last sighting (stored late) only widens the seen window.
    A change from a capture of the very same body can only come from the parser: 'parser'.
    """
    seen = row["last_seen_at"]
    existing = db.execute(
        "SELECT a.id, a.last_seen_at, a.gone_at, c.body_hash FROM articles a"
        " LEFT JOIN captures c ON c.id = a.capture_id WHERE a.url = ?",
        [row["url"]],
    ).fetchone()
    if existing is None:
        article_id = _insert_article(db, {**row, "capture_id": capture_id})
        versions.add_version(
            db,
            article_id,
            row,
            cause=versions.FIRST,
            capture_id=capture_id,
            extractor_version=row["extractor_version"],
            created_at=seen,
            changed=[],
        )
        return article_id, 1
    article_id, last_seen_at, gone_at, previous_body = existing
    if seen < last_seen_at:
        db.execute(
            "UPDATE articles SET first_seen_at = min(first_seen_at, ?) WHERE id = ?",
            [seen, article_id],
        )
        return int(article_id), None
    extra: dict[str, Any] = {"last_seen_at": seen}
    if gone_at is not None and seen >= gone_at:
        extra.update(gone_at=None, gone_reason=None)
    same_body = body_hash is not None and body_hash == previous_body
    version = versions.update_article(
        db,
        int(article_id),
        row,
        cause=versions.PARSER if same_body else versions.PAGE,
        capture_id=capture_id,
        extractor_version=row["extractor_version"],
        created_at=seen,
        extra=extra,
    )
    db.execute(
        "UPDATE articles SET first_seen_at = min(first_seen_at, ?) WHERE id = ?",
        [seen, article_id],
    )
    return int(article_id), version


def _insert_article(db: Database, row: dict[str, Any]) -> int:
    columns = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    cursor = db.execute(f"INSERT INTO articles ({columns}) VALUES ({values})", row)
    assert cursor.lastrowid is not None
    return int(cursor.lastrowid)


def note_unchanged(
    db: Database, requested_url: str, final_url: str | None, capture_id: int, seen: str
) -> tuple[int, str] | None:
    """Link an 'unchanged' capture (a 304, the same body again) to its article and move the
    article's ``last_seen_at``; no version, no change to the record or its capture.

    The article's ``capture_id`` keeps pointing at the capture its record came from, so a
    re-extraction still finds that body. Clears a gone mark older than this sighting.
    """
    found = find_article(db, requested_url, final_url)
    if found is None:
        return None
    article_id = found[0]
    db.execute("UPDATE captures SET article_id = ? WHERE id = ?", [article_id, capture_id])
    db.execute(
        "UPDATE articles SET last_seen_at = max(last_seen_at, :seen),"
        " gone_reason = CASE WHEN gone_at <= :seen THEN NULL ELSE gone_reason END,"
        " gone_at = CASE WHEN gone_at <= :seen THEN NULL ELSE gone_at END"
        " WHERE id = :id",
        {"seen": seen, "id": article_id},
    )
    return found
