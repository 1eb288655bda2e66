"""Crash consistency of migration 0011 (versions stop repeating their article's body): an
archive is opened, and so migrated, by `archive check` processes killed with SIGKILL while the
migration writes (once its write-ahead log has grown by a random, seeded number of bytes);
after every kill the file is sound, reads every version exactly as before, and is either still
the old schema or wholly the new one. A last run completes it."""

import contextlib
import hashlib
import random
import shutil
import sqlite3
import sys
from functools import partial
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.crashkit import kill_at, problems, start

pytestmark = pytest.mark.crash

SEED = 11
ARTICLES = 1500
KILLS = 4
PARAGRAPH = "The harbour bridge vote, paragraph {n}, as the council heard it. " * 6


def old_archive(path: Path) -> None:
    """An archive as the schema before 0011 holds it: articles with two versions each, the
    second the article's current record; enough bytes that moving them takes a while."""
    from archive.store.db.migrations import MIGRATIONS

    db = Database(sqlite3.connect(path))
    MIGRATIONS.apply(db, stop_before="0011_versions_share_current_body")
    day = "2026-03-01T09:00:00+00:00"
    bodies = {n: "\n\n".join(PARAGRAPH.format(n=n + k) for k in range(20)) for n in range(50)}
    db["articles"].insert_all(
        {"id": n, "url": f"https://example.org/{n}", "text": bodies[n % 50] + str(n),
         "markdown": "*" + bodies[n % 50], "first_seen_at": day, "last_seen_at": day}
        for n in range(1, ARTICLES + 1)
    )  # fmt: skip
    db["article_versions"].insert_all(
        {"article_id": n, "version": version, "cause": "page", "created_at": day,
         "text": bodies[(n + 2 - version) % 50] + str(n), "markdown": "*" + bodies[n % 50]}
        for n in range(1, ARTICLES + 1) for version in (1, 2)
    )  # fmt: skip
    db.conn.commit()
    db.close()


def log_bytes(wal: Path) -> int:
    """How far the migration has written: the write-ahead log's size."""
    return wal.stat().st_size if wal.exists() else 0


def digest(path: Path) -> tuple[str, str]:
    """A hash of every version as readers see it, and whether the file holds 0011 yet."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        kind = conn.execute(
            "SELECT type FROM sqlite_master WHERE name = 'article_versions'"
        ).fetchone()[0]
        sha = hashlib.sha256()
        for row in conn.execute("SELECT * FROM article_versions ORDER BY id"):
            sha.update(repr(row).encode())
        return sha.hexdigest(), kind


def test_a_killed_migration_leaves_the_archive_old_or_new_and_whole(tmp_path: Path) -> None:
    pristine = tmp_path / "old.db"
    old_archive(pristine)
    expected, kind = digest(pristine)
    assert kind == "table"
    rng = random.Random(SEED)
    kinds = []
    for number in range(KILLS):
        db = tmp_path / f"copy-{number}.db"
        shutil.copy(pristine, db)
        command = [sys.executable, "-m", "archive", "check", "--db", str(db)]
        process = start(command, tmp_path, f"check-{number}.log")
        wal = db.with_name(db.name + "-wal")
        kill_at(process, rng, partial(log_bytes, wal), rng.randint(1, 16) * 1024 * 1024, 60)
        assert problems(db) == []
        seen, kind = digest(db)
        assert seen == expected
        kinds.append(kind)
    finished = start(
        [sys.executable, "-m", "archive", "check", "--db", str(db)], tmp_path, "last.log"
    )
    assert finished.wait(timeout=120) == 0, (tmp_path / "last.log").read_text()
    assert digest(db) == (expected, "view")
    assert "table" in kinds  # a kill landed inside the migration, which was rolled back
    assert problems(db) == []
