"""`archive save` and `archive demo` as a user runs them: a subprocess, a loopback server, the
real SQLite file afterwards. Each command crawls, so each runs in its own process."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.demo.server import serve_site
from tests.httpserver import LoopbackServer, Route, unused_port

pytestmark = pytest.mark.crawl

ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0"]


def archive_cmd(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("ARCHIVE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "archive", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def site(serve) -> LoopbackServer:
    return serve(
        {
            "/robots.txt": Route(
                body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
            ),
            "/news/story.html": Route(body=ARTICLE),
            "/news/again.html": Route(body=ARTICLE.replace(b"<title>", b"<title>Again: ")),
            "/gone.html": Route(b"<html><body>Not found</body></html>", status=404),
            "/report.pdf": Route(body=PDF, content_type="application/pdf"),
            "/private/secret.html": Route(body=ARTICLE),
        }
    )


def test_save_all_articles_exits_zero(site: LoopbackServer, tmp_path: Path) -> None:
    url = site.url("/news/story.html")
    result = archive_cmd("save", url, "--db", "a.db", *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("stored") and url in lines[0]
    assert lines[-1] == "1 URL: 1 stored  →  a.db"
    assert rows(tmp_path / "a.db", "select count(*) from articles") == [(1,)]


def test_save_mixed_outcomes_reports_each_and_keeps_going(
    site: LoopbackServer, tmp_path: Path
) -> None:
    refused = f"http://127.0.0.1:{unused_port()}/nothing.html"
    urls = {
        "story": site.url("/news/story.html"),
        "gone": site.url("/gone.html"),
        "pdf": site.url("/report.pdf"),
        "robots": site.url("/private/secret.html"),
        "refused": refused,
    }
    url_file = tmp_path / "urls.txt"
    url_file.write_text("# a comment\n\n" + "\n".join(list(urls.values())[1:]) + "\n")
    result = archive_cmd(
        "save", urls["story"], "-i", str(url_file), "--db", "a.db", *FAST, cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    by_url = {line.split()[-1]: line for line in result.stdout.splitlines() if "http" in line}
    line_for = {name: next(v for k, v in by_url.items() if url in v) for name, url in urls.items()}
    assert line_for["story"].startswith("stored")
    assert "404" in line_for["gone"]
    assert line_for["pdf"].startswith("not HTML") and "application/pdf" in line_for["pdf"]
    assert "robots.txt" in line_for["robots"]
    assert "refused" in line_for["refused"]
    assert result.stdout.splitlines()[-1].startswith("5 URLs: ")

    db = tmp_path / "a.db"
    outcomes = dict(rows(db, "select requested_url, outcome from captures"))
    assert outcomes == {
        urls["story"]: "article",
        urls["gone"]: "http-error",
        urls["pdf"]: "not-html",
        urls["robots"]: "robots",
        urls["refused"]: "fetch-error",
    }
    assert rows(db, "select count(*) from articles") == [(1,)]


def test_bad_url_fetches_and_writes_nothing(site: LoopbackServer, tmp_path: Path) -> None:
    good = site.url("/news/story.html")
    result = archive_cmd("save", good, "mailto:editor@example.org", "--db", "a.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("archive: error: mailto:editor@example.org: ")
    assert len(result.stderr.splitlines()) == 1
    assert site.seen() == []
    assert not (tmp_path / "a.db").exists()


def test_a_failed_save_loses_nothing_already_stored(site: LoopbackServer, tmp_path: Path) -> None:
    first = archive_cmd("save", site.url("/news/story.html"), "--db", "a.db", *FAST, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = archive_cmd("save", site.url("/gone.html"), "--db", "a.db", *FAST, cwd=tmp_path)
    assert second.returncode == 1
    db = tmp_path / "a.db"
    assert rows(db, "select count(*) from articles") == [(1,)]
    assert rows(db, "select count(*) from captures") == [(2,)]
    assert rows(db, "select count(*) from crawls where finished_at is not null") == [(2,)]


def test_read_commands_on_a_saved_archive(site: LoopbackServer, tmp_path: Path) -> None:
    url = site.url("/news/story.html")
    assert archive_cmd("save", url, "--db", "a.db", *FAST, cwd=tmp_path).returncode == 0
    # The page names a canonical URL on the same site: that is the article's URL.
    ((title, article_url),) = rows(tmp_path / "a.db", "select title, url from articles")
    assert article_url == site.url("/news/2024/03/flood-wall-vote.html")

    listed = archive_cmd("list", "--db", "a.db", "--json", cwd=tmp_path)
    assert listed.returncode == 0
    assert [json.loads(line)["title"] for line in listed.stdout.splitlines()] == [title]

    shown = archive_cmd("show", url, "--db", "a.db", "--json", cwd=tmp_path)
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["url"] == article_url

    word = title.split()[0]
    found = archive_cmd("search", word, "--db", "a.db", "--json", cwd=tmp_path)
    assert found.returncode == 0
    assert [json.loads(line)["url"] for line in found.stdout.splitlines()] == [article_url]

    gone = site.url("/gone.html")
    assert archive_cmd("save", gone, "--db", "a.db", *FAST, cwd=tmp_path).returncode == 1
    failed = archive_cmd("show", gone, "--db", "a.db", cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stderr.startswith(f"archive: error: {gone}: captured at ")
    assert failed.stderr.endswith(" but holds no article (HTTP 404 Not Found)\n")

    missing = archive_cmd("show", site.url("/never.html"), "--db", "a.db", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr == f"archive: error: {site.url('/never.html')}: not in the archive a.db\n"


def test_demo_archives_the_sample_site_cleanly(tmp_path: Path) -> None:
    result = archive_cmd("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "archive.db"
    with serve_site() as site:
        articles = {site.url_for(page["path"]): page for page in site.manifest["articles"]}
        index_url = site.index_url
    assert len(articles) >= 10
    # The demo serves on a fresh port each run: match pages by path.
    stored = {
        url.split("/", 3)[3]: text
        for url, text in rows(
            db,
            "select c.requested_url, a.text from articles a join captures c on c.article_id = a.id",
        )
    }
    assert sorted(stored) == sorted(page["path"] for page in articles.values())
    for page in articles.values():
        text = stored[page["path"]]
        for sentence in page["sentences"]:
            assert sentence in text, page["path"]
        for boilerplate in [*page["must_not_contain"], "Latest From", "Continue Reading Below"]:
            assert boilerplate not in text, (page["path"], boilerplate)
    index_path = index_url.split("/", 3)[3]
    assert rows(db, f"select outcome from captures where requested_url like '%/{index_path}'") == [
        ("not-article",)
    ]
    # Datasette through `archive serve`, so the bodies are hidden and the Markdown rendered.
    assert "archive serve        (pip install 'article-archiver[serve]')" in result.stdout


def test_save_applies_the_users_rules_file(site: LoopbackServer, tmp_path: Path) -> None:
    rules = tmp_path / "mine.toml"
    rules.write_text(
        '[[rule]]\nname = "loopback-kicker"\nhosts = ["127.0.0.1"]\n'
        '[rule.fields]\ntitle = "title"\n',
        encoding="utf-8",
    )
    url = site.url("/news/story.html")
    result = archive_cmd("save", url, "--db", "a.db", "--rules", str(rules), *FAST, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The rule reads the title from <title>, site name and all, where the generic parser
    # would have taken the <h1>.
    assert rows(tmp_path / "a.db", "select title from articles") == [
        ("Harbour town votes to rebuild its flood wall | The Coastal Courier",)
    ]


def test_a_bad_rules_file_stops_save_before_fetching(site: LoopbackServer, tmp_path: Path) -> None:
    rules = tmp_path / "broken.toml"
    rules.write_text('[[rule]]\nname = "no-hosts"\n', encoding="utf-8")
    url = site.url("/news/story.html")
    result = archive_cmd("save", url, "--db", "a.db", "--rules", str(rules), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"archive: error: {rules}: ")
    assert len(result.stderr.splitlines()) == 1
    assert site.seen() == []
    assert not (tmp_path / "a.db").exists()
