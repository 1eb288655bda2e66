"""Article versions made by ``ArchiveDB.store``: when a version is made, with which cause, and
what it holds; 'unchanged' captures; the backfill of migration 0002."""

import json
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.errors import StorageError
from archive.records import Capture, Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.db.migrations import MIGRATIONS
from archive.store.write.rows import article_row, capture_row
from archive.store.write.versions import changed_fields, normalized
from tests.storage_helpers import BODY, capture, record

KEY = "https://www.news.example.org/2026/03/bridge-vote"
DAY2 = "2026-03-02T09:00:00+00:00"
DAY3 = "2026-03-03T09:00:00+00:00"


def versions(archive: ArchiveDB) -> list[dict]:
    return list(archive.db.query("SELECT * FROM article_versions ORDER BY article_id, version"))


def article(archive: ArchiveDB) -> dict:
    [row] = archive.db.query("SELECT * FROM articles")
    return row


def test_first_store_makes_version_one_with_the_whole_record(archive: ArchiveDB) -> None:
    archive.store(capture(), record(), extractor_version="7")
    [version] = versions(archive)
    assert version == {
        "id": 1,
        "article_id": 1,
        "version": 1,
        "cause": "first",
        "changed": "[]",
        "capture_id": 1,
        "extractor_version": "7",
        "rules": '["example-news"]',
        "published_from": "json-ld",
        "modified_from": None,
        "authors_from": "byline",
        "created_at": "2026-03-01T10:00:00+00:00",
        "canonical_url": "https://www.news.example.org/2026/03/bridge-vote",
        "title": "Council approves the harbour bridge",
        "authors": '["Ann Example", "Bo Exämple"]',
        "published_at": "2026-02-28T18:30:00+01:00",
        "modified_at": "2026-03-01",
        "site_name": "Example News",
        "language": "en",
        "description": "The vote was close.",
        "image": "https://news.example.org/img/bridge.jpg",
        "tags": '["politics", "harbour"]',
        "images": '[{"src": "https://news.example.org/img/bridge.jpg", '
        '"caption": "The bridge. AP"}]',
        "text": "The council voted seven to six.\n\nWork starts in May.",
        "word_count": 11,
        "removed": '[{"kind": "ad label", "sample": "Advertisement - Continue"}]',
        "markdown": "The council voted *seven* to six.\n\nWork starts in May.",
    }


def test_the_same_record_again_makes_no_version(archive: ArchiveDB) -> None:
    archive.store(capture(), record())
    archive.store(capture(fetched_at=DAY2, body=BODY + b"<!-- ad 2 -->"), record())
    assert len(versions(archive)) == 1
    row = article(archive)
    assert row["last_seen_at"] == DAY2 and row["capture_id"] == 2


def test_whitespace_and_offset_spelling_are_no_change(archive: ArchiveDB) -> None:
    archive.store(capture(), record())
    same = record(
        title="  Council approves\u00a0the harbour  bridge ",
        text="The council  voted seven to six.\n\n\n  Work starts in May.\n",
        published_at="2026-02-28T17:30:00Z",
        authors=["Ann  Example", "Bo Exämple"],
    )
    archive.store(capture(fetched_at=DAY2, body=b"<html>v2</html>"), same)
    assert len(versions(archive)) == 1


def test_edited_text_makes_a_page_version(archive: ArchiveDB) -> None:
    archive.store(capture(), record())
    edited = record(text="The council voted seven to six.\n\nWork starts in June.")
    archive.store(capture(fetched_at=DAY2, body=b"<html>edited</html>"), edited)
    first, second = versions(archive)
    assert (second["version"], second["cause"], second["capture_id"]) == (2, "page", 2)
    assert json.loads(second["changed"]) == ["text"]
    assert second["created_at"] == DAY2
    assert second["text"].endswith("June.") and first["text"].endswith("May.")
    assert article(archive)["text"].endswith("June.")


