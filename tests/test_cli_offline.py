"""CLI commands that need no crawl: extract, usage errors, reading a missing archive."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli

PAGES = Path(__file__).parent / "pages"
SEED = PAGES / "seed-article"


def run(*args: str, input: bytes | str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_extract_seed_page_gives_the_expected_record() -> None:
    expected = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
    status, out, err = run("extract", str(SEED / "source.html"), "--url", expected["url"])
    assert status == 0, err
    record = json.loads(out)
    for name in ("published_at", "modified_at"):
        assert datetime.fromisoformat(record.pop(name)) == datetime.fromisoformat(
            expected.pop(name)
        )
    must_not_contain = expected.pop("must_not_contain")
    for name, value in expected.items():
        assert record[name] == value, name
    for needle in must_not_contain:
        for name in ("text", "title", "description"):
            assert needle not in (record[name] or ""), (needle, name)


def test_extract_reads_stdin() -> None:
    html = (SEED / "source.html").read_bytes()
    status, out, _ = run("extract", "-", input=html)
    assert status == 0
    assert json.loads(out)["title"] == "Kanye West and Trump"


def test_extract_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    status, out, err = run("extract", str(missing))
    assert status == 2
    assert out == ""
    assert err == f"archive: error: {missing}: no such file\n"


def test_extract_directory_is_one_clear_line(tmp_path: Path) -> None:
    status, _, err = run("extract", str(tmp_path))
    assert status == 2
    assert err == f"archive: error: {tmp_path}: is a directory, not an HTML file\n"


@pytest.mark.parametrize(
    ("content", "reason_word"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" * 20, "html"),
        (bytes(range(256)) * 40, "html"),
        (b"", "empty"),
    ],
    ids=["pdf", "binary", "empty"],
)
def test_extract_non_html_fails_with_one_line(
    tmp_path: Path, content: bytes, reason_word: str
) -> None:
    path = tmp_path / "file.html"
    path.write_bytes(content)
    status, out, err = run("extract", str(path))
    assert status == 1
    assert out == ""
    assert err.startswith(f"archive: error: {path}: ")
    assert err.count("\n") == 1
    assert reason_word in err.lower()


def test_extract_teaser_list_is_not_an_article(tmp_path: Path) -> None:
    teasers = "".join(
        f'<li><a href="/news/story-{n}.html">Story number {n} about the harbour</a></li>'
        for n in range(30)
    )
    path = tmp_path / "front.html"
    path.write_text(f"<html><body><h1>News</h1><ul>{teasers}</ul></body></html>")
    status, out, err = run("extract", str(path))
    assert status == 1
    assert out == ""
    assert err.startswith(f"archive: error: {path}: ")
    assert "article" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://example.org/file.html", "ftp"),
        ("not a url", ""),
        ("http://", ""),
        ("javascript:alert(1)", "javascript"),
    ],
)
def test_save_rejects_bad_urls_before_fetching(tmp_path: Path, url: str, problem: str) -> None:
    db = tmp_path / "archive.db"
    status, out, err = run("save", "https://example.org/ok.html", url, "--db", str(db))
    assert status == 2
    assert out == ""
    assert err.startswith(f"archive: error: {url}: ")
    assert problem in err
    assert err.count("\n") == 1
    assert not db.exists(), "a usage error must write nothing"


def test_save_without_urls_is_a_usage_error(tmp_path: Path) -> None:
    status, _, err = run("save", "--db", str(tmp_path / "a.db"))
    assert status == 2
    assert err == "archive: error: no URL given (pass URLs or -i FILE)\n"


def test_save_with_unreadable_url_file(tmp_path: Path) -> None:
    missing = tmp_path / "urls.txt"
    status, _, err = run("save", "-i", str(missing), "--db", str(tmp_path / "a.db"))
    assert status == 2
    assert err.startswith(f"archive: error: {missing}: cannot read URL list")


@pytest.mark.parametrize("command", [["list"], ["show", "https://example.org/a"], ["search", "x"]])
def test_reading_a_missing_archive_does_not_create_one(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "none.db"
    status, out, err = run(*command, "--db", str(db))
    assert status == 2
    assert out == ""
    assert err.startswith(f"archive: error: {db}: no archive here")
    assert not db.exists()


def test_db_defaults_to_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "from-env.db"
    monkeypatch.setenv("ARCHIVE_DB", str(db))
    status, _, err = run("list")
    assert status == 2
    assert str(db) in err


@pytest.mark.parametrize("command", ["save", "extract", "list", "show", "search", "demo"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    status, out, _ = run(command, "--help")
    assert status == 0
    assert "Example" in out
