"""Several writers on one file: two `archive save`, a `crawl site`, a `reextract` and a
`compact`, started at once as real processes on one archive, must all finish (exit 0), none
saying "database is locked", with every page stored once and the file sound; meanwhile a
reader is never kept waiting (it reads with no busy timeout at all)."""

import contextlib
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.crashkit import count, problems
from tests.crawlsite import Page, SiteServer, archive_command, article, child_env, front, rows

pytestmark = [pytest.mark.crawl, pytest.mark.crash]

PER_WRITER = 16


def stories(server: SiteServer, prefix: str, count: int) -> list[str]:
    """``count`` distinct articles under ``/prefix/``; returns their URLs."""
    paths = [f"/{prefix}/story-{n}.html" for n in range(count)]
    for n, path in enumerate(paths):
        title = f"Story {n} of the {prefix} desk"
        server.routes[path] = Page(article(f"{prefix}-{n}", title), delay=0.05)
    return [server.url(path) for path in paths]


def launch(command: list[str], folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=folder, env=child_env(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def wait_until(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Reader(threading.Thread):
    """Reads the archive over and over, as Datasette does, with no busy timeout: any wait
    for a writer would be an error here."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db = db
        self.stop = threading.Event()
        self.reads = 0
        self.errors: list[str] = []

    def run(self) -> None:
        uri = f"{self.db.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=0)) as conn:
            while not self.stop.is_set():
                try:
                    conn.execute(
                        "SELECT count(*), max(title) FROM articles"
                        " JOIN captures ON captures.id = articles.capture_id"
                    ).fetchall()
                    self.reads += 1
                except sqlite3.Error as error:
                    self.errors.append(str(error))
                time.sleep(0.005)


def test_two_saves_a_crawl_a_reextract_and_a_compact_at_once_all_finish(tmp_path):
    db = tmp_path / "archive.db"
    with SiteServer() as server, SiteServer() as other:
        # An archive with something to re-extract and compact: a first crawl, which an older
        # parser (so say its rows) made.
        older = stories(other, "older", PER_WRITER)
        other.routes["/"] = Page(front("Front", [u.removeprefix(other.base) for u in older]))
        other.routes["/news/"] = Page(front("News", []))
        seeded = subprocess.run(
            archive_command("crawl", "site", other.url("/"), "--depth", "1", db=db),
            cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("UPDATE articles SET extractor_version = '0.0-old'")
            conn.commit()
        first, second = stories(server, "first", PER_WRITER), stories(server, "second", PER_WRITER)
        crawled = stories(other, "crawled", PER_WRITER)
        other.routes["/"] = Page(front("Front", [u.removeprefix(other.base) for u in crawled]))
        lists = []
        for name, urls in (("first", first), ("second", second)):
            listing = tmp_path / f"{name}.txt"
            listing.write_text("\n".join(urls) + "\n")
            lists.append(listing)
        plain = [sys.executable, "-m", "archive"]
        commands = {
            "save-1": archive_command("save", "-i", str(lists[0]), db=db),
            "save-2": archive_command("save", "-i", str(lists[1]), db=db),
            "crawl": archive_command(
                "crawl", "site", other.url("/"), "--depth", "1", "--refresh", db=db
            ),
            "reextract": [*plain, "reextract", "--all", "--db", str(db)],
            "compact": [*plain, "compact", "--processes", "1", "--db", str(db)],
        }
        reader = Reader(db)
        reader.start()
        # The fetching writers first; the two that work on what is stored join once the
        # others are writing, so that all five hold the file at the same time.
        seeded_captures = count(db, "SELECT count(*) FROM captures")
        processes = {
            name: launch(commands[name], tmp_path) for name in ("save-1", "save-2", "crawl")
        }
        wait_until(lambda: count(db, "SELECT count(*) FROM captures") > seeded_captures + 2)
        for name in ("reextract", "compact"):
            processes[name] = launch(commands[name], tmp_path)
        results = {name: process.communicate(timeout=180) for name, process in processes.items()}
        reader.stop.set()
        reader.join(timeout=10)
    statuses = {name: process.returncode for name, process in processes.items()}
    outputs = "\n".join(
        f"--- {n}\n{out[-2000:]}\n{err[-2000:]}" for n, (out, err) in results.items()
    )
    assert statuses == dict.fromkeys(commands, 0), outputs
    assert "locked" not in outputs and "busy" not in outputs, outputs
    assert reader.errors == [] and reader.reads > 50, (reader.reads, reader.errors[:3])
    assert problems(db) == []
    # Every page of every writer once (the crawl's own pages: once in its run).
    saved = Counter(url for (url,) in rows(db, "SELECT requested_url FROM captures"))
    assert {url: saved[url] for url in first + second if saved[url] != 1} == {}
    last_crawl = rows(db, "SELECT max(id) FROM crawls WHERE spider = 'site'")[0][0]
    in_crawl = Counter(
        url
        for (url,) in rows(db, "SELECT requested_url FROM captures WHERE crawl_id = ?", last_crawl)
    )
    assert {url: in_crawl[url] for url in crawled if in_crawl[url] != 1} == {}
    titles = sorted(title for (title,) in rows(db, "SELECT title FROM articles"))
    desks = ("older", "first", "second", "crawled")
    assert titles == sorted(f"Story {n} of the {d} desk" for d in desks for n in range(PER_WRITER))
    # The re-extraction did its work beside the others: no article is left to the old parser.
    assert rows(db, "SELECT count(*) FROM articles WHERE extractor_version = '0.0-old'") == [(0,)]


def test_three_writers_creating_one_new_file_at_once_all_finish(tmp_path):
    """Two saves and a crawl started together on a file that does not exist yet: one
    creates the schema, the others wait for it (no "database is locked" while the file is
    switched to WAL or migrated)."""
    db = tmp_path / "new.db"
    with SiteServer() as server:
        first, second = stories(server, "first", 6), stories(server, "second", 6)
        crawled = stories(server, "crawled", 6)
        server.routes["/"] = Page(front("Front", [u.removeprefix(server.base) for u in crawled]))
        server.routes["/news/"] = Page(front("News", []))
        commands = [archive_command("save", *first, db=db), archive_command("save", *second, db=db)]
        commands.append(archive_command("crawl", "site", server.url("/"), "--depth", "1", db=db))
        processes = [launch(command, tmp_path) for command in commands]
        results = [process.communicate(timeout=120) for process in processes]
    outputs = "\n".join(f"{out[-1500:]}\n{err[-1500:]}" for out, err in results)
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    assert problems(db) == []
    captured = Counter(url for (url,) in rows(db, "SELECT requested_url FROM captures"))
    assert {url: captured[url] for url in first + second + crawled if captured[url] != 1} == {}
    assert rows(db, "SELECT count(*) FROM articles") == [(18,)]
