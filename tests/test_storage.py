"""ArchiveDB, write side: schema, exact rows on a fresh file, dedup, upserts, migrations."""

import hashlib
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.errors import StorageError
from archive.records import Outcome
from archive.store.bodies.compress import decompress
from archive.store.db.archive_db import ArchiveDB, StoreResult
from archive.store.db.migrations import MIGRATIONS
from archive.store.db.timestamps import normalize_timestamp, utc_now
from tests.storage_helpers import BODY, capture, failure, record

KEY = "https://www.news.example.org/2026/03/bridge-vote"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def rows(archive: ArchiveDB, table: str) -> list[dict]:
    return list(archive.db.query(f"SELECT * FROM {table} ORDER BY rowid"))


def test_fresh_database_has_the_tables_views_and_search_index(archive: ArchiveDB) -> None:
    db = archive.db
    tables = set(db.table_names())
    assert {"crawls", "captures", "bodies", "articles", "articles_fts"} <= tables
    assert {"latest_articles", "failures_by_site", "crawl_summaries"} <= set(db.view_names())
    assert db["articles"].detect_fts() == "articles_fts"
    triggers = {t.name for t in db.triggers}
    assert {"articles_ai", "articles_ad", "articles_au"} <= triggers
    assert db["articles"].pks == ["id"]
    assert db["bodies"].pks == ["hash"]
    assert db["captures"].pks == ["id"]
    assert db["crawls"].pks == ["id"]


def test_foreign_keys_and_indexes_are_declared(archive: ArchiveDB) -> None:
    db = archive.db
    fks = {(fk.column, fk.other_table, fk.other_column) for fk in db["captures"].foreign_keys}
    assert fks == {
        ("crawl_id", "crawls", "id"),
        ("body_hash", "bodies", "hash"),
        ("article_id", "articles", "id"),
    }
    assert [(fk.column, fk.other_table) for fk in db["articles"].foreign_keys] == [
        ("capture_id", "captures")
    ]
    # An index serves lookups by its leading column (final_url leads a two-column one).
    indexed = {index.columns[0] for index in db["captures"].indexes}
    for column in ("requested_url", "final_url", "outcome", "fetched_at"):
        assert column in indexed
    unique = {tuple(i.columns) for i in db["articles"].indexes if i.unique}
    assert ("url",) in unique


