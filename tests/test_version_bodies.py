"""Versions do not repeat the body their article holds (migration 0011), and lose nothing by
it: every version read through ``article_versions`` has the text and Markdown it was made
with, whatever later writes (ours, or a user's own SQL) do to the article; the migration
converts an older archive without changing what any version reads as, or nothing at all
when it is interrupted."""

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from archive.errors import StorageError
from archive.store.db import migrations_sql
from archive.store.db.archive_db import ArchiveDB
from archive.store.db.consistency import check_consistency
from archive.store.db.migrations import MIGRATIONS
from tests.storage_helpers import capture, record

DAY = "2026-03-{:02d}T09:00:00+00:00"
MAY = "The council voted seven to six.\n\nWork starts in May."
JUNE = "The council voted seven to six.\n\nWork starts in June."
# The columns of the article_versions table before 0011, in its order (migrations 0002, 0004
# and 0009): the view keeps them, so `SELECT *`, exports and `PRAGMA table_info` are unchanged.
OLD_COLUMNS = [
    "id", "article_id", "version", "cause", "changed", "capture_id", "extractor_version",
    "rules", "created_at", "canonical_url", "title", "authors", "published_at", "modified_at",
    "site_name", "language", "description", "image", "tags", "images", "text", "word_count",
    "removed", "published_from", "modified_from", "authors_from", "markdown",
]  # fmt: skip


def store(archive: ArchiveDB, day: int, **changes: Any) -> None:
    archive.store(capture(fetched_at=DAY.format(day), body=b"page %d" % day), record(**changes))


