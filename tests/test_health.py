"""`archive health`: a loopback site crawled healthy, then redesigned, is flagged; a site whose
figures only wobble, or with too little history, is not."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.records import ArticleRecord, Capture, Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.read.health import site_health
from tests.crawlsite import (
    Page,
    SiteServer,
    archive_command,
    article,
    child_env,
    front,
    rss,
    run_archive,
)
from tests.httpserver import HTML

STORIES = 12


def publish(server: SiteServer, run: int, *, redesigned: bool = False) -> None:
    """A new day's stories, listed in the feed: real articles, or (after the redesign) pages
    that are only lists of links, without dates."""
    paths = [f"/news/run{run}-story-{n}.html" for n in range(STORIES)]
    for path in paths:
        if redesigned:
            body = front(f"Story {path}", [f"/news/related-{run}-{k}.html" for k in range(8)])
        else:
            body = article(path[6:-5], f"Story {n_of(path)} of day {run} about the harbour")
        server.routes[path] = Page(body)
    server.routes["/feed.xml"] = Page(rss(server.base, paths), content_type="application/rss+xml")


def n_of(path: str) -> str:
    return path.rsplit("-", 1)[1][:-5]


def crawl(server: SiteServer, db: Path) -> str:
    run = run_archive("crawl", "feed", server.url("/feed.xml"), db=db)
    assert run.status == 0, run
    return run.stdout


def health(db: Path, *args: str) -> subprocess.CompletedProcess:
    command = archive_command("health", *args, db=db)
    command = command[: command.index("--db") + 2]  # health takes no -s settings
    return subprocess.run(command, env=child_env(), capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def redesigned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    """Four healthy crawls, then one after the redesign; the `health --check` output after
    each healthy crawl from the third on, and the last crawl's own output."""
    db = tmp_path_factory.mktemp("health") / "a.db"
    checks = []
    with SiteServer() as server:
        for run in range(4):
            publish(server, run)
            crawl(server, db)
            if run >= 2:
                checks.append(health(db, "--check").returncode)
        publish(server, 4, redesigned=True)
        last = crawl(server, db)
    return db, [str(status) for status in checks], last


def test_healthy_crawls_raise_no_flag(redesigned: tuple[Path, list[str], str]) -> None:
    _, checks, _ = redesigned
    assert checks == ["0", "0"]


def test_redesign_is_flagged_with_what_changed_and_since_when(
    redesigned: tuple[Path, list[str], str],
) -> None:
    db, _, last_crawl = redesigned
    result = health(db, "--check")
    assert result.returncode == 1, result
    flags = [line for line in result.stdout.splitlines() if line.startswith("FLAG ")]
    assert flags == [f"FLAG 127.0.0.1: articles 100% -> 0% since crawl 5 ({_started(db, 5)})"]
    assert "127.0.0.1  flagged  crawl 5     12 (48)   0% (100%)" in result.stdout
    # The crawl's own summary ends with the flag it raised.
    assert "FLAG 127.0.0.1: articles 100% -> 0% since crawl 5" in last_crawl
    assert health(db).returncode == 0  # without --check: a report, not a verdict


def test_json_gives_the_same_findings(redesigned: tuple[Path, list[str], str]) -> None:
    db, _, _ = redesigned
    result = health(db, "--json", "--check", "--site", "127.0.0.1")
    assert result.returncode == 1
    (site,) = json.loads(result.stdout)
    assert site["status"] == "flagged"
    assert site["latest"]["captures"] == STORIES and site["latest"]["articles"] == 0
    assert site["latest"]["not_article_share"] == 1.0
    assert site["history"]["runs"] == 4 and site["history"]["articles"] == 4 * STORIES
    assert site["history"]["missing_date_share"] == 0.0
    ((flag),) = site["flags"]
    assert (flag["measure"], flag["before"], flag["after"], flag["since_run"]) == (
        "articles",
        1.0,
        0.0,
        "crawl 5",
    )


