"""Purges: takedowns of articles or sites leave nothing behind (rows, orphan bodies, search
index, bytes in the file); retention keeps each article's latest version and its capture."""

from pathlib import Path

import pytest

from archive.errors import StorageError
from archive.records import Capture
from archive.store.db.archive_db import ArchiveDB
from archive.store.maintenance.purge import execute, plan_before, plan_site, plan_urls
from tests.storage_helpers import capture, failure, record

A = "https://news.example.org/2026/03/bridge-vote"
B = "https://news.example.org/2026/03/ferry"
C = "https://other.example/2026/03/ferry-mirror"
SECRET = "Quixotically"  # a word only article A ever held


def cap(url: str, day: str, body: bytes) -> Capture:
    return capture(
        requested_url=url, final_url=url, fetched_at=f"2026-03-{day}T10:00:00+00:00", body=body
    )


def rec(url: str, text: str) -> object:
    return record(url=url, canonical_url=None, text=text, title=f"Title {text.split()[0]}")


@pytest.fixture
def archive(archive: ArchiveDB) -> ArchiveDB:
    archive.store(cap(A, "01", b"<html>a1</html>"), rec(A, f"Bridge {SECRET} first text."))
    archive.store(cap(A, "02", b"<html>a2</html>"), rec(A, f"Bridge {SECRET} edited text."))
    archive.store(failure(requested_url=A, final_url=A, fetched_at="2026-03-03T10:00:00+00:00"))
    archive.store(cap(B, "01", b"<html>shared</html>"), rec(B, "Ferry timetable changes."))
    archive.store(cap(C, "01", b"<html>shared</html>"), rec(C, "Ferry mirror copy."))
    return archive


def count(db: ArchiveDB, sql: str, params: list | None = None) -> int:
    return db.db.execute(sql, params or []).fetchone()[0]


def assert_consistent(db: ArchiveDB) -> None:
    assert db.db.execute("PRAGMA foreign_key_check").fetchall() == []
    orphans = (
        "SELECT count(*) FROM bodies WHERE hash NOT IN (SELECT body_hash FROM captures"
        " WHERE body_hash IS NOT NULL)"
    )
    assert count(db, orphans) == 0
    db.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def test_purging_an_article_removes_it_completely(archive: ArchiveDB, tmp_path: Path) -> None:
    plan, missing = plan_urls(archive, [A + "?utm_source=x"])
    assert missing == []
    assert plan.urls == [A] and len(plan.version_ids) == 2
    assert len(plan.capture_ids) == 3  # two article captures and the 404
    assert len(plan.body_hashes) == 3  # a1, a2 and the 404 page: none shared
    execute(archive, plan)
    assert count(archive, "SELECT count(*) FROM articles") == 2
    assert count(archive, "SELECT count(*) FROM article_versions") == 2
    gone = "SELECT count(*) FROM captures WHERE requested_url = ? OR final_url = ?"
    assert count(archive, gone, [A, A]) == 0
    assert archive.search(SECRET) == []
    raw = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?"
    assert count(archive, raw, [SECRET]) == 0
    assert [hit["url"] for hit in archive.search("ferry timetable")] == [B]
    assert_consistent(archive)
    archive.close()
    for path in tmp_path.iterdir():  # the database, its WAL and shared memory
        assert SECRET.encode() not in path.read_bytes(), path.name


def test_a_body_another_capture_shares_is_kept(archive: ArchiveDB) -> None:
    plan, _ = plan_urls(archive, [B])
    assert plan.body_hashes == []  # C serves the very same bytes
    execute(archive, plan)
    [(hash_,)] = archive.db.execute("SELECT body_hash FROM captures WHERE final_url = ?", [C])
    assert archive.body(hash_) == b"<html>shared</html>"
    assert_consistent(archive)


def test_unknown_urls_are_reported_and_loose_captures_go_too(archive: ArchiveDB) -> None:
    archive.store(failure(requested_url="https://news.example.org/never"))
    plan, missing = plan_urls(archive, ["https://news.example.org/never", "https://x.example/"])
    assert missing == ["https://x.example/"]
    assert plan.article_ids == [] and len(plan.capture_ids) == 1
    execute(archive, plan)
    assert_consistent(archive)


def test_purging_a_site(archive: ArchiveDB) -> None:
    plan = plan_site(archive, "www.news.example.org")
    assert sorted(plan.urls) == sorted([A, B])
    execute(archive, plan)
    assert [row["url"] for row in archive.list_articles()] == [C]
    assert count(archive, "SELECT count(*) FROM captures WHERE site = 'news.example.org'") == 0
    assert archive.search("bridge") == []
    assert_consistent(archive)


def test_retention_keeps_each_articles_latest_version_and_its_capture(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "r.db") as db:
        for day in ("01", "02", "03"):
            db.store(cap(A, day, b"<html>%s</html>" % day.encode()), rec(A, f"Text of day {day}."))
        db.store(cap(A, "04", b"<html>03</html>"), rec(A, "Text of day 03."))  # same again
        db.store(failure(fetched_at="2026-03-01T12:00:00+00:00"))
        db.store(cap(B, "01", b"<html>b</html>"), rec(B, "Only one version."))
        plan = plan_before(db, "2026-03-04T00:00:00+00:00")
        execute(db, plan)
        versions = db.db.execute(
            "SELECT a.url, v.version FROM article_versions v JOIN articles a ON a.id = v.article_id"
            " ORDER BY a.url"
        ).fetchall()
        assert versions == [(A, 3), (B, 1)]
        kept = db.db.execute("SELECT fetched_at FROM captures ORDER BY id").fetchall()
        # Day 3 holds A's latest version, day 4 its record; B's only capture stays.
        assert kept == [
            ("2026-03-03T10:00:00+00:00",),
            ("2026-03-04T10:00:00+00:00",),
            ("2026-03-01T10:00:00+00:00",),
        ]
        assert count(db, "SELECT count(*) FROM bodies") == 2  # day 3 (shared by day 4) and b
        assert db.get_article(A)["text"] == "Text of day 03."
        assert_consistent(db)


def test_nothing_to_remove_is_an_empty_plan(archive: ArchiveDB) -> None:
    plan = plan_before(archive, "2000-01-01T00:00:00+00:00")
    assert plan.empty
    assert execute(archive, plan) is plan


def test_a_purge_is_one_transaction(archive: ArchiveDB) -> None:
    plan, _ = plan_urls(archive, [A])
    # A capture the plan does not list still points at article A: the deferred key check
    # fails at commit and nothing at all is removed.
    plan.capture_ids = plan.capture_ids[1:]
    with pytest.raises(StorageError) as info:
        execute(archive, plan)
    assert "FOREIGN KEY" in str(info.value)
    assert count(archive, "SELECT count(*) FROM articles") == 3
    assert count(archive, "SELECT count(*) FROM article_versions") == 4
