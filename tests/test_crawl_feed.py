"""`archive crawl feed` and `scrapy crawl feed` against a loopback news site: real crawls in
subprocesses, checked in the SQLite file they write."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawlsite import (
    REPO,
    Page,
    SiteServer,
    child_env,
    front,
    outcomes,
    rows,
    rss,
    run_archive,
)

pytestmark = pytest.mark.crawl

STORIES = {f"/news/story-{n}.html" for n in range(1, 7)}


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/feed.xml", "RSS 2.0 feed"), ("/atom.xml", "Atom 1.0 feed"), ("/feed.json", "JSON Feed")],
)
def test_feed_entries_are_stored_as_articles(
    site: SiteServer, tmp_path: Path, path: str, kind: str
) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "feed", site.url(path), db=db)
    assert run.status == 0, run
    assert outcomes(db) == {path: "not-html", **{story: "article" for story in STORIES}}
    assert rows(db, "SELECT error FROM captures WHERE requested_url = ?", site.url(path)) == [
        (f"{kind} with 6 entries",)
    ]
    titles = {title for (title,) in rows(db, "SELECT title FROM articles")}
    assert titles == {f"Story number {n} about the harbour" for n in range(1, 7)}
    assert "stored as articles" in run.stdout and "6" in run.stdout


def test_tracking_parameters_are_dropped_from_entry_links(site: SiteServer, tmp_path: Path) -> None:
    # The RSS links carry ?utm_source=rss: the archive fetches and keys the clean URL.
    db = tmp_path / "a.db"
    assert run_archive("crawl", "feed", site.url("/feed.xml"), db=db).status == 0
    fetched = [seen.path for seen in site.seen() if seen.path.startswith("/news/story-")]
    assert sorted(fetched) == sorted(STORIES)
    urls = [url for (url,) in rows(db, "SELECT url FROM articles")]
    assert all("utm_" not in url for url in urls) and len(urls) == 6


def test_homepage_naming_its_feed_is_followed(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "feed", site.url("/"), db=db)
    assert run.status == 0, run
    got = outcomes(db)
    assert got.pop("/") == "not-article"
    assert got.pop("/feed.xml") == "not-html"
    assert got == {story: "article" for story in STORIES}
    reason = rows(db, "SELECT error FROM captures WHERE requested_url = ?", site.url("/"))
    assert reason == [(f"a page naming its feed {site.url('/feed.xml')}",)]


def test_page_without_a_feed_is_an_unreadable_capture(site: SiteServer, tmp_path: Path) -> None:
    site.routes["/plain/"] = Page(b"<html><head><title>x</title></head><body>hi</body></html>")
    db = tmp_path / "a.db"
    run = run_archive("crawl", "feed", site.url("/plain/"), db=db)
    assert run.status == 1, run
    ((outcome, error),) = rows(db, "SELECT outcome, error FROM captures")
    assert outcome == "extract-error"
    assert error.startswith("not a readable feed: ")
    assert f"failed      {site.url('/plain/')}  not a readable feed:" in run.stdout


def test_include_exclude_and_since_filter_entries(site: SiteServer, tmp_path: Path) -> None:
    dates = ["Sat, 28 Nov 2026 10:00:00 GMT"] * 4 + ["Mon, 02 Nov 2026 10:00:00 GMT"] * 2
    paths = sorted(STORIES)
    site.routes["/dated.xml"] = Page(rss(site.base, paths, dates), content_type="text/xml")
    db = tmp_path / "a.db"
    run = run_archive(
        "crawl", "feed", site.url("/dated.xml"), "--since", "2026-11-20",
        "--exclude", r"story-1\.", "--include", "story-[1-5]", db=db,
    )  # fmt: skip
    assert run.status == 0, run
    assert outcomes(db) == {
        "/dated.xml": "not-html",
        "/news/story-2.html": "article",
        "/news/story-3.html": "article",
        "/news/story-4.html": "article",
    }
    assert "left out by --since/--include/--exclude" in run.stdout


def test_limit_caps_the_pages_fetched(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "feed", site.url("/feed.xml"), "--limit", "2", db=db)
    assert run.status == 0, run
    fetched = [seen for seen in site.seen() if seen.path.startswith("/news/story-")]
    assert len(fetched) == 2
    assert rows(db, "SELECT count(*) FROM articles") == [(2,)]


def test_scrapy_crawl_feed_runs_the_same_spider(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "scrapy.db"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "feed",
        "-a",
        f"url={site.url('/feed.xml')}",
    ]
    for setting in ("AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", f"ARCHIVE_DB={db}"):
        command += ["-s", setting]
    result = subprocess.run(
        command, cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]
    ((spider, arguments),) = rows(db, "SELECT spider, arguments FROM crawls")
    assert spider == "feed" and site.url("/feed.xml") in arguments


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://example.org/feed"], "unsupported scheme"),
        (["http://127.0.0.1:9/feed", "--include", "(unclosed"], "not a regular expression"),
        (["http://127.0.0.1:9/feed", "--since", "last tuesday"], "not a date"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "feed", *args, db=db)
    assert run.status == 2, run
    assert run.stderr.startswith("archive: error: ") and message in run.stderr
    assert not db.exists()


def test_front_helper_names_the_feed() -> None:
    # The homepage test relies on the fixture page naming /feed.xml as its RSS feed.
    assert b"type='application/rss+xml' href='/feed.xml'" in front("x", [])


def test_progress_line_only_when_asked_or_on_a_terminal(site: SiteServer, tmp_path: Path) -> None:
    quiet = run_archive("crawl", "feed", site.url("/feed.xml"), db=tmp_path / "a.db")
    assert quiet.status == 0 and "\x1b[K" not in quiet.stderr + quiet.stdout
    shown = run_archive(
        "crawl", "feed", site.url("/feed.xml"), db=tmp_path / "b.db", ARCHIVE_PROGRESS="True"
    )
    assert shown.status == 0, shown
    # Text mode turns each carriage return into a newline: one frame a line, then erased.
    frames = re.findall(r"\x1b\[K(.*)", shown.stderr)
    parts = [r"\d+ pages", r"\d+ articles", r"\d+ unchanged", r"\d+ failures", r"[\d.]+ pages/s"]
    line = "  ·  ".join([*parts, r"0:\d\d"])
    assert len(frames) >= 2 and all(re.fullmatch(line, frame) for frame in frames[:-1]), (
        shown.stderr
    )
    assert frames[-1] == ""  # the last write erases the line before the summary


def test_progress_counts_render_rates_and_failures() -> None:
    from archive.records import Outcome
    from crawler.extensions.progress import Counts
    from crawler.results import PageResult

    counts = Counts(started=100.0)
    for outcome in [Outcome.ARTICLE] * 3 + [Outcome.HTTP_ERROR, Outcome.NOT_ARTICLE]:
        counts.add(PageResult(url="http://x/", outcome=outcome))
    assert counts.line(now=102.5) == (
        "5 pages  ·  3 articles  ·  0 unchanged  ·  1 failures  ·  2.0 pages/s  ·  0:02"
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("setting", "terminal", "log_level", "shown"),
    [
        ("auto", True, "WARNING", True),
        ("auto", True, "INFO", False),  # Scrapy's log lines would tear the line apart
        ("auto", False, "WARNING", False),
        ("True", False, "INFO", True),
        ("false", True, "WARNING", False),
    ],
)
def test_when_the_progress_line_is_shown(
    setting: str, terminal: bool, log_level: str, shown: bool
) -> None:
    from crawler.extensions.progress import wanted

    stream = _Terminal() if terminal else io.StringIO()
    assert wanted(setting, stream, log_level) is shown