def test_view_gives_the_same_figures_to_sqlite_utils(
    redesigned: tuple[Path, list[str], str],
) -> None:
    db, _, _ = redesigned
    # The sqlite-utils of the Python running the tests: a venv need not be called .venv, nor
    # be on PATH (its python run by path, not activated).
    sqlite_utils = Path(sys.executable).parent / "sqlite-utils"
    command = [str(sqlite_utils), str(db), "select * from site_health", "--json-cols"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout
    (row,) = json.loads(out)
    assert row["site"] == "127.0.0.1" and row["latest_run"] == "crawl 5"
    assert (row["latest_captures"], row["latest_articles"], row["latest_article_share"]) == (
        STORIES,
        0,
        0.0,
    )
    assert (row["history_runs"], row["history_captures"], row["history_article_share"]) == (
        4,
        4 * STORIES,
        1.0,
    )


def _started(db: Path, crawl_id: int) -> str:
    with sqlite3.connect(db) as conn:
        (at,) = conn.execute(
            "SELECT min(fetched_at) FROM captures WHERE crawl_id = ? AND outcome != 'not-html'",
            [crawl_id],
        ).fetchone()
    return at[:16].replace("T", " ")


# -- built archives: wobbles and short histories ------------------------------------------


def _store_run(
    archive: ArchiveDB,
    run: int,
    articles: int,
    others: int,
    dated: bool,
    base: str = "https://wobbly.example",
) -> None:
    """One run of the site at ``base``: ``articles`` articles (with a date when ``dated``),
    then ``others`` captures that are not articles."""
    crawl_id = archive.start_crawl("feed", {})
    for n in range(articles + others):
        url = f"{base}/{run}/{n}"
        capture = Capture(
            requested_url=url,
            fetched_at=f"2026-11-{run + 1:02d}T10:{n:02d}:00+00:00",
            outcome=Outcome.ARTICLE if n < articles else Outcome.NOT_ARTICLE,
            final_url=url,
            status=200,
            content_type=HTML,
            body=f"<html><body>page {run} {n}</body></html>".encode(),
            error=None if n < articles else "no article here",
        )
        record = None
        if n < articles:
            record = ArticleRecord(
                url=url,
                title=f"Story {run}-{n}",
                text=" ".join(["word"] * 120),
                word_count=120,
                authors=["A. Writer"],
                published_at="2026-11-01" if dated else None,
            )
        archive.store(capture, record, crawl_id=crawl_id)


@pytest.mark.parametrize(
    "articles_per_run", [(18, 20, 16, 19, 17, 20, 15), (9, 10, 8, 10, 7, 9, 10)]
)
def test_a_site_that_only_wobbles_stays_quiet(
    tmp_path: Path, articles_per_run: tuple[int, ...]
) -> None:
    with ArchiveDB(tmp_path / "a.db") as archive:
        for run, articles in enumerate(articles_per_run):
            _store_run(archive, run, articles, 20 - articles, dated=run % 2 == 0 or articles > 9)
        (found,) = site_health(archive.db)
    assert found.too_little is None
    assert found.flags == []


def test_too_little_history_is_said_with_why(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as archive:
        _store_run(archive, 0, 20, 0, dated=True)
        _store_run(archive, 1, 0, 20, dated=False)  # broken, but nothing to compare with
        (found,) = site_health(archive.db)
    assert found.flags == []
    assert found.too_little == "1 earlier run(s), 2 needed"
    result = health(tmp_path / "a.db", "--check")
    assert result.returncode == 0
    assert "not judged: wobbly.example: too little history (1 earlier run(s), 2 needed)" in (
        result.stdout
    )


def test_dates_that_stop_being_found_are_flagged(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as archive:
        for run in range(3):
            _store_run(archive, run, 15, 5, dated=True)
        _store_run(archive, 3, 15, 5, dated=False)
        (found,) = site_health(archive.db)
    assert [(f.measure, f.before, f.after, f.since_run) for f in found.flags] == [
        ("missing_date", 0.0, 1.0, "crawl 4")
    ]


def test_missing_archive_is_one_line(tmp_path: Path) -> None:
    result = health(tmp_path / "none.db")
    assert result.returncode == 2
    assert result.stderr.startswith("archive: error: ")
    assert len(result.stderr.splitlines()) == 1


def test_a_scheduled_run_logs_the_flags_it_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from archive.scheduling.aftercare import run_flags
    from archive.scheduling.config import Job

    db = tmp_path / "a.db"
    with ArchiveDB(db) as archive:
        for run in range(3):
            _store_run(archive, run, 15, 5, dated=True)
        (started_at,) = archive.db.execute("SELECT max(started_at) FROM crawls").fetchone()
        _store_run(archive, 3, 2, 18, dated=True)
    job = Job("nightly", "crawl feed", ["https://wobbly.example/feed"], "0 3 * * *", str(db))
    with caplog.at_level("WARNING"):
        flags = run_flags(job, started_at)
    assert [flag.measure for flag in flags] == ["articles"]
    assert [r.getMessage() for r in caplog.records] == [
        "nightly: FLAG wobbly.example: articles 75% -> 10% since crawl 4 (2026-11-04 10:00)"
    ]
    # The crawls before the run raised nothing.
    assert run_flags(job, "2999-01-01T00:00:00+00:00") == []


def test_since_is_the_first_run_of_the_change(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as archive:
        for run in range(3):
            _store_run(archive, run, 18, 2, dated=True)
        for run in range(3, 5):  # broken twice in a row: the flag says since the first
            _store_run(archive, run, 2, 18, dated=True)
        (found,) = site_health(archive.db)
    ((measure, before, after, since),) = [
        (f.measure, f.before, f.after, f.since_run) for f in found.flags
    ]
    assert (measure, before, after, since) == ("articles", 0.9, 0.1, "crawl 4")
    assert found.flags[0].since_at == "2026-11-04T10:00:00+00:00"
