"""Re-extraction of stored bodies: 'parser' versions, dry runs, filters, resuming after a crash,
and the search index following along."""

import dataclasses
import json
from pathlib import Path

import pytest

import archive.demo
from archive.extract import EXTRACTOR_VERSION, extract_article
from archive.records import ArticleRecord, Capture, Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.maintenance.reextract import reextract

SITE = Path(archive.demo.__file__).parent / "site"
PAGES = [
    "politics/harbour-bridge-vote.html",
    "city/flood-defences-explained.html",
    "business/shipyard-contract.html",
]
OLD = "0-old"


def page_url(page: str, host: str = "127.0.0.1:8000") -> str:
    return f"http://{host}/{page}"


def old_record(url: str) -> ArticleRecord:
    """What an imaginary older parser made of a page: wrong title, text with a footer."""
    return ArticleRecord(
        url=url,
        title="Harbour Gazette",
        authors=[],
        text="Zeppelin footer text from an older parser.",
        word_count=6,
    )


def store_page(
    db: ArchiveDB, page: str, *, host: str = "127.0.0.1:8000", day: str = "01", version: str = OLD
) -> None:
    url = page_url(page, host)
    body = (SITE / page).read_bytes()
    capture = Capture(
        requested_url=url,
        fetched_at=f"2026-11-{day}T10:00:00+00:00",
        outcome=Outcome.ARTICLE,
        final_url=url,
        status=200,
        content_type="text/html; charset=utf-8",
        body=body,
    )
    record = old_record(url) if version == OLD else extract_article(body, url)
    db.store(capture, record, extractor_version=version)


@pytest.fixture
def archive(archive: ArchiveDB) -> ArchiveDB:
    for page in PAGES:
        store_page(archive, page)
    return archive


def query(db: ArchiveDB, sql: str, params: list | None = None) -> list[dict]:
    return list(db.db.query(sql, params or []))


def test_reextract_makes_parser_versions_and_stamps_the_version(archive: ArchiveDB) -> None:
    report = reextract(archive)
    assert (report.total, report.changed, report.unchanged, report.failed) == (3, 3, 0, 0)
    rows = query(
        archive,
        "SELECT version, cause, extractor_version, capture_id, changed FROM article_versions"
        " WHERE article_id = 1 ORDER BY version",
    )
    assert [(r["version"], r["cause"], r["extractor_version"]) for r in rows] == [
        (1, "first", OLD),
        (2, "parser", EXTRACTOR_VERSION),
    ]
    assert rows[1]["capture_id"] == 1  # the same stored capture, no new fetch
    assert {"title", "authors", "text", "published_at"} <= set(json.loads(rows[1]["changed"]))
    [article] = query(archive, "SELECT title, extractor_version FROM articles WHERE id = 1")
    assert article["title"].startswith("Council backs £180m replacement")
    assert article["extractor_version"] == EXTRACTOR_VERSION
    assert archive.db["captures"].count == 3  # nothing was fetched or stored as a capture
    stamps = query(archive, "SELECT DISTINCT reextracted_version FROM captures")
    assert stamps == [{"reextracted_version": EXTRACTOR_VERSION}]


def test_search_index_follows_a_reextraction(archive: ArchiveDB) -> None:
    assert len(archive.search("zeppelin")) == 3
    reextract(archive)
    assert archive.search("zeppelin") == []
    assert [hit["id"] for hit in archive.search("Kestrel Yard ferry contract")] == [3]
    archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def test_a_second_run_finds_nothing_to_do(archive: ArchiveDB) -> None:
    reextract(archive)
    again = reextract(archive)
    assert again.total == 0
    assert reextract(archive, every=True).total == 0  # already re-extracted by this version
    assert archive.db["article_versions"].count == 6


