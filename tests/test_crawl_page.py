"""Real crawls by the real ``page`` spider against a loopback server, checked in SQLite.

Each crawl runs in a subprocess (Twisted's reactor cannot restart): either the ``scrapy``
command from the repo root (through ``scrapy.cfg``) or a small script calling
``crawler.runner.run_spider`` from another folder. Politeness is lifted with settings so that
each crawl takes a second or two.
"""

import gzip
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.store.db.archive_db import ArchiveDB
from tests.httpserver import LoopbackServer, Route, unused_port

pytestmark = pytest.mark.crawl

REPO = Path(__file__).resolve().parent.parent
ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
SECTION = (Path(__file__).parent / "crawl_pages" / "section.html").read_bytes()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "RETRY_TIMES": "1",
    "DOWNLOAD_TIMEOUT": "1.5",
    "DOWNLOAD_MAXSIZE": "20000",
    "LOG_LEVEL": "INFO",
}
REFRESH = '<html><head><meta http-equiv="refresh" content="0; url={target}"></head><body>{pad}'


def refresh_page(target: str, size: int) -> bytes:
    """A page whose meta refresh sends the browser to ``target``, padded to ``size`` bytes."""
    page = REFRESH.format(target=target, pad="")
    pad = "<p>Moved.</p>" * ((size - len(page) - 14) // 13)
    return (REFRESH.format(target=target, pad=pad) + "</body></html>").encode()


ROUTES = {
    "/robots.txt": Route(body=ROBOTS, content_type="text/plain"),
    "/news/story.html": Route(body=ARTICLE),
    "/gone.html": Route(b"<html><body><h1>Not found</h1></body></html>", status=404),
    "/broken.html": Route(b"<html><body>Internal error</body></html>", status=500),
    "/old-story": Route(status=301, headers=(("Location", "/news/moved.html"),)),
    "/news/moved.html": Route(body=ARTICLE),
    # Meta refreshes, on a small page and on one bigger than the part that is decoded for it.
    "/refresh-small.html": Route(body=refresh_page("/news/refreshed-1.html", 600)),
    "/refresh-big.html": Route(body=refresh_page("/news/refreshed-2.html", 19_000)),
    "/news/refreshed-1.html": Route(body=ARTICLE),
    "/news/refreshed-2.html": Route(body=ARTICLE),
    "/slow.html": Route(body=ARTICLE, delay=4),
    "/report.pdf": Route(body=PDF, content_type="application/pdf"),
    "/huge.html": Route(body=b"<html><body>" + b"<p>word</p>" * 5000 + b"</body></html>"),
    "/news/": Route(body=SECTION),
    "/private/one.html": Route(body=ARTICLE),
    "/private/two.html": Route(body=ARTICLE),
    "/loop": Route(status=302, headers=(("Location", "/loop"),)),
    "/to-ftp": Route(status=302, headers=(("Location", "ftp://example.org/file.txt"),)),
    "/truncated.html": Route(body=ARTICLE, truncate=500),
    # Small on the wire, far over DOWNLOAD_MAXSIZE once inflated.
    "/bomb.html": Route(
        body=gzip.compress(b"<html>" + b" " * 1_000_000), headers=(("Content-Encoding", "gzip"),)
    ),
}


def scrapy_settings(overrides: dict[str, str]) -> list[str]:
    return [arg for name, value in overrides.items() for arg in ("-s", f"{name}={value}")]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env.update(extra)
    return env


def query(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def capture(db: Path, url: str) -> sqlite3.Row:
    rows = query(db, "SELECT * FROM captures WHERE requested_url = ?", url)
    assert len(rows) == 1, f"{len(rows)} captures for {url}"
    return rows[0]


@dataclass
class Crawl:
    server: LoopbackServer
    db: Path
    urls: dict[str, str]  # path (or "refused") -> requested URL
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """One crawl of every kind of page at once: the failures must not stop the others."""
    db = tmp_path_factory.mktemp("mixed") / "archive.db"
    with LoopbackServer(ROUTES) as server:
        urls = {path: server.url(path) for path in ROUTES if path != "/robots.txt"}
        for reached_by_redirect in ("moved", "refreshed-1", "refreshed-2"):
            urls.pop(f"/news/{reached_by_redirect}.html")
        urls["refused"] = f"http://127.0.0.1:{unused_port()}/nothing-listens.html"
        command = [sys.executable, "-m", "scrapy", "crawl", "page"]
        command += ["-a", "url=" + ",".join(urls.values()), "-s", f"ARCHIVE_DB={db}"]
        result = subprocess.run(
            command + scrapy_settings(FAST),
            cwd=REPO,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        yield Crawl(server, db, urls, result)


def test_mixed_crawl_exits_cleanly(mixed: Crawl) -> None:
    assert mixed.result.returncode == 0, mixed.result.stderr[-3000:]
    assert "Traceback" not in mixed.result.stderr
    assert "Warning" not in mixed.result.stderr


def test_article_page_is_stored_as_an_article(mixed: Crawl) -> None:
    url = mixed.urls["/news/story.html"]
    row = capture(mixed.db, url)
    assert (row["status"], row["outcome"], row["error"]) == (200, "article", None)
    assert row["final_url"] == url
    assert row["content_type"] == "text/html; charset=utf-8"
    article = query(mixed.db, "SELECT * FROM articles WHERE id = ?", row["article_id"])[0]
    assert article["title"] == "Harbour town votes to rebuild its flood wall"
    assert article["word_count"] >= 200
    assert "Related stories" not in article["text"]
    with ArchiveDB(mixed.db) as archive:
        assert archive.body(row["body_hash"]) == ARTICLE


def test_headers_are_kept_as_name_value_pairs(mixed: Crawl) -> None:
    row = capture(mixed.db, mixed.urls["/news/story.html"])
    sent = dict(json.loads(row["request_headers"]))
    assert sent["User-Agent"].startswith("article-archiver/")
    assert "+https://github.com/article-archiver/article-archiver" in sent["User-Agent"]
    received = json.loads(row["response_headers"])
    assert ["Content-Type", "text/html; charset=utf-8"] in received
    assert ["Content-Length", str(len(ARTICLE))] in received


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/gone.html", 404, "HTTP 404 Not Found"),
        ("/broken.html", 500, "HTTP 500 Internal Server Error (after 2 attempts)"),
    ],
)
def test_http_errors_are_captures_with_status_and_reason(
    mixed: Crawl, path: str, status: int, reason: str
) -> None:
    row = capture(mixed.db, mixed.urls[path])
    assert (row["status"], row["outcome"], row["error"]) == (status, "http-error", reason)
    assert row["article_id"] is None
    assert row["body_hash"] is not None  # the error page itself is kept


def test_server_errors_are_retried_but_not_found_is_not(mixed: Crawl) -> None:
    assert len(mixed.server.fetched("/broken.html")) == 2  # RETRY_TIMES=1
    assert len(mixed.server.fetched("/gone.html")) == 1


def test_redirect_keeps_requested_and_final_url(mixed: Crawl) -> None:
    row = capture(mixed.db, mixed.urls["/old-story"])
    assert row["final_url"] == mixed.server.url("/news/moved.html")
    assert (row["status"], row["outcome"]) == (200, "article")
    assert not query(mixed.db, "SELECT 1 FROM captures WHERE requested_url LIKE '%moved%'")


@pytest.mark.parametrize("path", ["/refresh-small.html", "/refresh-big.html"])
def test_a_meta_refresh_is_followed_like_a_redirect(mixed: Crawl, path: str) -> None:
    row = capture(mixed.db, mixed.urls[path])
    target = "/news/refreshed-1.html" if "small" in path else "/news/refreshed-2.html"
    assert row["final_url"] == mixed.server.url(target)
    assert (row["status"], row["outcome"]) == (200, "article")
    assert len(mixed.server.fetched(target)) == 1


def test_slow_response_past_the_timeout_is_a_fetch_error(mixed: Crawl) -> None:
    row = capture(mixed.db, mixed.urls["/slow.html"])
    assert row["outcome"] == "fetch-error"
    assert row["error"] == "timed out: no complete response within 1.5 seconds (after 2 attempts)"
    assert row["status"] is None
    assert row["body_hash"] is None


def test_pdf_is_a_not_html_capture_and_no_article(mixed: Crawl) -> None:
    row = capture(mixed.db, mixed.urls["/report.pdf"])
    assert (row["status"], row["outcome"]) == (200, "not-html")
    assert row["error"] == "not HTML: the server sent application/pdf"
    assert row["content_type"] == "application/pdf"
    assert row["article_id"] is None
    with ArchiveDB(mixed.db) as archive:
        assert archive.body(row["body_hash"]) == PDF


def test_response_over_the_size_limit_is_a_fetch_error(mixed: Crawl) -> None:
    row = capture(mixed.db, mixed.urls["/huge.html"])
    assert row["outcome"] == "fetch-error"
    assert row["error"].startswith("response too large: ")
    assert row["error"].endswith("over the 20000-byte limit (DOWNLOAD_MAXSIZE)")


def test_section_front_is_not_an_article(mixed: Crawl) -> None:
    row = capture(mixed.db, mixed.urls["/news/"])
    assert (row["status"], row["outcome"], row["article_id"]) == (200, "not-article", None)
    assert row["error"]


def test_robots_txt_disallowed_pages_are_never_fetched(mixed: Crawl) -> None:
    # Two disallowed pages of one site in one crawl: Scrapy 2.19's own middleware let the
    # second one through while robots.txt was still being fetched.
    for path in ("/private/one.html", "/private/two.html"):
        row = capture(mixed.db, mixed.urls[path])
        assert (row["outcome"], row["error"]) == ("robots", "forbidden by robots.txt")
        assert row["status"] is None
        assert mixed.server.fetched(path) == []
    assert len(mixed.server.fetched("/robots.txt")) == 1


def test_refused_connection_is_a_fetch_error(mixed: Crawl) -> None:
    row = capture(mixed.db, mixed.urls["refused"])
    assert row["outcome"] == "fetch-error"
    assert row["error"] == "connection refused (after 2 attempts)"


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/loop", None, "too many redirects (REDIRECT_MAX_TIMES)"),
        ("/to-ftp", 302, "HTTP 302 Found (redirect to ftp://example.org/file.txt not followed)"),
        (
            "/truncated.html",
            None,
            "connection closed before the whole response arrived (after 2 attempts)",
        ),
        (
            "/bomb.html",
            None,
            "response too large: over the 20000-byte limit once decompressed (DOWNLOAD_MAXSIZE)",
        ),
    ],
)
def test_misbehaving_responses_are_captures_with_a_reason(
    mixed: Crawl, path: str, status: int | None, reason: str
) -> None:
    row = capture(mixed.db, mixed.urls[path])
    assert row["outcome"] == ("http-error" if status else "fetch-error")
    assert (row["status"], row["error"], row["article_id"]) == (status, reason, None)


