"""Crash consistency: `archive crawl`, `save`, `import-warc`, `reextract`, `compact` and `ingest`
are killed with SIGKILL (the whole process group, workers included) at random moments, seeded,
dozens of times in all, and after every kill the file must be sound: ``PRAGMA
integrity_check``, FTS5's check against the articles, and no row pointing at a missing row
(``archive.store.db.consistency``). The crawl is then resumed with ``--resume`` and every page
must be stored exactly once; the other commands, run again, complete.

Kills land at random points: some while the command starts (schema creation on a new file),
most once a random number of further rows has been written (plus a few random milliseconds,
so the kill falls anywhere in the next write). About a minute in all on two quiet cores.
"""

import contextlib
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crashkit import count, kill_at, problems, start
from tests.crawlsite import Page, SiteServer, archive_command, article, front, rows, run_archive
from tests.redisserver import redis_server

pytestmark = [pytest.mark.crawl, pytest.mark.crash]

SEED = 14
ARTICLES = 36


@dataclass
class Tally:
    """How many kills landed while the command ran, and how many runs ended on their own."""

    killed: int = 0
    finished: int = 0


def story_site(server: SiteServer, articles: int = ARTICLES) -> list[str]:
    """A front linking ``articles`` stories, each served after a short wait."""
    paths = [f"/news/kill-{n}.html" for n in range(articles)]
    server.routes["/"] = Page(front("Front", paths))
    server.routes["/news/"] = Page(front("News", []))  # the fronts link it
    for path in paths:
        server.routes[path] = Page(article(path[6:-5], f"Story {path} of the harbour"), delay=0.1)
    return paths


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[SiteServer, list[str]]]:
    with SiteServer() as server:
        # A killed crawler resets its connections: expected here, not worth a traceback each.
        server._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        yield server, story_site(server)


# Four pages at a time: a crawl then lasts a few seconds, long enough to be killed mid-way.
SLOWER = {"CONCURRENT_REQUESTS_PER_DOMAIN": "4"}


def kill_repeatedly(
    name: str,
    command: Callable[[int], list[str]],
    db: Path,
    progress_sql: str,
    kills: int,
    latest: float,
    step: int = 6,
) -> Tally:
    """Start ``command(run)`` ``kills`` times and kill it each time: about one run in five
    at a random moment of its start, the others once ``progress_sql`` has grown by a random
    1..``step`` rows. The file must be sound after each kill."""
    rng = random.Random(f"{SEED}-{name}")
    tally = Tally()
    for run in range(kills):
        before = count(db, progress_sql)
        target = None if rng.random() < 0.2 else before + rng.randint(1, step)
        process = start(command(run), db.parent, f"{name}-{run}.log")
        if kill_at(process, rng, lambda: count(db, progress_sql), target, latest):
            tally.killed += 1
        else:
            tally.finished += 1
        found = problems(db)
        assert found == [], (name, run, target, found)
    return tally


def assert_stored_once(db: Path, urls: list[str], fresh_starts: int = 1) -> None:
    """Each article page captured once; the other pages (the section fronts a site crawl
    starts from) once per fresh start: a ``--resume`` after a run that finished has nothing
    to resume, so it crawls afresh, and fronts are fetched again where articles are not."""
    captured = Counter(url for (url,) in rows(db, "SELECT requested_url FROM captures"))
    assert {url: n for url, n in captured.items() if url in urls and n != 1} == {}
    assert {url: n for url, n in captured.items() if n > fresh_starts} == {}
    assert set(captured) >= set(urls)
    assert sorted(url for (url,) in rows(db, "SELECT url FROM articles")) == sorted(urls)


def test_killed_crawl_leaves_a_sound_file_and_resume_stores_each_page_once(site, tmp_path):
    server, paths = site
    db = tmp_path / "archive.db"
    args = ("crawl", "site", server.url("/"), "--depth", "1")

    def command(run: int) -> list[str]:
        return archive_command(*args, *(["--resume"] if run else []), db=db, **SLOWER)

    tally = kill_repeatedly("crawl", command, db, "SELECT count(*) FROM captures", 9, 6)
    assert tally.killed >= 6, tally
    resumed = run_archive(*args, "--resume", db=db, **SLOWER)
    assert resumed.status == 0, resumed
    assert problems(db) == []
    # A run the kill missed finished the crawl: the run after it started afresh.
    assert_stored_once(db, [server.url(p) for p in paths], fresh_starts=1 + tally.finished)


def test_killed_save_leaves_a_sound_file(site, tmp_path):
    server, paths = site
    db = tmp_path / "archive.db"
    urls = tmp_path / "urls.txt"
    urls.write_text("\n".join(server.url(p) for p in paths) + "\n")
    command = archive_command("save", "-i", str(urls), db=db, **SLOWER)
    tally = kill_repeatedly("save", lambda _: command, db, "SELECT count(*) FROM captures", 5, 6)
    assert tally.killed >= 3, tally
    again = run_archive("save", "-i", str(urls), db=db)
    assert again.status == 0, again
    assert problems(db) == []
    assert rows(db, "SELECT count(*) FROM articles") == [(len(paths),)]


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory) -> Path:
    """An archive of the site, crawled once to its end."""
    server, _ = site
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    run = run_archive("crawl", "site", server.url("/"), "--depth", "1", db=db)
    assert run.status == 0, run
    return db


