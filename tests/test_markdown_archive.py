"""The Markdown body through the archive: the extract, show, export and diff commands, the
database column (migration 0008), re-extraction filling it, and the YAML front matter."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from archive.cli import cli
from archive.records import Capture, Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.exchange.markdown_files import file_names, front_matter, slug
from archive.store.maintenance.reextract import reextract
from archive.urls import article_key
from tests.archive_builder import build_archive, golden_pages
from tests.markdown_roundtrip import rendered_text, same_words
from tests.storage_helpers import capture, record

PAGES = Path(__file__).parent / "pages"
LISTS = PAGES / "markdown-nested-lists"
KEY = "https://www.news.example.org/2026/03/bridge-vote"  # the article key of storage_helpers


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("markdown") / "news.db"
    build_archive(path)
    return path


def _expected_md(folder: Path) -> str:
    return (folder / "expected.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("markdown", "expected.md"), ("text", None)],
)
def test_extract_prints_the_body_as_markdown_or_text(fmt: str, expected: str | None) -> None:
    url = (LISTS / "url.txt").read_text().strip()
    code, out, err = run("extract", str(LISTS / "source.html"), "--url", url, "--format", fmt)
    assert code == 0, err
    if expected:
        assert out == _expected_md(LISTS)
    else:
        text = json.loads((LISTS / "expected.json").read_text(encoding="utf-8"))["text"]
        assert out == text + "\n"


def test_extract_without_links_keeps_their_text() -> None:
    url = (LISTS / "url.txt").read_text().strip()
    args = ("extract", str(LISTS / "source.html"), "--url", url, "--format", "markdown")
    code, out, _ = run(*args, "--no-links")
    assert code == 0
    assert "](" not in out and "on hazel pea sticks\n" in out
    assert out.replace("on hazel pea sticks", "") == _expected_md(LISTS).replace(
        "on [hazel pea sticks](https://www.gardenletter.example/guides/2024/03/"
        "hazel-pea-sticks.html)",
        "",
    )


def test_extract_json_carries_markdown() -> None:
    code, out, _ = run("extract", str(LISTS / "source.html"))
    assert code == 0
    data = json.loads(out)
    assert data["markdown"].startswith("April is when") and "## Before you sow" in data["markdown"]


def test_stored_markdown_is_the_records(archive_path: Path) -> None:
    page = next(p for p in golden_pages() if p.slug == "newspaper-city-council")
    with ArchiveDB(archive_path) as archive:
        article = archive.get_article(page.url)
        assert article is not None
        markdown, text = article["markdown"], article["text"]
        versions = archive.db.execute("SELECT count(*) FROM article_versions WHERE markdown = ''")
        assert versions.fetchone()[0] == 0
    assert markdown + "\n" == _expected_md(PAGES / page.slug)
    assert same_words(rendered_text(markdown), text)


def test_show_markdown_prints_front_matter_then_the_body(archive_path: Path) -> None:
    page = next(p for p in golden_pages() if p.slug == "newspaper-city-council")
    code, out, err = run("show", page.url, "--db", str(archive_path), "--markdown")
    assert code == 0, err
    head, body = out.split("\n---\n\n", 1)
    meta = yaml.safe_load(head.removeprefix("---\n"))
    expected = json.loads((PAGES / page.slug / "expected.json").read_text(encoding="utf-8"))
    assert meta["title"] == expected["title"] and meta["authors"] == expected["authors"]
    assert meta["url"] == article_key(page.url, expected.get("canonical_url"))
    assert body == _expected_md(PAGES / page.slug)


def test_jsonl_and_csv_exports_carry_markdown(archive_path: Path, tmp_path: Path) -> None:
    code, out, _ = run("export", "--db", str(archive_path))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert all(r["markdown"] for r in records)
    assert list(records[0]).index("markdown") == list(records[0]).index("text") + 1
    code, out, _ = run("export", "--db", str(archive_path), "--format", "csv")
    assert code == 0 and ",text,markdown," in out.splitlines()[0]


def test_export_markdown_writes_one_file_per_article(archive_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "md"
    code, _, err = run("export", "--db", str(archive_path), "--format", "markdown", str(folder))
    assert code == 0, err
    files = sorted(folder.iterdir())
    assert err == f"Exported {len(files)} articles to {folder}\n"
    assert len(files) == len(golden_pages())
    for path in files:
        head, body = path.read_text(encoding="utf-8").split("\n---\n\n", 1)
        meta = yaml.safe_load(head.removeprefix("---\n"))
        assert path.name.startswith(meta["site"] + "_") and path.suffix == ".md"
        assert body.strip() and "url" in meta and "title" in meta


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "archive: error: --format markdown needs a folder (e.g. articles-md/)\n"),
        (("out", "--versions"), "archive: error: --versions applies to jsonl and csv exports\n"),
    ],
)
def test_export_markdown_usage_errors(archive_path: Path, args: tuple, message: str) -> None:
    code, _, err = run("export", "--db", str(archive_path), "--format", "markdown", *args)
    assert code == 2 and err == message


def test_front_matter_quotes_every_scalar_so_yaml_reads_it_back() -> None:
    article = {
        "title": 'Yes: "no" # not a comment\u2028next',
        "authors": '["O\'Brien, Pat", "null"]',
        "published_at": "2024-06-21",
        "url": "https://x.example/a",
        "site": "x.example",
        "tags": "[]",
        "language": None,
    }
    meta = yaml.safe_load(front_matter(article).strip("-\n"))
    assert meta == {
        "title": 'Yes: "no" # not a comment\u2028next',
        "authors": ["O'Brien, Pat", "null"],
        "published_at": "2024-06-21",
        "url": "https://x.example/a",
        "site": "x.example",
    }


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://a.example/news/2024/05/Bridge-Vote.html", "bridge-vote"),
        ("https://a.example/", "index"),
        ("https://a.example/wiki/Caf%C3%A9%20au%20lait", "café-au-lait"),
        ("https://a.example/a/../..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("https://a.example/%2E%2E", "index"),
    ],
)
def test_slugs_are_safe_file_names(url: str, name: str) -> None:
    assert slug(url) == name


def test_file_names_are_unique() -> None:
    articles = [{"site": "a.example", "url": f"https://a.example/{p}/story"} for p in "xyX"]
    assert [name for name, _ in file_names(articles)] == [
        "a.example_story.md",
        "a.example_story-2.md",
        "a.example_story-3.md",
    ]


def test_diff_markdown_shows_the_changed_lines(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    first = record(markdown="## Vote\n\n- seven to six\n- work in May")
    second = replace(
        record(text="The council voted seven to five.\n\nWork starts in May."),
        markdown="## Vote\n\n- seven to five\n- work in May",
    )
    with ArchiveDB(db) as archive:
        archive.store(capture(), first)
        archive.store(capture(fetched_at="2026-03-02T09:00:00+00:00", body=b"<p>2</p>"), second)
    code, out, err = run("diff", KEY, "--db", str(db), "--markdown")
    assert code == 0, err
    changed = [line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in "---+++"]
    assert changed == ["-- seven to six", "+- seven to five"]
    assert "markdown" not in out.splitlines()[0]  # no field listing for the body


def test_diff_markdown_of_a_version_without_markdown_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with ArchiveDB(db) as archive:
        archive.store(capture(), record(markdown=""))
        later = record(text="Changed.", markdown="Changed.")
        archive.store(capture(fetched_at="2026-03-02T09:00:00+00:00", body=b"<p>2</p>"), later)
    code, _, err = run("diff", KEY, "--db", str(db), "--markdown")
    assert code == 1
    assert err == (
        f"archive: error: {KEY}: version 1 holds no Markdown (stored before the archive kept"
        " it); compare the texts without --markdown\n"
    )


def test_reextract_fills_markdown_of_old_records(tmp_path: Path) -> None:
    folder = PAGES / "markdown-code-listing"
    url = (folder / "url.txt").read_text().strip()
    body = (folder / "source.html").read_bytes()
    from archive.extract import extract_article

    current = extract_article(body, url)
    before_markdown = replace(current, markdown="")  # as stored by extractor 5
    page = Capture(url, "2026-03-01T10:00:00+00:00", Outcome.ARTICLE, url, 200, body=body)
    with ArchiveDB(tmp_path / "a.db") as archive:
        archive.store(
            replace(page, content_type="text/html"), before_markdown, extractor_version="5"
        )
        report = reextract(archive)
        assert (report.total, report.changed, report.fields) == (1, 0, {"markdown": 1})
        [(markdown,)] = archive.db.execute("SELECT markdown FROM articles").fetchall()
        [(versioned,)] = archive.db.execute("SELECT markdown FROM article_versions").fetchall()
    assert markdown + "\n" == _expected_md(folder) and versioned == markdown
