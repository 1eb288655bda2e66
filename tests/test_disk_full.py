"""A full disk: commands run under a file-size limit (``ulimit -f``, set in the child before it
becomes `archive`), so the archive file or its write-ahead log cannot grow past it. Each must
stop with one line naming the database and the problem, exit 1, and leave a sound file holding
everything stored before; run again with room, it completes, storing each page once."""

import contextlib
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from archive.store.db.archive_db import ArchiveDB
from tests.archive_builder import build_archive
from tests.crashkit import limited, problems
from tests.crawlsite import Page, SiteServer, archive_command, article, child_env, front, rows
from tests.redisserver import redis_server

pytestmark = [pytest.mark.crawl, pytest.mark.crash]

ARTICLES = 30
LIMIT = 400_000  # bytes: more than a new archive (about 180 KB), far less than 30 pages


@pytest.fixture(scope="module")
def site():
    with SiteServer() as server:
        paths = [f"/news/full-{n}.html" for n in range(ARTICLES)]
        server.routes["/"] = Page(front("Front", paths))
        server.routes["/news/"] = Page(front("News", []))
        for path in paths:
            server.routes[path] = Page(article(path[6:-5], f"Story {path} of the harbour"))
        yield server, [server.url(path) for path in paths]


def run(command: list[str], folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=folder, env=child_env(), capture_output=True, text=True, timeout=120
    )


def stopped_line(db: Path, again: str) -> re.Pattern[str]:
    """The one line a command stopped by the limit must print, the page count captured."""
    return re.compile(
        re.escape(f"archive: error: {db}: disk full: the file-size limit (ulimit -f) of ")
        + r"[\d,]+ bytes is reached, stopped(?: after (\d+) pages)?; "
        + re.escape(f"free space and {again}")
        + r"\n\Z"
    )


def assert_stored_once(db: Path, urls: list[str]) -> None:
    captured = Counter(url for (url,) in rows(db, "SELECT requested_url FROM captures"))
    assert {url: n for url, n in captured.items() if n != 1} == {}
    assert sorted(url for (url,) in rows(db, "SELECT url FROM articles")) == sorted(urls)


