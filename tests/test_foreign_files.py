"""Every command refuses a file that is not an archive: one line naming the file and the
problem, exit status 2, the file byte for byte as it was. Commands that only read refuse a
missing or empty file too, without creating one.

The commands are read from the click group, so a new command is covered (or this test asks
for its arguments) without anyone remembering to add it here.
"""

import hashlib
import sqlite3
from io import BytesIO
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.cli import cli

# Never fetched: every command must refuse the file before it touches the network.
URL = "http://127.0.0.1:9/news/story.html"
# Commands that never open an archive, and why.
WITHOUT_ARCHIVE = {
    ("extract",): "parses a file and prints the record; stores nothing",
    ("enqueue",): "talks to Redis only; the ingest command writes the archive",
    ("schedule",): "each job names its archive, opened as the job's command opens it",
}
# Commands that make an archive in a new or empty file.
CREATING = {
    ("save",),
    ("demo",),
    ("import-warc",),
    ("ingest",),
    ("crawl", "feed"),
    ("crawl", "sitemap"),
    ("crawl", "site"),
}


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += leaf_commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


def command_of(names: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in names:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


COMMANDS = leaf_commands(cli)
WITH_ARCHIVE = [
    names for names in COMMANDS if any(p.name == "db_path" for p in command_of(names).params)
]
READING = [names for names in WITH_ARCHIVE if names not in CREATING]


def warc_file(folder: Path) -> Path:
    """A WARC with one HTML response, for import-warc (a broken one is refused before the
    archive is opened, and this test is about the archive)."""
    path = folder / "in.warc.gz"
    body = b"<html><body><p>A page.</p></body></html>"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = [("Content-Type", "text/html; charset=utf-8")]
        writer.write_record(
            writer.create_warc_record(
                URL,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            )
        )
    return path


def arguments(names: tuple[str, ...], folder: Path) -> list[str]:
    """What each command needs besides --db to get as far as opening the archive."""
    needed: dict[tuple[str, ...], list[str]] = {
        ("save",): [URL],
        ("demo",): [],
        ("import-warc",): [str(warc_file(folder))] if names == ("import-warc",) else [],
        ("ingest",): ["--redis", "redis://127.0.0.1:9/0", "--idle-exit", "0"],
        ("crawl", "feed"): [URL],
        ("crawl", "sitemap"): [URL],
        ("crawl", "site"): [URL],
        ("list",): [],
        ("show",): [URL],
        ("search",): ["harbour"],
        ("export",): [str(folder / "out.jsonl")],
        ("serve",): ["--print-metadata"],
        ("history",): [URL],
        ("diff",): [URL],
        ("reextract",): [],
        ("purge",): ["--site", "127.0.0.1", "--yes"],
        ("compact",): [],
        ("check",): [],
        ("health",): [],
    }
    if names not in needed:
        pytest.fail(f"archive {' '.join(names)}: a new command; add its arguments here")
    return needed[names]


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def notes_database(path: Path) -> None:
    """A user's own SQLite file."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('buy milk')")
    conn.commit()
    conn.close()


FOREIGN = {
    "notes.db": (notes_database, "not an archive: no bodies or captures table (left untouched)"),
    "notes.txt": (
        lambda path: path.write_bytes(b"Remember: the archive is elsewhere.\n" * 50),
        "not an SQLite database (left untouched)",
    ),
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_commands_without_an_archive_are_known() -> None:
    assert {names for names in COMMANDS if names not in WITH_ARCHIVE} == set(WITHOUT_ARCHIVE)
    assert set(WITH_ARCHIVE) >= CREATING


@pytest.mark.parametrize("kind", sorted(FOREIGN))
@pytest.mark.parametrize("names", WITH_ARCHIVE, ids=" ".join)
def test_every_command_refuses_a_file_that_is_not_an_archive(
    names: tuple[str, ...], kind: str, tmp_path: Path
) -> None:
    make, reason = FOREIGN[kind]
    path = tmp_path / kind
    make(path)
    args = arguments(names, tmp_path)
    before = digest(path)
    present = sorted(p.name for p in tmp_path.iterdir())
    status, out, err = run([*names, *args, "--db", str(path)])
    assert (status, out, err) == (2, "", f"archive: error: {path}: {reason}\n")
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == present  # no -wal, -shm or export


def test_a_users_database_keeps_only_its_own_table(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    notes_database(path)
    status, _, _ = run(["list", "--db", str(path)])
    assert status == 2
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]
    assert conn.execute("SELECT text FROM notes").fetchall() == [("buy milk",)]
    conn.close()


@pytest.mark.parametrize("names", READING, ids=" ".join)
def test_a_reading_command_creates_no_archive(names: tuple[str, ...], tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    args = arguments(names, tmp_path)
    present = sorted(p.name for p in tmp_path.iterdir())
    status, out, err = run([*names, *args, "--db", str(missing)])
    assert (status, out) == (2, "")
    assert err.startswith(f"archive: error: {missing}: no archive here")
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == present

    empty = tmp_path / "empty.db"
    empty.touch()
    status, out, err = run([*names, *args, "--db", str(empty)])
    assert (status, out) == (2, "")
    assert err.startswith(f"archive: error: {empty}: an empty file, not an archive")
    assert empty.read_bytes() == b""
