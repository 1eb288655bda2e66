"""`archive export --format jsonl|csv`: records per article or per version, filters, files,
errors, and a streamed export whose memory does not grow with the archive."""

import csv
import io
import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.store.db.archive_db import ArchiveDB
from archive.store.exchange.exports import export, parse_since
from tests.archive_builder import golden_pages

ARTICLE_FIELDS = ["id", "url", "canonical_url", "title", "authors", "published_at"]


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory, golden_archive_copy) -> Path:
    return golden_archive_copy(tmp_path_factory.mktemp("export") / "archive.db")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_jsonl_has_one_record_per_article_as_stored(archive_path: Path) -> None:
    code, out, err = run("export", "--db", str(archive_path))
    assert (code, err) == (0, "")
    records = jsonl(out)
    pages = golden_pages()
    assert len(records) == len(pages)
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    with ArchiveDB(archive_path) as archive:
        for record in records:
            stored = archive.get_article(record["url"])
            assert stored is not None
            for field in (*ARTICLE_FIELDS, "text", "tags", "first_seen_at", "extractor_version"):
                assert record[field] == stored[field], field
    first = records[0]
    # JSON columns are real lists, not JSON text inside a string.
    assert isinstance(first["authors"], list)
    assert isinstance(first["images"], list)
    assert first["title"].startswith("Why our sourdough")  # the edited, latest capture


def test_versions_give_every_version(archive_path: Path) -> None:
    code, out, _ = run("export", "--db", str(archive_path), "--versions")
    assert code == 0
    records = jsonl(out)
    assert len(records) == len(golden_pages()) + 1
    first_article = [r for r in records if r["article_id"] == 1]
    assert [(r["version"], r["cause"]) for r in first_article] == [(1, "first"), (2, "page")]
    assert first_article[0]["title"].startswith("Why my sourdough")
    assert first_article[1]["title"].startswith("Why our sourdough")
    assert "title" in first_article[1]["changed"]
    assert list(records[0])[:7] == [
        "article_id",
        "url",
        "site",
        "version",
        "cause",
        "changed",
        "created_at",
    ]


def test_site_and_since_filters(archive_path: Path) -> None:
    code, out, _ = run("export", "--db", str(archive_path), "--site", "orbitweekly.example")
    assert code == 0
    assert [r["site"] for r in jsonl(out)] == ["orbitweekly.example"]
    # www. or not, the same site.
    code, out, _ = run("export", "--db", str(archive_path), "--site", "harborherald.example")
    assert [r["site"] for r in jsonl(out)] == ["www.harborherald.example"]
    # Pages were first seen one a day from March 1st: the 6th and later.
    code, out, _ = run("export", "--db", str(archive_path), "--since", "2026-03-06")
    days = [r["first_seen_at"][:10] for r in jsonl(out)]
    assert days == ["2026-03-06", "2026-03-07"]
    code, out, _ = run("export", "--db", str(archive_path), "--since", "2026-03-06T11:00:00+01:00")
    assert [r["first_seen_at"][:10] for r in jsonl(out)] == ["2026-03-06", "2026-03-07"]


def test_csv_to_file(archive_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "articles.csv"
    code, out, err = run("export", "--db", str(archive_path), "--format", "csv", str(target))
    assert (code, out) == (0, "")
    assert err == f"Exported {len(golden_pages())} articles to {target}\n"
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(golden_pages())
    assert list(rows[0])[:6] == ARTICLE_FIELDS
    with ArchiveDB(archive_path) as archive:
        stored = archive.get_article(rows[3]["url"])
    assert stored is not None
    assert rows[3]["text"] == stored["text"]  # paragraphs and quotes survive CSV quoting
    assert json.loads(rows[3]["authors"]) == stored["authors"]
    assert not (tmp_path / "articles.csv.partial").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--since", "last week"],
            "archive: error: last week: not a date (YYYY-MM-DD) or an ISO 8601 instant\n",
        ),
        (
            ["--format", "warc"],
            "archive: error: --format warc needs a FILE (e.g. captures.warc.gz)\n",
        ),
    ],
)
def test_bad_options_write_nothing(
    archive_path: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = run("export", "--db", str(archive_path), *args)
    assert code != 0
    assert (out, err) == ("", message)


def test_failed_export_leaves_no_file(archive_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    code, _, err = run("export", "--db", str(archive_path), "--since", "soon", str(target))
    assert code == 1
    assert "not a date" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_archive(tmp_path: Path) -> None:
    code, out, err = run("export", "--db", str(tmp_path / "none.db"))
    assert (code, out) == (2, "")
    assert err.startswith(f"archive: error: {tmp_path / 'none.db'}: no archive here")
    assert not (tmp_path / "none.db").exists()


def test_parse_since() -> None:
    assert parse_since("2026-03-01") == "2026-03-01"
    assert parse_since("2026-03-01T12:00:00Z") == "2026-03-01T12:00:00+00:00"


def test_export_memory_does_not_grow_with_the_archive(tmp_path: Path) -> None:
    text = "word " * 400  # 2 KB a row, 6 MB in all
    with ArchiveDB(tmp_path / "big.db") as archive:
        archive.db["articles"].insert_all(
            {
                "url": f"https://big.example/{i}",
                "site": "big.example",
                "title": f"Story {i}",
                "text": text + str(i),
                "first_seen_at": "2026-03-01T00:00:00+00:00",
                "last_seen_at": "2026-03-01T00:00:00+00:00",
            }
            for i in range(3000)
        )

        class Counting(io.TextIOBase):
            written = 0

            def write(self, s: str) -> int:
                self.written += len(s)
                return len(s)

        out = Counting()
        tracemalloc.start()
        count = export(archive.db, out, "jsonl")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert count == 3000
    assert out.written > 6_000_000
    # Rows are fetched a hundred at a time: the peak is a small part of what was written.
    assert peak < out.written / 5