def test_a_crawl_stops_at_a_full_disk_in_one_line_and_resume_completes_it(site, tmp_path):
    _, urls = site
    server = site[0]
    db = tmp_path / "archive.db"
    args = ("crawl", "site", server.url("/"), "--depth", "1")
    first = run(limited(archive_command(*args, db=db), LIMIT), tmp_path)
    assert first.returncode == 1, first.stderr
    match = stopped_line(db, "run again with --resume").match(first.stderr)
    assert match is not None, first.stderr
    stored = int(match.group(1))
    assert problems(db) == []
    # Everything stored before the limit is there: as many captures as the line says.
    assert rows(db, "SELECT count(*) FROM captures") == [(stored,)]
    assert 0 < stored < ARTICLES
    resumed = run(archive_command(*args, "--resume", db=db), tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert problems(db) == []
    assert_stored_once(db, urls)


def test_save_stops_at_a_full_disk_in_one_line_and_a_rerun_completes(site, tmp_path):
    _, urls = site
    db = tmp_path / "archive.db"
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(urls) + "\n")
    command = archive_command("save", "-i", str(listing), db=db)
    first = run(limited(command, LIMIT), tmp_path)
    assert first.returncode == 1, first.stderr
    match = stopped_line(db, "run the command again").match(first.stderr)
    assert match is not None, first.stderr
    assert rows(db, "SELECT count(*) FROM captures") == [(int(match.group(1)),)]
    assert problems(db) == []
    again = run(command, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert problems(db) == []
    assert sorted(url for (url,) in rows(db, "SELECT url FROM articles")) == sorted(urls)


@pytest.fixture(scope="module")
def warc(tmp_path_factory) -> Path:
    """A WARC of the golden pages, exported from an archive built from them."""
    folder = tmp_path_factory.mktemp("warc")
    build_archive(folder / "golden.db")
    path = folder / "golden.warc.gz"
    command = [sys.executable, "-m", "archive", "export", "--format", "warc", str(path)]
    exported = run([*command, "--db", str(folder / "golden.db")], folder)
    assert exported.returncode == 0, exported.stderr
    return path


def test_import_warc_stops_at_a_full_disk_in_one_line_and_a_rerun_completes(warc, tmp_path):
    db = tmp_path / "archive.db"
    ArchiveDB(db).close()  # a new, empty archive: the limit leaves room for little more
    base = db.stat().st_size
    command = [sys.executable, "-m", "archive", "import-warc", str(warc), "--db", str(db)]
    # Little room: since versions stopped repeating the body (0011), the file's 9 pages need
    # only 24 to 32 KiB more (a margin of 48 KiB held them all).
    first = run(limited([*command, "--workers", "0"], base + 8 * 1024), tmp_path)
    assert first.returncode == 1, first.stderr
    match = stopped_line(db, "run the command again").search(first.stderr)
    assert match is not None and first.stderr.count("\n") == 1, first.stderr
    # The import commits in batches of hundreds: the one batch of this file was rolled back.
    assert rows(db, "SELECT count(*) FROM captures") == [(int(match.group(1)),)] == [(0,)]
    assert problems(db) == []
    again = run(command, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert problems(db) == []
    held = rows(db, "SELECT count(*) FROM captures")[0][0]
    assert held > 0 and f"{held} captures imported" in again.stdout


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory) -> Path:
    """The site crawled once, with room: bodies packed at the crawl's fast level and, with
    its dictionaries off, none trained yet, so compact has work to do."""
    server, _ = site
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    command = archive_command(
        "crawl", "site", server.url("/"), "--depth", "1", db=db, ARCHIVE_CRAWL_DICTIONARIES="False"
    )
    assert run(command, db.parent).returncode == 0
    return db


def older_parser(db: Path) -> None:
    """Every article made by an older parser, which got its titles wrong: a re-extraction
    then rewrites each one and adds a version."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("UPDATE articles SET extractor_version = '0.0-old', title = 'Wrong'")
        conn.commit()


@pytest.mark.parametrize(
    ("args", "prepare", "done", "room"),
    [
        (
            ("reextract",),
            older_parser,
            "SELECT count(*) FROM articles WHERE title = 'Wrong'",
            96 * 1024,
        ),
        # A compaction writes little here (32 small bodies): the log gets room for ten pages.
        (("compact", "-p", "0"), None, "SELECT count(*) FROM zstd_dictionaries", 40 * 1024),
    ],
    ids=["reextract", "compact"],
)
def test_maintenance_stops_at_a_full_disk_in_one_line_and_a_rerun_completes(
    crawled, tmp_path, args, prepare, done, room
):
    db = tmp_path / "archive.db"
    with (
        contextlib.closing(sqlite3.connect(crawled)) as source,
        contextlib.closing(sqlite3.connect(db)) as copy,
    ):
        source.backup(copy)
    if prepare is not None:
        prepare(db)
    before = rows(db, done)
    command = [sys.executable, "-m", "archive", *args, "--db", str(db)]
    # Room for the write-ahead log to hold a few pages, not a whole batch of the work.
    first = run(limited(command, room), tmp_path)
    assert first.returncode == 1, first.stdout + first.stderr
    assert stopped_line(db, "run the command again").search(first.stderr), first.stderr
    assert first.stderr.count("archive: error:") == 1, first.stderr
    assert problems(db) == []
    again = run(command, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert problems(db) == []
    assert rows(db, done) != before  # the work was done in the end


def test_ingest_stops_at_a_full_disk_keeping_every_message_and_a_rerun_completes(site, tmp_path):
    """A full disk is no message's fault: the batch is rolled back and left in Redis for the
    next writer, none is set aside in the failed list."""
    import redis

    server, urls = site
    folder = tmp_path / "redis"
    folder.mkdir()
    with redis_server(folder) as redis_url:
        worker = archive_command(
            "crawl", "site", server.url("/"), "--depth", "1", "--redis", redis_url,
            db=tmp_path / "worker.db", ARCHIVE_REDIS_IDLE_CLOSE="1",
        )  # fmt: skip
        assert run(worker, tmp_path).returncode == 0
        db = tmp_path / "archive.db"
        ingest = [sys.executable, "-m", "archive", "ingest", "--db", str(db), "--redis",
                  redis_url, "--batch", "4", "--lock-ttl", "0.5", "--idle-exit", "1"]  # fmt: skip
        first = run(limited(ingest, LIMIT), tmp_path)
        assert first.returncode == 1, first.stderr
        assert stopped_line(db, "run the command again").search(first.stderr), first.stderr
        assert first.stderr.count("archive: error:") == 1, first.stderr
        assert problems(db) == []
        client = redis.Redis.from_url(redis_url)
        try:
            assert client.llen("archive:items:failed") == 0
        finally:
            client.close()
        again = run(ingest, tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
    assert problems(db) == []
    assert_stored_once(db, urls)