def test_each_tracked_field_counts_and_others_ride_along(archive: ArchiveDB) -> None:
    archive.store(capture(), record())
    steps = [
        (record(title="Bridge approved", tags=["x"]), ["title", "tags"]),
        (record(title="Bridge approved", tags=["x"], authors=["Ann Example"]), ["authors"]),
        (record(title="Bridge approved", tags=["x"], authors=["Ann Example"]), None),
        (record(title="Bridge approved", tags=["y"], authors=["Ann Example"]), None),
        (
            record(
                title="Bridge approved",
                tags=["y"],
                authors=["Ann Example"],
                modified_at="2026-03-05",
            ),
            ["modified_at"],
        ),
    ]
    expected = []
    for day, (rec, changed) in enumerate(steps, start=2):
        archive.store(capture(fetched_at=f"2026-03-{day:02}T09:00:00+00:00", body=b"%d" % day), rec)
        if changed is not None:
            expected.append(changed)
    made = [json.loads(v["changed"]) for v in versions(archive)[1:]]
    assert made == expected
    # A tags-only change updates the article but makes no version.
    assert json.loads(article(archive)["tags"]) == ["y"]


def test_a_changed_record_from_the_same_body_is_the_parsers_doing(archive: ArchiveDB) -> None:
    archive.store(capture(), record(), extractor_version="1")
    archive.store(capture(fetched_at=DAY2), record(title="Better title"), extractor_version="2")
    second = versions(archive)[1]
    assert (second["cause"], second["extractor_version"]) == ("parser", "2")


def test_an_older_capture_stored_late_makes_no_version(archive: ArchiveDB) -> None:
    archive.store(capture(fetched_at=DAY2), record())
    archive.store(capture(body=b"<html>old</html>"), record(title="Old title"))
    assert len(versions(archive)) == 1
    row = article(archive)
    assert row["title"] == "Council approves the harbour bridge"
    assert row["first_seen_at"] == "2026-03-01T10:00:00+00:00"


def unchanged(**changes: object) -> Capture:
    values: dict = {
        "requested_url": "https://news.example.org/2026/03/bridge-vote",
        "fetched_at": DAY3,
        "outcome": Outcome.UNCHANGED,
        "final_url": "https://news.example.org/2026/03/bridge-vote",
        "status": 304,
        "error": "not modified",
    }
    values.update(changes)
    return Capture(**values)


def test_an_unchanged_capture_links_to_the_article_and_makes_no_version(
    archive: ArchiveDB,
) -> None:
    archive.store(capture(), record())
    result = archive.store(unchanged())
    assert (result.article_id, result.article_url, result.outcome) == (1, KEY, "unchanged")
    assert len(versions(archive)) == 1
    row = article(archive)
    assert row["last_seen_at"] == DAY3
    assert row["capture_id"] == 1  # still the capture the record came from
    [linked] = archive.db.query("SELECT article_id, body_hash FROM captures WHERE id = 2")
    assert linked == {"article_id": 1, "body_hash": None}


def test_an_unchanged_capture_of_an_unknown_url_stands_alone(archive: ArchiveDB) -> None:
    result = archive.store(unchanged(requested_url="https://news.example.org/other"))
    assert result.article_id is None and result.article_url is None
    assert archive.db["captures"].count == 1


def test_unchanged_with_the_same_body_keeps_one_body_row(archive: ArchiveDB) -> None:
    archive.store(capture(), record())
    archive.store(unchanged(status=200, body=BODY))
    assert archive.db["bodies"].count == 1
    assert archive.db["article_versions"].count == 1


def test_normalisation_rules() -> None:
    assert normalized("text", "a  b\n\n\n c\u200b") == "a b\n\nc"
    assert normalized("text", "a\nb") == "a b"  # a line break inside a paragraph
    assert normalized("published_at", "2026-03-01") == "2026-03-01"
    assert normalized("published_at", "2026-03-01T01:00:00+01:00") == normalized(
        "published_at", "2026-03-01T00:00:00Z"
    )
    assert normalized("authors", '["A  B", " "]') == ["A B"]
    assert changed_fields({"title": None}, {"title": ""}) == []
    assert changed_fields({"authors": "[]"}, {"authors": '["X"]'}) == ["authors"]


