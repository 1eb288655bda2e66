"""``check_consistency`` and ``archive check``: a sound archive passes, and each kind of damage
a crash or a stray writer could leave is found and named. The damage is made by hand, with
foreign keys or triggers switched off, as a broken write path would."""

import contextlib
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.store.db.archive_db import ArchiveDB
from archive.store.db.consistency import check_consistency
from tests.archive_builder import build_archive


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sound") / "archive.db"
    build_archive(path)
    return path


def damaged(sound: Path, tmp_path: Path, *statements: str) -> Path:
    """A copy of the sound archive with ``statements`` run on it, no key or trigger in the way."""
    path = tmp_path / "damaged.db"
    with (
        contextlib.closing(sqlite3.connect(sound)) as source,
        contextlib.closing(sqlite3.connect(path)) as target,
    ):
        source.backup(target)
        target.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            target.execute(statement)
        target.commit()
    return path


def problems_of(path: Path) -> list[str]:
    with ArchiveDB(path, create=False) as archive:
        return check_consistency(archive.db)


def test_a_sound_archive_has_no_problem(sound):
    assert problems_of(sound) == []


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            ["UPDATE captures SET body_hash = 'f00d' WHERE id = 1"],
            "1 captures rows whose body_hash -> bodies names a missing row: 1",
        ),
        (
            ["DELETE FROM captures WHERE id = (SELECT capture_id FROM articles WHERE id = 2)"],
            "articles rows whose capture_id -> captures names a missing row: 2",
        ),
        (
            ["UPDATE article_version_rows SET article_id = 999 WHERE id = 1"],
            "article_version_rows rows whose article_id -> articles names a missing row: 1",
        ),
        (
            # Without the trigger that hands an article's body to its versions first.
            [
                "DROP TRIGGER articles_body_to_versions_ad",
                "DELETE FROM articles WHERE id = 3",
            ],
            "1 article versions whose body was left to an article that is not there: ",
        ),
        (
            ["DELETE FROM article_version_rows WHERE article_id = 3"],
            "1 articles without a version (every article has its version 1): 3",
        ),
        (
            ["UPDATE bodies SET compression = 'zstd-dict:77' WHERE rowid = 1"],
            "bodies packed with a zstd dictionary that is not there",
        ),
        (
            ["DROP TRIGGER articles_au", "UPDATE articles SET title = 'Unindexed' WHERE id = 1"],
            "articles_fts: the search index does not match the articles",
        ),
    ],
    ids=[
        "capture-body",
        "article-capture",
        "version-article",
        "version-body",
        "no-version",
        "dictionary",
        "fts",
    ],
)
def test_each_kind_of_damage_is_named(sound, tmp_path, statements, expected):
    problems = problems_of(damaged(sound, tmp_path, *statements))
    assert any(expected in problem for problem in problems), problems


def test_archive_check_says_ok_or_lists_the_problems(sound, tmp_path):
    runner = CliRunner()
    good = runner.invoke(cli, ["check", "--db", str(sound)])
    assert (good.exit_code, good.output) == (0, f"{sound}: ok\n")
    path = damaged(sound, tmp_path, "DELETE FROM article_version_rows WHERE article_id = 3")
    bad = runner.invoke(cli, ["check", "--db", str(path)])
    assert bad.exit_code == 1
    assert bad.output == (
        f"{path}: 1 articles without a version (every article has its version 1): 3\n"
    )