def copy_of(db: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(db)) as source,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)


def plain(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "archive", *args, "--db", str(db)]


def kill_on_new_copies(
    folder: Path,
    name: str,
    make: Callable[[Path], None],
    command: Callable[[Path], list[str]],
    kills: int,
) -> Path:
    """For commands that commit their work in a few large batches (import-warc, reextract,
    compact: hundreds of rows each): one uninterrupted run on a file ``make`` built shows how
    long a run takes; then each of ``kills`` runs, each on a new such file, is killed at a
    random moment of that span (start-up, reads, a batch, its commit). Each file must be
    sound; returns the last one."""
    whole = folder / "whole.db"
    make(whole)
    began = time.monotonic()
    done = subprocess.run(command(whole), cwd=folder, capture_output=True, text=True)
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    rng = random.Random(f"{SEED}-{name}")
    killed = 0
    for run in range(kills):
        db = folder / f"{name}-{run}.db"
        make(db)
        process = start(command(db), folder, f"{name}-{run}.log")
        killed += kill_at(process, rng, lambda: 0, None, took, startup=took)
        assert problems(db) == [], (name, run)
    assert killed >= kills // 2, (name, killed, took)
    done = subprocess.run(command(db), cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert problems(db) == []
    return db


def test_killed_import_warc_leaves_a_sound_file_and_a_rerun_adds_each_page_once(
    site, crawled, tmp_path
):
    server, paths = site
    warc = tmp_path / "site.warc.gz"
    exported = subprocess.run(
        plain(crawled, "export", "--format", "warc", str(warc)), capture_output=True, text=True
    )
    assert exported.returncode == 0, exported.stderr
    # In-process extraction: the same writes, without a pool's start-up in every run.
    db = kill_on_new_copies(
        tmp_path, "import-warc", lambda db: None, lambda db: plain(db, "import-warc", str(warc),
        "--workers", "0"), 6
    )  # fmt: skip
    assert_stored_once(db, [server.url(p) for p in paths])


def old_parser_copy(crawled: Path) -> Callable[[Path], None]:
    """Copies of ``crawled`` whose articles an older parser made, so all are re-extracted."""

    def make(target: Path) -> None:
        copy_of(crawled, target)
        with contextlib.closing(sqlite3.connect(target)) as conn:
            conn.execute("UPDATE articles SET extractor_version = '0.0-old'")
            conn.commit()

    return make


def test_killed_reextract_leaves_a_sound_file(crawled, tmp_path):
    before = rows(crawled, "SELECT url, title, text FROM articles ORDER BY url")
    db = kill_on_new_copies(
        tmp_path, "reextract", old_parser_copy(crawled), lambda db: plain(db, "reextract"), 5
    )
    assert rows(db, "SELECT url, title, text FROM articles ORDER BY url") == before


def test_killed_compact_leaves_a_sound_file(crawled, tmp_path):
    before = rows(crawled, "SELECT count(*), sum(size) FROM bodies")
    command = lambda db: plain(db, "compact", "--processes", "0")  # noqa: E731
    db = kill_on_new_copies(tmp_path, "compact", lambda db: copy_of(crawled, db), command, 5)
    assert rows(db, "SELECT count(*), sum(size) FROM bodies") == before
    assert rows(db, "SELECT count(*) FROM bodies WHERE compression LIKE 'zstd-dict:%'") != [(0,)]


def test_killed_ingest_leaves_a_sound_file_and_stores_each_page_once(site, tmp_path):
    server, paths = site
    folder = tmp_path / "redis"
    folder.mkdir()
    with redis_server(folder) as redis_url:
        worker = archive_command(
            "crawl", "site", server.url("/"), "--depth", "1", "--redis", redis_url,
            db=tmp_path / "worker.db", ARCHIVE_REDIS_IDLE_CLOSE="1",
        )  # fmt: skip
        crawled = subprocess.run(worker, capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert crawled.returncode == 0, crawled.stderr
        db = tmp_path / "archive.db"
        ingest = plain(db, "ingest", "--redis", redis_url, "--batch", "3", "--lock-ttl", "0.5")
        tally = kill_repeatedly(
            "ingest", lambda _: ingest, db, "SELECT count(*) FROM captures", 5, 3, step=4
        )
        assert tally.killed >= 3, tally
        done = subprocess.run(
            [*ingest, "--idle-exit", "1"], capture_output=True, text=True, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
    assert problems(db) == []
    assert_stored_once(db, [server.url(p) for p in paths])
