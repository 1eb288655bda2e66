"""Is the archive file sound? ``check_consistency(db)`` lists every problem it finds.

Three layers, each of which a crash, a full disk or a second writer could in principle break:

1. SQLite's own ``PRAGMA integrity_check`` (pages, b-trees, indexes match their tables);
2. the full-text index: FTS5's ``integrity-check`` with its content-table comparison, so an
   article whose title or text the index does not hold (a write that bypassed the triggers)
   is found too;
3. the archive's links: no row points at a row that is not there (``PRAGMA
   foreign_key_check`` over every declared key: a capture naming a missing body, crawl or
   article, an article naming a missing capture, a version without its article), plus the
   links SQL cannot declare: every article has its first version, a version that leaves its
   body to its article has that article, every body packed with a dictionary names one that
   exists.

An empty list means the file is sound. Reads only, but the FTS5 check must be run on a
connection that may write: it is wrapped in a transaction that is rolled back, and so waits
(up to the busy timeout) for a writer's transaction to end.
"""

import sqlite3
from typing import Any

from sqlite_utils import Database

from archive.errors import StorageError

# How many problems of one kind are listed before the rest are only counted.
SHOWN_PER_KIND = 10


def check_consistency(db: Database) -> list[str]:
    """Every problem found in the archive ``db``, one readable line each; [] when sound.
    Raises ``StorageError`` when the checks cannot run (the file is busy or unreadable)."""
    try:
        return _checks(db)
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):
            return [f"the file is damaged: {exc}"]
        raise StorageError(f"cannot check the archive: {exc}") from exc


def _checks(db: Database) -> list[str]:
    problems = _integrity(db)
    if problems:
        return problems  # a damaged file: the other checks would only echo it, or fail
    return _search_index(db) + _foreign_keys(db) + _undeclared_links(db)


def _integrity(db: Database) -> list[str]:
    rows = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else [f"integrity_check: {row}" for row in rows]


def _search_index(db: Database) -> list[str]:
    conn = db.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN IMMEDIATE")  # FTS5 checks through a write statement
    try:
        # rank 1: compare the index with its content table (articles), not only itself.
        conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise
        return [f"articles_fts: the search index does not match the articles ({exc})"]
    finally:
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")
    return []


def _foreign_keys(db: Database) -> list[str]:
    problems: dict[tuple[str, str], list[Any]] = {}
    for table, rowid, parent, key_index in db.execute("PRAGMA foreign_key_check").fetchall():
        column = _fk_column(db, table, key_index)
        problems.setdefault((table, f"{column} -> {parent}"), []).append(rowid)
    return [
        _listed(f"{table} rows whose {link} names a missing row", ids)
        for (table, link), ids in sorted(problems.items())
    ]


def _fk_column(db: Database, table: str, key_index: int) -> str:
    for row in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
        if row[0] == key_index:
            return str(row[3])
    return f"key {key_index}"


# Links SQL cannot declare, each a query for the ids of the rows that break it, and the table
# it needs (a file a crash left before migration 0011 has no article_version_rows yet).
_UNDECLARED = [
    (
        "articles without a version (every article has its version 1)",
        "SELECT a.id FROM articles a WHERE NOT EXISTS"
        " (SELECT 1 FROM article_versions v WHERE v.article_id = a.id) ORDER BY a.id",
        "articles",
    ),
    (
        # A version's NULL body is its article's (migration 0011): with the article gone, lost.
        "article versions whose body was left to an article that is not there",
        "SELECT v.id FROM article_version_rows v WHERE (v.text IS NULL OR v.markdown IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = v.article_id) ORDER BY v.id",
        "article_version_rows",
    ),
    (
        "bodies packed with a zstd dictionary that is not there",
        "SELECT b.hash FROM bodies b WHERE b.compression LIKE 'zstd-dict:%' AND NOT EXISTS"
        " (SELECT 1 FROM zstd_dictionaries d"
        "  WHERE d.id = CAST(substr(b.compression, 11) AS INTEGER)) ORDER BY b.hash",
        "bodies",
    ),
]


def _undeclared_links(db: Database) -> list[str]:
    problems = []
    tables = set(db.table_names())
    for what, sql, table in _UNDECLARED:
        if table not in tables:
            continue
        ids = [row[0] for row in db.execute(sql).fetchall()]
        if ids:
            problems.append(_listed(what, ids))
    return problems


def _listed(what: str, ids: list[Any]) -> str:
    shown = ", ".join(str(i) for i in ids[:SHOWN_PER_KIND])
    more = f" and {len(ids) - SHOWN_PER_KIND} more" if len(ids) > SHOWN_PER_KIND else ""
    return f"{len(ids)} {what}: {shown}{more}"