def test_every_url_is_one_capture_of_one_finished_crawl(mixed: Crawl) -> None:
    crawls = query(mixed.db, "SELECT * FROM crawls")
    assert len(crawls) == 1
    crawl = crawls[0]
    assert (crawl["spider"], crawl["finish_reason"]) == ("page", "finished")
    assert json.loads(crawl["arguments"])["urls"] == list(mixed.urls.values())
    stats = json.loads(crawl["stats"])
    assert stats["archive/stored"] == len(mixed.urls)
    assert stats["archive/outcome/article"] == 4  # the story, one redirect, two refreshes
    rows = query(mixed.db, "SELECT requested_url, crawl_id FROM captures")
    assert sorted(r["requested_url"] for r in rows) == sorted(mixed.urls.values())
    assert {r["crawl_id"] for r in rows} == {crawl["id"]}


RUNNER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from crawler.runner import run_spider

    db, kwargs, settings = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    def report(result):
        print("RESULT", json.dumps([result.url, result.outcome, result.title]), flush=True)
    try:
        summary = run_spider("page", db_path=db, spider_kwargs=kwargs, settings=settings,
                             on_result=report)
    except Exception as error:
        print("RAISED", type(error).__name__, error)
        sys.exit(3)
    print("SUMMARY", json.dumps([summary.crawl_id, summary.finish_reason,
                                 len(summary.results), summary.stats["archive/stored"]]))
    """
)


def run_runner(cwd: Path, db: Path, kwargs: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """run_spider in a subprocess started in ``cwd``, far from scrapy.cfg."""
    settings = {name: value for name, value in FAST.items() if name != "LOG_LEVEL"}
    settings["LOG_LEVEL"] = "WARNING"
    script = cwd / "run_crawl.py"
    script.write_text(RUNNER_SCRIPT, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), str(db), json.dumps(kwargs), json.dumps(settings)],
        cwd=cwd,
        env=child_env(PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_runner_reads_a_url_file_and_reports_each_page(tmp_path: Path) -> None:
    db = tmp_path / "out" / "archive.db"
    db.parent.mkdir()
    with LoopbackServer(ROUTES) as server:
        story, gone = server.url("/news/story.html"), server.url("/gone.html")
        listing = tmp_path / "urls.txt"
        listing.write_text(f"# today's list\n{story}\n\n{gone}\n{story}\n", encoding="utf-8")
        result = run_runner(tmp_path, db, {"urls_file": str(listing)})
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    reported = sorted(json.loads(line[7:]) for line in lines if line.startswith("RESULT "))
    title = "Harbour town votes to rebuild its flood wall"
    assert reported == sorted([[story, "article", title], [gone, "http-error", None]])
    crawl_id = query(db, "SELECT id FROM crawls")[0]["id"]
    assert lines[-1] == f"SUMMARY {json.dumps([crawl_id, 'finished', 2, 2])}"
    rows = query(db, "SELECT requested_url, outcome FROM captures ORDER BY requested_url")
    assert [tuple(r) for r in rows] == sorted([(story, "article"), (gone, "http-error")])


def test_runner_rejects_an_invalid_url_before_fetching(tmp_path: Path) -> None:
    with LoopbackServer(ROUTES) as server:
        urls = f"{server.url('/news/story.html')} ftp://example.org/file"
        result = run_runner(tmp_path, tmp_path / "archive.db", {"url": urls})
        assert server.fetched("/news/story.html") == []
    assert result.returncode == 3, result.stderr[-3000:]
    assert result.stdout.startswith("RAISED InvalidURLError ftp://example.org/file: ")


def test_scrapy_command_from_the_repo_root_with_a_contact(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    scrapy_command = Path(sys.executable).parent / "scrapy"
    with LoopbackServer(ROUTES) as server:
        url = server.url("/news/story.html")
        command = [str(scrapy_command), "crawl", "page", "-a", f"url={url}"]
        result = subprocess.run(
            [*command, "-s", f"ARCHIVE_DB={db}", *scrapy_settings(FAST)],
            cwd=REPO,
            env=child_env(ARCHIVE_CONTACT="archivist@example.org"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        agents = {seen.headers["User-Agent"] for seen in server.seen()}
    assert result.returncode == 0, result.stderr[-3000:]
    assert capture(db, url)["outcome"] == "article"
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("article-archiver/")
    assert agent.endswith("; archivist@example.org)")
