"""A full disk: commands run under a file-size limit (``ulimit -f``, set in the child before it
becomes `archive`), so the archive file or its write-ahead log cannot grow past it. Each must
stop with one line naming the database and the problem, exit 1, and leave a sound file holding
everything stored before; run again with room, it completes, storing each page once."""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from archive.store.db.archive_db import ArchiveDB
from tests.archive_builder import build_archive
from tests.crashkit import limited, problems
from tests.crawlsite import Page, SiteServer, archive_command, article, child_env, front, rows

pytestmark = [pytest.mark.crawl, pytest.mark.crash]

ARTICLES = 30
LIMIT = 400_000  # bytes: more than a new archive (about 180 KB), far less than 30 pages


@pytest.fixture(scope="module")
def site():
    with SiteServer() as server:
        paths = [f"/news/full-{n}.html" for n in range(ARTICLES)]
        server.pages["/"] = Page(front("Front", paths))
        server.pages["/news/"] = Page(front("News", []))
        for path in paths:
            server.pages[path] = Page(article(path[6:-5], f"Story {path} of the harbour"))
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
    first = run(limited([*command, "--workers", "0"], base + 48 * 1024), tmp_path)
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
