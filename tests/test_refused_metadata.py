"""A page refused as "not an article" still says what it is: its title, date and the rest of
its metadata go with its capture (migration 0008), through a real `archive save` against a
loopback server and through a WARC export and import of that capture."""

import json
import sqlite3
from pathlib import Path

import pytest

from tests.httpserver import LoopbackServer, Route
from tests.test_cli_crawl import FAST, archive_cmd

pytestmark = pytest.mark.crawl

# A photo gallery: a headline, a date and three captioned pictures, but no running text.
GALLERY = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour festival in pictures | Bay Courier</title>
<meta property="og:site_name" content="Bay Courier">
<meta property="og:title" content="Harbour festival in pictures">
<meta property="article:published_time" content="2024-06-02T18:00:00+01:00">
<meta name="author" content="Dana Reyes">
</head><body><h1>Harbour festival in pictures</h1>
<figure><img src="/p/1.jpg" alt=""><figcaption>The parade.</figcaption></figure>
<figure><img src="/p/2.jpg" alt=""><figcaption>Fireworks.</figcaption></figure>
</body></html>"""

SELECT = "SELECT outcome, page_title, page_published_at, page_metadata FROM captures"


def captures(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(SELECT).fetchall()


def test_a_refused_page_keeps_its_title_and_date(tmp_path: Path) -> None:
    with LoopbackServer({"/gallery.html": Route(body=GALLERY.encode())}) as server:
        saved = archive_cmd("save", server.url("/gallery.html"), *FAST, cwd=tmp_path)
    assert saved.returncode == 1, saved.stderr  # nothing stored as an article
    assert "1 no article" in saved.stdout
    ((outcome, title, published_at, metadata),) = captures(tmp_path / "archive.db")
    assert outcome == "not-article"
    assert title == "Harbour festival in pictures"
    assert published_at == "2024-06-02T18:00:00+01:00"
    told = json.loads(metadata)
    assert told["site_name"] == "Bay Courier"
    assert told["authors"] == ["Dana Reyes"]
    assert told["published_from"] == "meta"


def test_warc_import_keeps_a_refused_page_metadata(tmp_path: Path) -> None:
    with LoopbackServer({"/gallery.html": Route(body=GALLERY.encode())}) as server:
        saved = archive_cmd("save", server.url("/gallery.html"), *FAST, cwd=tmp_path)
    assert saved.returncode == 1, saved.stderr
    warc = tmp_path / "out.warc.gz"
    exported = archive_cmd("export", "--format", "warc", str(warc), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    imported = archive_cmd("import-warc", str(warc), "--db", "copy.db", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert captures(tmp_path / "copy.db") == captures(tmp_path / "archive.db")


def test_other_captures_leave_the_columns_empty(tmp_path: Path) -> None:
    with LoopbackServer({}) as server:  # every path is a 404
        saved = archive_cmd("save", server.url("/missing.html"), *FAST, cwd=tmp_path)
    assert saved.returncode == 1
    ((outcome, title, published_at, metadata),) = captures(tmp_path / "archive.db")
    assert outcome == "http-error"
    assert (title, published_at, metadata) == (None, None, None)