def bodies(db: Database | sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(version, text, markdown) of every version, as readers see them."""
    sql = "SELECT version, text, markdown FROM article_versions ORDER BY article_id, version"
    return [tuple(row) for row in db.execute(sql).fetchall()]


def stored(db: Database | sqlite3.Connection) -> list[tuple[int, Any, Any]]:
    """(version, text, markdown) as the table holds them: None where left to the article."""
    sql = "SELECT version, text, markdown FROM article_version_rows ORDER BY article_id, version"
    return [tuple(row) for row in db.execute(sql).fetchall()]


def test_the_current_version_leaves_its_body_to_the_article(archive: ArchiveDB) -> None:
    store(archive, 1, text=MAY, markdown="May *md*")
    assert stored(archive.db) == [(1, None, None)]
    assert bodies(archive.db) == [(1, MAY, "May *md*")]


def test_a_superseded_version_keeps_its_own_text_and_markdown(archive: ArchiveDB) -> None:
    store(archive, 1, text=MAY, markdown="May *md*")
    store(archive, 2, text=JUNE, markdown="June *md*")
    store(archive, 3, text=MAY, markdown="May again")  # back to the first text
    assert bodies(archive.db) == [
        (1, MAY, "May *md*"),
        (2, JUNE, "June *md*"),
        (3, MAY, "May again"),
    ]
    assert stored(archive.db) == [(1, MAY, "May *md*"), (2, JUNE, "June *md*"), (3, None, None)]
    assert check_consistency(archive.db) == []


def test_a_change_that_makes_no_version_leaves_the_version_as_it_was(archive: ArchiveDB) -> None:
    store(archive, 1, text=MAY, markdown="one")
    # Only spacing differs (no new version) and the Markdown's links moved (not tracked): the
    # article takes them, the version keeps what it was made with.
    store(archive, 2, text=MAY.replace("seven", "seven "), markdown="two")
    assert stored(archive.db) == [(1, MAY, "one")]
    row = archive.db.execute("SELECT text, markdown FROM articles").fetchone()
    assert row == (MAY.replace("seven", "seven "), "two")


def test_a_title_change_shares_the_unchanged_body(archive: ArchiveDB) -> None:
    store(archive, 1, text=MAY, markdown="one")
    store(archive, 2, text=MAY, markdown="one", title="Bridge approved")
    assert stored(archive.db) == [(1, None, None), (2, None, None)]
    assert bodies(archive.db) == [(1, MAY, "one"), (2, MAY, "one")]


def test_an_empty_markdown_is_filled_by_a_newer_parser(archive: ArchiveDB) -> None:
    """A record stored before the archive kept Markdown takes a newer parser's Markdown when
    nothing tracked changed, as before 0011; a version superseded first keeps its ''."""
    store(archive, 1, text=MAY, markdown="")
    store(archive, 2, text=MAY, markdown="May *md*")
    assert bodies(archive.db) == [(1, MAY, "May *md*")]
    store(archive, 3, text=JUNE, markdown="")
    store(archive, 4, text=MAY, markdown="back")
    assert bodies(archive.db)[1:] == [(2, JUNE, ""), (3, MAY, "back")]


def test_a_users_own_sql_cannot_take_a_versions_body(archive: ArchiveDB) -> None:
    """sqlite3 without foreign keys (its default), editing and deleting articles directly."""
    store(archive, 1, text=MAY, markdown="one")
    with contextlib.closing(sqlite3.connect(archive.path)) as conn:
        conn.execute("UPDATE articles SET text = 'edited by hand', markdown = 'also'")
        conn.commit()
        assert stored(conn) == [(1, MAY, "one")]
        conn.execute("UPDATE article_version_rows SET text = NULL, markdown = NULL")
        conn.execute("DELETE FROM articles")
        conn.commit()
        assert stored(conn) == [(1, "edited by hand", "also")]


def test_the_view_is_the_old_table_and_agrees_with_the_rows(archive: ArchiveDB) -> None:
    store(archive, 1, text=MAY, markdown="one")
    store(archive, 2, text=JUNE, markdown="two", title="Bridge approved")
    store(archive, 3, text=JUNE, markdown="two", title="Bridge approved again")
    columns = [row[1] for row in archive.db.execute("PRAGMA table_info(article_versions)")]
    assert columns == OLD_COLUMNS
    rows = archive.db.execute(f"SELECT {', '.join(OLD_COLUMNS)} FROM article_version_rows")
    article = dict(archive.db.execute("SELECT 'text', text FROM articles").fetchall())
    article.update(archive.db.execute("SELECT 'markdown', markdown FROM articles").fetchall())
    expected = []
    for row in rows.fetchall():
        whole = dict(zip(OLD_COLUMNS, row, strict=True))
        for name in ("text", "markdown"):
            whole[name] = article[name] if whole[name] is None else whole[name]
        expected.append(whole)
    assert list(archive.db.query("SELECT * FROM article_versions ORDER BY id")) == expected
    assert [v[1] for v in bodies(archive.db)] == [MAY, JUNE, JUNE]


def old_archive(path: Path) -> None:
    """An archive as the version before 0011 left it: four articles, seven versions, whose
    bodies are the article's (1, 3's), older (2's first) or once were and are again (4)."""
    db = Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="0011_versions_share_current_body")
    histories = {
        1: [("a1", "m1")],
        2: [("b-old", "mb-old"), ("b", "mb")],
        3: [("c", ""), ("c", "")],  # a title change; no Markdown yet
        4: [("d", "md"), ("d-mid", "md-mid"), ("d", "md")],
    }
    for article_id, versions in histories.items():
        text, markdown = versions[-1]
        db["articles"].insert(
            {"id": article_id, "url": f"https://example.org/{article_id}", "text": text,
             "markdown": markdown, "first_seen_at": DAY.format(1), "last_seen_at": DAY.format(1)}
        )  # fmt: skip
        for number, (text, markdown) in enumerate(versions, start=1):
            db["article_versions"].insert(
                {"article_id": article_id, "version": number, "cause": "page",
                 "created_at": DAY.format(number), "title": f"t{number}", "text": text,
                 "markdown": markdown}
            )  # fmt: skip
    db.conn.commit()
    db.close()


def snapshot(path: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM article_versions ORDER BY id").fetchall()


def test_the_migration_keeps_every_version_as_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_archive(path)
    before = snapshot(path)
    assert len(before) == 8
    with ArchiveDB(path, create=False) as archive:
        assert check_consistency(archive.db) == []
        assert stored(archive.db) == [
            (1, None, None),
            (1, "b-old", "mb-old"),
            (2, None, None),
            (1, None, None),
            (2, None, None),
            (1, None, None),
            (2, "d-mid", "md-mid"),
            (3, None, None),
        ]
    assert snapshot(path) == before


def test_an_interrupted_migration_leaves_the_old_archive_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    old_archive(path)
    before = snapshot(path)
    failing = [*migrations_sql.SHARED_VERSION_BODIES, "SELECT no_such_function()"]
    monkeypatch.setattr(migrations_sql, "SHARED_VERSION_BODIES", failing)
    with pytest.raises(StorageError, match="no_such_function"):
        ArchiveDB(path, create=False)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master").fetchall())
        assert kinds["article_versions"] == "table" and "article_version_rows" not in kinds
    assert snapshot(path) == before
    monkeypatch.undo()
    with ArchiveDB(path, create=False) as archive:
        assert archive.db["article_version_rows"].count == 8
    assert snapshot(path) == before