def test_migration_backfills_version_one_for_existing_articles(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    MIGRATIONS.apply(old, stop_before="0002_versions_gone_reextract")
    cap = capture()
    # A file of that age has only the columns of its time.
    row = capture_row(cap, cap.fetched_at, None, None)
    old["captures"].insert({k: v for k, v in row.items() if k in old["captures"].columns_dict})
    old_columns = old["articles"].columns_dict
    new_row = {**article_row(cap, record(), DAY2, "1"), "capture_id": 1}
    old["articles"].insert({k: v for k, v in new_row.items() if k in old_columns})
    old.conn.commit()
    old.close()
    with ArchiveDB(path) as archive:
        [version] = versions(archive)
        assert (version["version"], version["cause"], version["capture_id"]) == (1, "first", 1)
        assert version["created_at"] == "2026-03-01T10:00:00+00:00"  # the capture's time
        assert version["text"] == record().text and version["extractor_version"] == "1"
        assert article(archive)["gone_at"] is None


def test_history_views(archive: ArchiveDB) -> None:
    crawl = archive.start_crawl("page", {})
    archive.store(capture(), record(), crawl_id=crawl)
    archive.store(
        capture(fetched_at=DAY2, body=b"<html>2</html>"),
        record(text="A new text."),
        crawl_id=crawl,
    )
    archive.store(unchanged(), crawl_id=crawl)
    other = "https://news.example.org/2026/03/ferry"
    archive.store(
        capture(requested_url=other, final_url=other, body=b"<html>f</html>"),
        record(canonical_url=None, title="Ferry", word_count=5),
        crawl_id=crawl,
    )
    by_day = list(archive.db.query("SELECT * FROM articles_by_site_day"))
    assert by_day == [
        {"site": "news.example.org", "day": "2026-03-01", "articles": 1, "words": 5},
        {"site": "www.news.example.org", "day": "2026-03-01", "articles": 1, "words": 11},
    ]
    [changed] = archive.db.query("SELECT * FROM changed_articles")
    assert (changed["url"], changed["page_changes"], changed["last_changed_at"]) == (KEY, 1, DAY2)
    history = list(archive.db.query("SELECT * FROM article_history WHERE article_id = 1"))
    assert [(h["version"], h["cause"], h["capture_id"], h["fetched_at"]) for h in history] == [
        (1, "first", 1, "2026-03-01T10:00:00+00:00"),
        (2, "page", 2, DAY2),
    ]
    [summary] = archive.db.query(
        "SELECT captures, articles, unchanged, failures FROM crawl_summaries"
    )
    assert summary == {"captures": 4, "articles": 3, "unchanged": 1, "failures": 0}
    assert list(archive.db.query("SELECT * FROM failures_by_site")) == []


def test_search_index_follows_page_versions(archive: ArchiveDB) -> None:
    archive.store(capture(), record(text="The aqueduct opened."))
    archive.store(capture(fetched_at=DAY2, body=b"<html>2</html>"), record(text="The viaduct."))
    assert archive.search("aqueduct") == []
    assert [hit["url"] for hit in archive.search("viaduct")] == [KEY]
    archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def test_a_batch_commits_once_and_each_write_stays_whole(
    archive: ArchiveDB, tmp_path: Path
) -> None:
    other = "https://news.example.org/2026/03/ferry"
    reader = sqlite3.connect(tmp_path / "archive.db")
    with archive.batch():
        archive.store(capture(), record())
        # A write that fails halfway (no crawl 99: a foreign key) leaves none of its rows.
        with pytest.raises(StorageError, match="FOREIGN KEY"):
            archive.store(
                capture(requested_url=other, final_url=other),
                record(canonical_url=None),
                crawl_id=99,
            )
        assert reader.execute("SELECT count(*) FROM captures").fetchone() == (0,)  # not yet
    assert reader.execute("SELECT count(*) FROM captures").fetchone() == (1,)
    assert reader.execute("SELECT count(*) FROM article_versions").fetchone() == (1,)
    reader.close()
    with pytest.raises(RuntimeError), archive.batch():
        archive.store(capture(requested_url=other, final_url=other), record(canonical_url=None))
        raise RuntimeError("the writer stops")
    assert archive.db["captures"].count == 1  # the whole batch was rolled back
