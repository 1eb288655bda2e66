"""Credentials never land in the archive (issue 14, section 7): Authorization,
Proxy-Authorization, Cookie and Set-Cookie are stored and exported with their secrets
replaced, by a real crawl that really sent and received them, and by the WARC export of rows
stored before the rule existed."""

import contextlib
import gzip
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.redaction import REDACTED, redact_headers, redacted_value
from tests.crawlsite import child_env, rows, run_archive
from tests.httpserver import LoopbackServer, Route

ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("Authorization", "Basic dXNlcjpwYXNz", f"Basic {REDACTED}"),
        ("authorization", "opaque-token", REDACTED),
        ("Proxy-Authorization", "Bearer abc.def.ghi", f"Bearer {REDACTED}"),
        ("Cookie", "sid=abc123; lang=en", f"sid={REDACTED}; lang={REDACTED}"),
        ("COOKIE", "justavalue", REDACTED),
        ("Set-Cookie", "sid=abc123; Path=/; HttpOnly", f"sid={REDACTED}"),
        ("Set-Cookie2", "=x", REDACTED),
        ("Accept", "text/html", "text/html"),
        ("X-Not-Secret", "Bearer abc", "Bearer abc"),
        ("Authorization", "", ""),
    ],
)
def test_redacted_values(name: str, value: str, stored: str) -> None:
    assert redacted_value(name, value) == stored


def test_redact_headers_keeps_names_order_and_repeats() -> None:
    headers = [("Set-Cookie", "a=1"), ("Content-Type", "text/html"), ("Set-Cookie", "b=2")]
    assert redact_headers(headers) == [
        ("Set-Cookie", f"a={REDACTED}"),
        ("Content-Type", "text/html"),
        ("Set-Cookie", f"b={REDACTED}"),
    ]


def all_text(db: Path) -> str:
    """Every row of every table, as SQL text (the WAL included: read through SQLite)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return "\n".join(conn.iterdump())


@pytest.mark.crawl
def test_a_crawl_that_sent_credentials_stores_none(tmp_path: Path) -> None:
    routes = {
        # The login answer sets a session cookie; the redirected request sends it back.
        "/login": Route(
            status=302, headers=(("Location", "/story"), ("Set-Cookie", "sid=TOPSECRET1"))
        ),
        "/story": Route(body=ARTICLE, headers=(("Set-Cookie", "sid=TOPSECRET2; HttpOnly"),)),
    }
    db = tmp_path / "a.db"
    with LoopbackServer(routes) as server:
        headers = json.dumps({"Authorization": "Bearer TOPSECRET3"})
        run = run_archive("save", server.url("/login"), db=db, DEFAULT_REQUEST_HEADERS=headers)
        sent = server.fetched("/story")
    assert run.status == 0, run
    # The secrets really travelled: otherwise this test would prove nothing.
    assert sent and sent[-1].headers.get("Authorization") == "Bearer TOPSECRET3"
    assert sent[-1].headers.get("Cookie") == "sid=TOPSECRET1"
    assert "TOPSECRET" not in all_text(db)
    ((request_headers, response_headers),) = rows(
        db, "SELECT request_headers, response_headers FROM captures"
    )
    assert ["Authorization", f"Bearer {REDACTED}"] in json.loads(request_headers)
    assert ["Cookie", f"sid={REDACTED}"] in json.loads(request_headers)
    assert ["Set-Cookie", f"sid={REDACTED}"] in json.loads(response_headers)
    warc = tmp_path / "out.warc.gz"
    export = subprocess.run(
        [sys.executable, "-m", "archive", "export", "--db", str(db), "--format", "warc", str(warc)],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert export.returncode == 0, export.stderr
    exported = gzip.decompress(warc.read_bytes())
    assert b"TOPSECRET" not in exported
    assert f"Authorization: Bearer {REDACTED}".encode() in exported


def test_the_warc_export_redacts_rows_stored_before_the_rule(tmp_path: Path) -> None:
    from archive.store.db.archive_db import ArchiveDB
    from archive.store.exchange.warc import export_warc
    from tests.archive_builder import build_archive

    db_path = tmp_path / "old.db"
    build_archive(db_path)
    secret = [["Authorization", "Basic b2xkOnNlY3JldA=="], ["Cookie", "sid=OLDSECRET"]]
    with contextlib.closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute("UPDATE captures SET request_headers = ?", (json.dumps(secret),))
    out = tmp_path / "old.warc.gz"
    archive = ArchiveDB(str(db_path), create=False)
    try:
        with out.open("wb") as stream:
            assert export_warc(archive.db, stream) > 0
    finally:
        archive.close()
    exported = gzip.decompress(out.read_bytes())
    assert b"OLDSECRET" not in exported and b"b2xkOnNlY3JldA" not in exported
    assert f"Cookie: sid={REDACTED}".encode() in exported
