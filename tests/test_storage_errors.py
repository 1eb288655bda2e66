"""A bad database path raises StorageError with a clear reason, and loses nothing."""

import os
import sqlite3
from pathlib import Path

import pytest

from archive.errors import NotAnArchiveError, StorageError
from archive.store.db.archive_db import ArchiveDB


def test_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageError) as caught:
        ArchiveDB(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory, not a database file"


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "archive.db"
    with pytest.raises(StorageError, match=r"folder .*nowhere' does not exist"):
        ArchiveDB(path)
    assert not (tmp_path / "nowhere").exists()


def test_a_path_under_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(StorageError, match="does not exist"):
        ArchiveDB(tmp_path / "notes.txt" / "archive.db")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "content",
    [b"<html>not a database</html>" * 100, b"short", b"SQLite format 2\x00" + b"\x00" * 200],
)
def test_a_file_that_is_not_sqlite_is_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(content)
    with pytest.raises(StorageError) as caught:
        ArchiveDB(path)
    assert caught.value.reason == "not an SQLite database (left untouched)"
    assert caught.value.url == str(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_an_empty_file_becomes_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    path.touch()
    with ArchiveDB(path) as archive:
        assert "articles" in archive.db.table_names()


def test_create_false_refuses_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with pytest.raises(StorageError, match="no archive database at this path"):
        ArchiveDB(path, create=False)
    assert not path.exists()


def test_a_foreign_database_with_a_clashing_table_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (slug TEXT PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO articles VALUES ('a', 'precious')")
    conn.commit()
    conn.close()
    with pytest.raises(
        NotAnArchiveError, match="not an archive: no bodies or captures table"
    ) as caught:
        ArchiveDB(path)
    assert isinstance(caught.value, StorageError)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT * FROM articles").fetchall() == [("a", "precious")]
    # Refused before any migration ran: nothing of the archive's schema was added.
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names == {"articles"}
    conn.close()


def test_a_locked_database_is_a_storage_error_not_a_hang(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    ArchiveDB(path).close()
    archive = ArchiveDB(path)
    archive.db.execute("PRAGMA busy_timeout = 50")  # keep the test fast
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError, match="the database is busy"):
            archive.start_crawl("page", {})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert archive.start_crawl("page", {}) == 1  # works once the lock is gone
    archive.close()


def test_a_device_is_not_a_database_file() -> None:
    with pytest.raises(StorageError) as caught:
        ArchiveDB(os.devnull)
    assert str(caught.value) == f"{os.devnull}: not a regular file"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_place_nobody_can_write() -> None:
    # /proc refuses new files even to root, unlike a chmod-ed folder.
    with pytest.raises(StorageError) as caught:
        ArchiveDB("/proc/archive.db")
    assert caught.value.reason in {
        "cannot open or create the database file here",
        "cannot create a file in folder '/proc'",
    }


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError, match="cannot create a file in folder"):
            ArchiveDB(folder / "archive.db")
    finally:
        folder.chmod(0o700)