def test_connection_settings(archive: ArchiveDB, tmp_path: Path) -> None:
    def pragma(name: str) -> object:
        return archive.db.execute(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 1  # NORMAL
    assert pragma("busy_timeout") == 10_000
    assert pragma("foreign_keys") == 1
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    other = sqlite3.connect(tmp_path / "archive.db")
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()


DIGEST = hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def stored(archive: ArchiveDB) -> ArchiveDB:
    """A fresh archive holding one crawl and one article capture."""
    crawl_id = archive.start_crawl("page", {"url": "https://news.example.org/x"})
    assert crawl_id == 1
    result = archive.store(capture(), record(), crawl_id=crawl_id, extractor_version="7")
    assert result == StoreResult(
        capture_id=1, article_id=1, article_url=KEY, outcome="article", reason=None
    )
    return archive


def test_store_an_article_gives_the_exact_capture_row(stored: ArchiveDB) -> None:
    assert rows(stored, "captures") == [
        {
            "id": 1,
            "crawl_id": 1,
            "requested_url": "https://News.Example.org/2026/03/bridge-vote?utm_source=newsletter",
            "final_url": "https://news.example.org/2026/03/bridge-vote?utm_source=newsletter",
            "site": "news.example.org",
            "request_headers": '[["User-Agent", "article-archiver/0.1"], ["Accept", "text/html"]]',
            "status": 200,
            "response_headers": '[["Content-Type", "text/html; charset=utf-8"], '
            '["Set-Cookie", "a=[redacted]"], ["Set-Cookie", "b=[redacted]"]]',
            "content_type": "text/html; charset=utf-8",
            "body_hash": DIGEST,
            "fetched_at": "2026-03-01T10:00:00+00:00",
            "outcome": "article",
            "error": None,
            "article_id": 1,
            "reextracted_version": None,
            "reextracted_at": None,
            # A refused page's own metadata (migration 0008): empty for an article's capture.
            "page_title": None,
            "page_published_at": None,
            "page_metadata": None,
        }
    ]


def test_store_an_article_gives_the_exact_body_row(stored: ArchiveDB) -> None:
    [body] = rows(stored, "bodies")
    assert (body["hash"], body["size"], body["compression"]) == (DIGEST, len(BODY), "zstd")
    assert decompress(body["data"], "zstd") == BODY
    assert stored.body(DIGEST) == BODY


def test_store_an_article_gives_the_exact_article_row(stored: ArchiveDB) -> None:
    assert rows(stored, "articles") == [
        {
            "id": 1,
            "url": KEY,
            "canonical_url": "https://www.news.example.org/2026/03/bridge-vote",
            "title": "Council approves the harbour bridge",
            "authors": '["Ann Example", "Bo Exämple"]',
            "published_at": "2026-02-28T18:30:00+01:00",
            "modified_at": "2026-03-01",
            "site_name": "Example News",
            "site": "www.news.example.org",
            "language": "en",
            "description": "The vote was close.",
            "image": "https://news.example.org/img/bridge.jpg",
            "tags": '["politics", "harbour"]',
            "images": '[{"src": "https://news.example.org/img/bridge.jpg", '
            '"caption": "The bridge. AP"}]',
            "text": "The council voted seven to six.\n\nWork starts in May.",
            "word_count": 11,
            "removed": '[{"kind": "ad label", "sample": "Advertisement - Continue"}]',
            "rules": '["example-news"]',
            "published_from": "json-ld",
            "modified_from": None,
            "authors_from": "byline",
            "extractor_version": "7",
            "capture_id": 1,
            "first_seen_at": "2026-03-01T10:00:00+00:00",
            "last_seen_at": "2026-03-01T10:00:00+00:00",
            "gone_at": None,
            "gone_reason": None,
            "markdown": "The council voted *seven* to six.\n\nWork starts in May.",
        }
    ]


def test_extractor_version_defaults_to_the_parsers(archive: ArchiveDB) -> None:
    from archive.extract import EXTRACTOR_VERSION

    archive.store(capture(), record())
    assert rows(archive, "articles")[0]["extractor_version"] == EXTRACTOR_VERSION


def test_store_a_failure_keeps_the_capture_and_no_article(archive: ArchiveDB) -> None:
    result = archive.store(failure())
    assert result == StoreResult(
        capture_id=1,
        article_id=None,
        article_url=None,
        outcome="http-error",
        reason="HTTP 404 Not Found",
    )
    [row] = rows(archive, "captures")
    assert (row["status"], row["outcome"], row["error"]) == (
        404,
        "http-error",
        "HTTP 404 Not Found",
    )
    assert row["article_id"] is None and row["crawl_id"] is None
    assert rows(archive, "articles") == []


def test_a_fetch_error_without_body_stores_no_body(archive: ArchiveDB) -> None:
    archive.store(
        failure(
            outcome=Outcome.FETCH_ERROR,
            status=None,
            body=None,
            final_url=None,
            error="connection refused",
        )
    )
    [row] = rows(archive, "captures")
    assert row["body_hash"] is None and row["final_url"] is None and row["status"] is None
    assert row["site"] == "news.example.org"
    assert rows(archive, "bodies") == []


def test_bodies_are_stored_once_per_hash(archive: ArchiveDB) -> None:
    archive.store(failure(requested_url="https://a.example/1"))
    archive.store(failure(requested_url="https://a.example/2"))
    archive.store(failure(requested_url="https://a.example/3", body=b"other body"))
    hashes = [row["body_hash"] for row in rows(archive, "captures")]
    same = hashlib.sha256(b"<html>not found</html>").hexdigest()
    assert hashes == [same, same, hashlib.sha256(b"other body").hexdigest()]
    assert len(rows(archive, "bodies")) == 2
    assert archive.body(same) == b"<html>not found</html>"
    assert archive.body(hashes[2]) == b"other body"


def test_a_body_packed_with_a_dictionary_the_archive_lost_is_stored_readable(
    archive: ArchiveDB,
) -> None:
    # A crawl packed it with dictionary 99, which a purge dropped before the page was stored.
    packed = {"hash": DIGEST, "size": len(BODY), "compression": "zstd-dict:99", "data": b"?"}
    archive.store(capture(), record(), packed_body=packed)
    (row,) = rows(archive, "bodies")
    assert row["compression"] == "zstd"
    assert archive.body(DIGEST) == BODY


def test_an_empty_body_is_kept(archive: ArchiveDB) -> None:
    archive.store(failure(body=b""))
    assert archive.body(hashlib.sha256(b"").hexdigest()) == b""


def test_reading_an_unknown_body_is_a_storage_error(archive: ArchiveDB) -> None:
    with pytest.raises(StorageError, match="no body with this hash"):
        archive.body("0" * 64)


def test_repeated_and_byte_headers_survive_in_order(archive: ArchiveDB) -> None:
    # Link, not Set-Cookie: cookie values are redacted (tests/test_redaction.py).
    headers = [(b"Link", b"</a>; rel=x"), ("Vary", "Accept"), (b"Link", b"</caf\xe9>")]
    archive.store(failure(response_headers=headers))
    stored = json.loads(rows(archive, "captures")[0]["response_headers"])
    assert stored == [["Link", "</a>; rel=x"], ["Vary", "Accept"], ["Link", "</café>"]]


def test_a_recapture_updates_the_article_and_keeps_first_seen(archive: ArchiveDB) -> None:
    archive.store(capture(), record())
    later = capture(
        requested_url="https://news.example.org/2026/03/bridge-vote#comments",
        final_url="https://news.example.org/2026/03/bridge-vote",
        fetched_at="2026-03-02T08:00:00+00:00",
    )
    result = archive.store(later, record(title="Council approves bridge, 7-6"))
    assert (result.capture_id, result.article_id, result.article_url) == (2, 1, KEY)
    [article] = rows(archive, "articles")
    assert article["title"] == "Council approves bridge, 7-6"
    assert article["first_seen_at"] == "2026-03-01T10:00:00+00:00"
    assert article["last_seen_at"] == "2026-03-02T08:00:00+00:00"
    assert article["capture_id"] == 2
    assert [row["article_id"] for row in rows(archive, "captures")] == [1, 1]


def test_an_older_capture_stored_late_does_not_replace_the_record(archive: ArchiveDB) -> None:
    archive.store(capture(fetched_at="2026-03-05T00:00:00+00:00"), record(title="New"))
    archive.store(capture(fetched_at="2026-03-01T00:00:00+00:00"), record(title="Old"))
    [article] = rows(archive, "articles")
    assert article["title"] == "New"
    assert article["capture_id"] == 1
    assert article["first_seen_at"] == "2026-03-01T00:00:00+00:00"
    assert article["last_seen_at"] == "2026-03-05T00:00:00+00:00"


def test_a_canonical_on_another_site_is_not_the_key(archive: ArchiveDB) -> None:
    result = archive.store(
        capture(final_url="https://aggregator.example.com/s/1?fbclid=x"),
        record(canonical_url="https://news.example.org/original"),
    )
    assert result.article_url == "https://aggregator.example.com/s/1"
    assert rows(archive, "articles")[0]["site"] == "aggregator.example.com"


def test_record_and_outcome_must_agree(archive: ArchiveDB) -> None:
    with pytest.raises(ValueError, match="outcome 'http-error' with record=True"):
        archive.store(failure(), record())
    with pytest.raises(ValueError, match="outcome 'article' with record=False"):
        archive.store(capture())
    assert rows(archive, "captures") == []


def test_a_failed_store_writes_nothing(archive: ArchiveDB) -> None:
    with pytest.raises(StorageError, match="FOREIGN KEY"):
        archive.store(capture(), record(), crawl_id=999)
    for table in ("captures", "bodies", "articles"):
        assert rows(archive, table) == []
    assert archive.search("harbour") == []


def test_fetched_at_is_normalised_to_utc_and_checked(archive: ArchiveDB) -> None:
    archive.store(failure(fetched_at="2026-03-01T12:00:00.123456+02:00"))
    assert rows(archive, "captures")[0]["fetched_at"] == "2026-03-01T10:00:00+00:00"
    with pytest.raises(StorageError, match="not an ISO 8601 timestamp: 'yesterday'"):
        archive.store(failure(fetched_at="yesterday"))
    assert len(rows(archive, "captures")) == 1


def test_timestamp_helpers() -> None:
    now = utc_now()
    assert ISO_UTC.match(now)
    moment = datetime.fromisoformat(now)
    assert abs(datetime.now(UTC) - moment) < timedelta(seconds=5)
    assert normalize_timestamp("2026-01-02T03:04:05Z") == "2026-01-02T03:04:05+00:00"
    assert normalize_timestamp("2026-01-02T00:30:00-05:00") == "2026-01-02T05:30:00+00:00"


def test_crawl_rows(archive: ArchiveDB) -> None:
    crawl_id = archive.start_crawl("page", {"urls": ["https://a.example/"], "depth": 0})
    started = rows(archive, "crawls")[0]
    assert started["spider"] == "page" and started["finished_at"] is None
    assert json.loads(started["arguments"]) == {"urls": ["https://a.example/"], "depth": 0}
    assert ISO_UTC.match(started["started_at"])
    stats = {"item_scraped_count": 3, "start_time": datetime(2026, 3, 1, 9, 0, tzinfo=UTC)}
    archive.finish_crawl(crawl_id, "finished", stats)
    done = rows(archive, "crawls")[0]
    assert done["finish_reason"] == "finished" and ISO_UTC.match(done["finished_at"])
    assert json.loads(done["stats"]) == {
        "item_scraped_count": 3,
        "start_time": "2026-03-01T09:00:00+00:00",
    }
    with pytest.raises(StorageError, match="no crawl with id 42"):
        archive.finish_crawl(42, "finished", {})


def test_views_answer_the_common_questions(archive: ArchiveDB) -> None:
    crawl_id = archive.start_crawl("page", {})
    archive.store(capture(), record(), crawl_id=crawl_id)
    archive.store(failure(), crawl_id=crawl_id)
    archive.store(
        failure(
            requested_url="https://news.example.org/gone2", fetched_at="2026-03-01T11:00:00+00:00"
        ),
        crawl_id=crawl_id,
    )
    archive.store(
        failure(
            requested_url="https://other.example/x",
            final_url=None,
            outcome=Outcome.ROBOTS,
            status=None,
            body=None,
            error="forbidden by robots.txt",
        )
    )
    assert list(archive.db.query("SELECT * FROM failures_by_site")) == [
        {
            "site": "news.example.org",
            "outcome": "http-error",
            "error": "HTTP 404 Not Found",
            "count": 2,
            "last_seen_at": "2026-03-01T11:00:00+00:00",
        },
        {
            "site": "other.example",
            "outcome": "robots",
            "error": "forbidden by robots.txt",
            "count": 1,
            "last_seen_at": "2026-03-01T10:05:00+00:00",
        },
    ]
    [summary] = archive.db.query("SELECT captures, articles, failures FROM crawl_summaries")
    assert summary == {"captures": 3, "articles": 1, "failures": 2}
    [latest] = archive.db.query("SELECT url, title, status, capture_id FROM latest_articles")
    assert latest == {
        "url": KEY,
        "title": "Council approves the harbour bridge",
        "status": 200,
        "capture_id": 1,
    }


def test_opening_twice_reapplies_nothing_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with ArchiveDB(path) as first:
        first.store(capture(), record())
    with ArchiveDB(path) as second:
        assert MIGRATIONS.pending(second.db) == []
        names = [m.name for m in MIGRATIONS.applied(second.db)]
        assert names[:2] == ["0001_initial_schema", "0002_versions_gone_reextract"]
        assert second.db["articles"].count == 1
        assert second.search("harbour")[0]["url"] == KEY
    with ArchiveDB(path, create=False) as third:
        assert third.db["captures"].count == 1


def test_a_reader_is_not_blocked_by_an_open_write(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    with ArchiveDB(path) as archive:
        archive.store(capture(), record())
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE articles SET title = 'uncommitted'")
    try:
        with ArchiveDB(path) as reader:  # WAL: no wait, and the old snapshot
            assert reader.list_articles()[0]["title"] == "Council approves the harbour bridge"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_memory_database_works() -> None:
    with ArchiveDB(":memory:") as archive:
        archive.store(capture(), record())
        assert archive.get_article(KEY)["title"] == "Council approves the harbour bridge"