def test_without_all_only_other_extractor_versions_are_selected(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as db:
        store_page(db, PAGES[0])
        store_page(db, PAGES[1], version=EXTRACTOR_VERSION)
        assert reextract(db, dry_run=True).total == 1
        report = reextract(db, dry_run=True, every=True)
        assert (report.total, report.changed, report.unchanged) == (2, 1, 1)


def test_dry_run_counts_per_field_and_writes_nothing(archive: ArchiveDB) -> None:
    before = query(archive, "SELECT * FROM articles ORDER BY id")
    report = reextract(archive, dry_run=True)
    assert report.dry_run and (report.total, report.changed) == (3, 3)
    # All three hand-made records had the wrong title, no authors, a footer for text.
    for name in ("title", "authors", "text", "published_at", "word_count"):
        assert report.fields[name] == 3, name
    titles = [e for e in report.examples if e.field == "title"]
    assert len(titles) == 3 and titles[0].old == "Harbour Gazette"
    assert titles[0].new.startswith("Council backs")
    assert query(archive, "SELECT * FROM articles ORDER BY id") == before
    assert archive.db["article_versions"].count == 3
    stamped = "SELECT count(*) AS n FROM captures WHERE reextracted_at IS NOT NULL"
    assert query(archive, stamped) == [{"n": 0}]


def test_site_and_since_filters(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as db:
        store_page(db, PAGES[0], day="01")
        store_page(db, PAGES[1], day="05")
        store_page(db, PAGES[2], host="localhost:8000", day="05")
        assert reextract(db, dry_run=True, site="localhost").total == 1
        assert reextract(db, dry_run=True, site="127.0.0.1").total == 2
        assert reextract(db, dry_run=True, since="2026-11-03T00:00:00+00:00").total == 2
        both = reextract(db, dry_run=True, site="127.0.0.1", since="2026-11-03T00:00:00+00:00")
        assert both.total == 1


class Crash(Exception):
    pass


def test_a_crash_halfway_keeps_whole_batches_and_a_rerun_resumes(archive: ArchiveDB) -> None:
    calls: list[str] = []

    def crashing(body: bytes, url: str) -> ArticleRecord:
        calls.append(url)
        if len(calls) == 3:
            raise Crash("the parser fell over")
        return extract_article(body, url)

    with pytest.raises(Crash):
        reextract(archive, batch_size=2, extractor=crashing, extractor_version=EXTRACTOR_VERSION)
    # The first batch (two articles) was committed whole; the third is untouched.
    causes = query(archive, "SELECT article_id, cause FROM article_versions ORDER BY id")
    assert [(r["article_id"], r["cause"]) for r in causes] == [
        (1, "first"),
        (2, "first"),
        (3, "first"),
        (1, "parser"),
        (2, "parser"),
    ]
    assert query(archive, "PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    calls.clear()
    report = reextract(archive, extractor=crashing, extractor_version=EXTRACTOR_VERSION)
    assert report.total == 1 and calls == [page_url(PAGES[2])]
    assert archive.db["article_versions"].count == 6


def test_a_page_the_parser_now_rejects_keeps_its_record(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as db:
        url = "http://127.0.0.1:8000/stub.html"
        capture = Capture(
            requested_url=url,
            fetched_at="2026-11-01T10:00:00+00:00",
            outcome=Outcome.ARTICLE,
            final_url=url,
            status=200,
            body=b"<html><body><p>Too short to be an article.</p></body></html>",
        )
        db.store(capture, old_record(url), extractor_version=OLD)
        report = reextract(db)
        assert (report.failed, report.changed) == (1, 0)
        assert report.failures[0][0] == url and "not an article" in report.failures[0][1]
        [row] = query(db, "SELECT title, extractor_version FROM articles")
        assert row == {"title": "Harbour Gazette", "extractor_version": OLD}
        assert reextract(db).total == 0  # stamped: a resumed run does not retry it


def test_a_newer_capture_stored_meanwhile_wins(archive: ArchiveDB) -> None:
    def storing_meanwhile(body: bytes, url: str) -> ArticleRecord:
        record = extract_article(body, url)
        if url == page_url(PAGES[0]):
            # A crawl writes a newer capture of the first page while we parse.
            store_page(archive, PAGES[0], day="09", version=EXTRACTOR_VERSION)
        return dataclasses.replace(record, title="From the re-extraction")

    report = reextract(
        archive, batch_size=10, extractor=storing_meanwhile, extractor_version=EXTRACTOR_VERSION
    )
    assert report.skipped == 1
    [row] = query(archive, "SELECT title, capture_id FROM articles WHERE id = 1")
    assert row["capture_id"] == 4 and row["title"].startswith("Council backs")
