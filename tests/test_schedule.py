"""Schedule files and the scheduler: parsing and checking, next run times, and real runs of
`archive schedule` (a subprocess) whose jobs crawl a loopback feed."""

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.scheduling import Job, ScheduleError, load_schedule, next_runs
from archive.store.db.archive_db import ArchiveDB
from tests.httpserver import LoopbackServer, Route

ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
TITLE = "Harbour town votes to rebuild its flood wall"
# A second article: its own title and canonical URL (the first one's would make it the same).
OTHER_ARTICLE = ARTICLE.replace(TITLE.encode(), b"Ferry timetable changes").replace(
    b"/news/2024/03/flood-wall-vote.html", b"/news/2024/03/ferry-timetable.html"
)
FAST = '{ AUTOTHROTTLE_ENABLED = "False", DOWNLOAD_DELAY = 0, RETRY_TIMES = 0 }'

EXAMPLE = """
timezone = "UTC"

[defaults]
db = "news.db"
settings = { DOWNLOAD_DELAY = 2, ROBOTSTXT_OBEY = true }

[jobs.harbour-feed]
command = "crawl feed"
url = "https://harbour.example/feed.xml"
cron = "*/30 * * * *"
options = { only-new = true, include = ["/news/", "/politics/"], refresh = false }

[jobs.nightly-sitemap]
command = "crawl sitemap"
url = "https://harbour.example/"
cron = "0 3 * * *"
db = "archive/sitemaps.db"
options = ["--since", "2026-11-01"]
settings = { DOWNLOAD_DELAY = 5 }

[jobs.front-pages]
command = "save"
urls = ["https://harbour.example/", "https://harbour.example/politics/"]
cron = "@hourly"
"""


def write(folder: Path, text: str, name: str = "crawls.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- reading and checking ---------------------------------------------------------------


def test_a_schedule_file_becomes_jobs_with_their_command_lines(tmp_path: Path) -> None:
    plan = load_schedule(write(tmp_path, EXAMPLE))
    assert list(plan.jobs) == ["harbour-feed", "nightly-sitemap", "front-pages"]
    feed = plan.jobs["harbour-feed"]
    assert feed == Job(
        name="harbour-feed",
        command="crawl feed",
        urls=["https://harbour.example/feed.xml"],
        cron="*/30 * * * *",
        db=str(tmp_path / "news.db"),  # relative to the schedule file
        options=["--only-new", "--include", "/news/", "--include", "/politics/"],
        settings={"DOWNLOAD_DELAY": "2", "ROBOTSTXT_OBEY": "True"},
    )
    assert feed.argv()[:4] == ["crawl", "feed", "https://harbour.example/feed.xml", "--db"]
    assert feed.argv()[-4:] == ["-s", "DOWNLOAD_DELAY=2", "-s", "ROBOTSTXT_OBEY=True"]
    sitemap = plan.jobs["nightly-sitemap"]
    assert sitemap.db == str(tmp_path / "archive" / "sitemaps.db")
    assert sitemap.options == ["--since", "2026-11-01"]
    assert sitemap.settings == {"DOWNLOAD_DELAY": "5", "ROBOTSTXT_OBEY": "True"}  # job wins
    front = plan.jobs["front-pages"]
    assert front.argv()[:3] == [
        "save",
        "https://harbour.example/",
        "https://harbour.example/politics/",
    ]
    assert plan.timezone == ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = [", "not valid TOML: "),
        ("[jobs]\n", "no jobs: add at least one [jobs.NAME] table"),
        ("colour = 1\n[jobs.a]\n", "the file: unknown key 'colour'"),
        (
            '[jobs.a]\ncommand = "crawl foo"\nurl = "http://x/"\ncron = "* * * * *"\n',
            "job 'a': unknown command 'crawl foo' (one of: crawl feed, crawl sitemap, crawl site,"
            " save, compact)",
        ),
        (
            '[jobs.a]\ncommand = "crawl feed"\nurl = "http://x/"\ncron = "61 * * * *"\n',
            "job 'a': bad cron expression '61 * * * *': ",
        ),
        (
            '[jobs.a]\ncommand = "crawl feed"\nurl = "http://x/"\ncron = "0 * * *"\n',
            "job 'a': bad cron expression '0 * * *': five fields",
        ),
        ('[jobs.a]\ncommand = "crawl feed"\ncron = "@daily"\n', "job 'a': no url given"),
        (
            '[jobs.a]\ncommand = "save"\nurl = "http://x/"\ncron = "@daily"\nwhen = 3\n',
            "job 'a': unknown key 'when'",
        ),
        (
            'timezone = "Mars/Olympus"\n[jobs.a]\ncommand = "save"\nurl = "http://x/"\n'
            'cron = "@daily"\n',
            "unknown timezone 'Mars/Olympus'",
        ),
    ],
)
def test_a_bad_schedule_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    assert str(caught.value).startswith(f"{path}: {message}")


COMPACT_JOBS = """
[defaults]
db = "news.db"
options = { refresh = true }
settings = { DOWNLOAD_DELAY = 2 }

[jobs.feed]
command = "crawl feed"
url = "https://harbour.example/feed.xml"
cron = "@hourly"

[jobs.nightly-compact]
command = "compact"
cron = "30 3 * * *"
options = { vacuum = true }
"""


def test_a_compact_job_runs_on_the_jobs_database_without_the_crawl_defaults(
    tmp_path: Path,
) -> None:
    plan = load_schedule(write(tmp_path, COMPACT_JOBS))
    compact = plan.jobs["nightly-compact"]
    assert compact.argv() == ["compact", "--db", str(tmp_path / "news.db"), "--vacuum"]
    assert plan.jobs["feed"].argv()[-3:] == ["--refresh", "-s", "DOWNLOAD_DELAY=2"]
    listed = CliRunner().invoke(cli, ["schedule", str(tmp_path / "crawls.toml"), "--list"])
    assert listed.exit_code == 0, listed.output
    assert f"nightly-compact: archive compact --db {tmp_path / 'news.db'} --vacuum" in listed.output


@pytest.mark.parametrize("key", ['url = "http://x/"', "settings = { DOWNLOAD_DELAY = 1 }"])
def test_a_compact_job_takes_no_url_or_settings(tmp_path: Path, key: str) -> None:
    text = f'[jobs.tidy]\ncommand = "compact"\ncron = "@daily"\n{key}\n'
    path = write(tmp_path, text)
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    assert str(caught.value) == f"{path}: job 'tidy': compact takes no {key.split()[0]}"


def test_once_runs_a_compact_job(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "news.db"):
        pass  # an empty archive: nothing to compact, and the run says so
    path = write(tmp_path, COMPACT_JOBS)
    run = subprocess.run(
        [sys.executable, "-m", "archive", "schedule", str(path), "--once", "nightly-compact"],
        cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "nightly-compact: ended in " in run.stderr
    assert [row[0] for row in scheduled_runs(tmp_path / "news.db")] == ["nightly-compact"]


def test_a_missing_file_is_named() -> None:
    with pytest.raises(ScheduleError, match=r"^nowhere\.toml: no such schedule file$"):
        load_schedule("nowhere.toml")


# -- next run times ---------------------------------------------------------------------


def job(cron: str) -> Job:
    return Job("j", "save", ["http://x/"], cron, "/tmp/a.db")


def test_next_runs_follow_the_cron_expression() -> None:
    after = datetime(2026, 11, 28, 17, 40, 12, tzinfo=UTC)
    assert next_runs(job("*/30 * * * *"), after, 3) == [
        datetime(2026, 11, 28, 18, 0, tzinfo=UTC),
        datetime(2026, 11, 28, 18, 30, tzinfo=UTC),
        datetime(2026, 11, 28, 19, 0, tzinfo=UTC),
    ]
    assert next_runs(job("@hourly"), after) == [datetime(2026, 11, 28, 18, 0, tzinfo=UTC)]
    weekdays = next_runs(job("0 9 * * mon-fri"), after, 2)  # a Saturday evening
    assert weekdays == [datetime(2026, 11, 30, 9, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC)]


def test_next_runs_keep_local_time_across_a_clock_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Summer time starts on 29 March 2026 at 02:00.
    runs = next_runs(job("0 3 * * *"), datetime(2026, 3, 27, 12, tzinfo=berlin), 2)
    assert [run.hour for run in runs] == [3, 3]
    assert [run.utcoffset() for run in runs] == [timedelta(hours=1), timedelta(hours=2)]


# -- the command line, without running anything ------------------------------------------


def test_list_shows_each_job_and_its_next_runs(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    result = CliRunner().invoke(cli, ["schedule", str(path), "--list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"harbour-feed: archive crawl feed https://harbour.example/feed.xml --db {tmp_path}/news.db"
        " --only-new --include /news/ --include /politics/"
        " -s DOWNLOAD_DELAY=2 -s ROBOTSTXT_OBEY=True"
    )
    prefix = "  cron '*/30 * * * *', next: "
    assert lines[1].startswith(prefix)
    times = [
        datetime.strptime(t, "%Y-%m-%d %H:%M UTC") for t in lines[1][len(prefix) :].split(", ")
    ]
    assert [b - a for a, b in itertools.pairwise(times)] == [timedelta(minutes=30)] * 2
    assert times[0].minute in (0, 30)
    assert lines[4].startswith("front-pages: archive save https://harbour.example/ ")
    assert lines[5].startswith("  cron '@hourly', next: ")


def test_a_misspelt_option_is_caught_when_the_schedule_is_loaded(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE.replace("only-new = true", "only-newer = true"))
    result = CliRunner().invoke(cli, ["schedule", str(path), "--list"])
    assert result.exit_code == 1
    assert result.output == (
        f"archive: error: {path}: job 'harbour-feed': No such option '--only-newer'."
        " Did you mean '--only-new'?\n"
    )


def test_once_needs_a_job_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    result = CliRunner().invoke(cli, ["schedule", str(path), "--once", "weekly"])
    assert result.exit_code == 1
    assert result.output == (
        f"archive: error: {path}: no job named 'weekly'"
        " (jobs: harbour-feed, nightly-sitemap, front-pages)\n"
    )


# -- real runs against a loopback feed ----------------------------------------------------


def rss(server: LoopbackServer, *paths: str) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{server.url(p)}</link></item>" for p in paths)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<link>{server.url('/')}</link><description>d</description>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def site(serve) -> LoopbackServer:
    server = serve(
        {
            "/robots.txt": Route(body=b"User-agent: *\nAllow: /\n", content_type="text/plain"),
            "/news/a.html": Route(body=ARTICLE),
            "/news/b.html": Route(body=OTHER_ARTICLE),
        }
    )
    # The feeds name absolute URLs, so they are added once the port is known.
    server.routes["/feed-a.xml"] = Route(
        body=rss(server, "/news/a.html"), content_type="application/rss+xml"
    )
    server.routes["/feed-b.xml"] = Route(
        body=rss(server, "/news/b.html"), content_type="application/rss+xml"
    )
    return server


def feed_jobs(server: LoopbackServer, cron: str = "* * * * *") -> str:
    return f"""
[defaults]
db = "news.db"
settings = {FAST}

[jobs.feed-a]
command = "crawl feed"
url = "{server.url("/feed-a.xml")}"
cron = "{cron}"

[jobs.feed-b]
command = "crawl feed"
url = "{server.url("/feed-b.xml")}"
cron = "{cron}"

[jobs.broken]
command = "crawl feed"
url = "{server.url("/feed-a.xml")}"
db = "notes.db"
cron = "{cron}"
"""


def child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}


def titles(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT title FROM articles ORDER BY title")]


def test_the_scheduler_runs_jobs_one_per_database_and_survives_a_failure(
    site: LoopbackServer, tmp_path: Path
) -> None:
    (tmp_path / "notes.db").write_text("not a database")  # so that job fails when it runs
    # Once a year: only --run-at-start runs them, however long the runs take on a busy machine
    # (every minute, a run could start again before the test has read the first ones).
    path = write(tmp_path, feed_jobs(site, cron="0 0 1 1 *"))
    command = [sys.executable, "-m", "archive", "schedule", str(path), "--run-at-start"]
    scheduler = subprocess.Popen(
        [*command, "--log-dir", str(tmp_path / "logs")],
        cwd=tmp_path,
        env=child_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = read_until(scheduler, ["feed-a: finished", "feed-b: finished", "broken: failed"])
    assert scheduler.poll() is None, "the scheduler stopped after a failed run"
    scheduler.send_signal(signal.SIGTERM)
    _, rest = scheduler.communicate(timeout=30)
    assert scheduler.returncode == 0, rest
    events = [line.split(" ", 1)[1] for line in lines + rest.splitlines()]
    started = [e.split(":")[0] for e in events if ": started (pid" in e]
    assert sorted(started) == ["broken", "feed-a", "feed-b"]
    # One run at a time per database: feed-b (same database) starts after feed-a has ended.
    order = [
        e
        for e in events
        if e.startswith(("feed-a: started", "feed-a: finished", "feed-b: started"))
    ]
    assert [e.split(" (")[0].split(" in ")[0] for e in order] == [
        "feed-a: started",
        "feed-a: finished",
        "feed-b: started",
    ]
    assert any(e.startswith("broken: failed in ") and e.endswith("(exit 2)") for e in events)
    assert titles(tmp_path / "news.db") == ["Ferry timetable changes", TITLE]
    broken_log = next((tmp_path / "logs" / "broken").glob("*.log")).read_text()
    assert "not an SQLite database (left untouched)" in broken_log
    assert len(list((tmp_path / "logs" / "feed-a").glob("*.log"))) == 1


def read_until(process: subprocess.Popen[str], wanted: list[str], timeout: float = 60) -> list[str]:
    """The scheduler's log lines up to the point where each ``wanted`` text has appeared."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stderr is not None
    while not all(any(w in line for line in lines) for w in wanted):
        assert time.monotonic() < deadline, "\n".join(lines)
        line = process.stderr.readline()
        assert line, "the scheduler ended early:\n" + "\n".join(lines)
        lines.append(line.rstrip("\n"))
    return lines


def test_once_runs_one_job_now_and_exits_with_its_status(
    site: LoopbackServer, tmp_path: Path
) -> None:
    (tmp_path / "notes.db").write_text("not a database")
    path = write(tmp_path, feed_jobs(site))
    base = [sys.executable, "-m", "archive", "schedule", str(path), "--once"]
    good = subprocess.run(
        [*base, "feed-b"], cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=60
    )
    assert good.returncode == 0, good.stderr
    assert titles(tmp_path / "news.db") == ["Ferry timetable changes"]
    assert "feed-b: ended in " in good.stderr and good.stderr.rstrip().endswith("(exit 0)")
    bad = subprocess.run(
        [*base, "broken"], cwd=tmp_path, env=child_env(), capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2
    assert "not an SQLite database (left untouched)" in bad.stderr


def test_ctrl_c_lets_the_running_crawl_stop_cleanly(
    tmp_path: Path, wait_until, capture_count
) -> None:
    pages = [f"/slow/{n}.html" for n in range(30)]
    routes = {path: Route(body=ARTICLE, delay=0.4) for path in pages}
    with LoopbackServer(routes) as server:
        urls = ", ".join(f'"{server.url(path)}"' for path in pages)
        text = f"""
[jobs.slow-pages]
command = "save"
urls = [{urls}]
db = "news.db"
cron = "0 0 1 1 *"
settings = {FAST}
"""
        path = write(tmp_path, text)
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "archive", "schedule", str(path), "--run-at-start"],
            cwd=tmp_path,
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        read_until(scheduler, ["slow-pages: started"])
        # Some pages stored, most not yet fetched.
        wait_until(lambda: capture_count(tmp_path / "news.db"), what="a first stored page")
        scheduler.send_signal(signal.SIGINT)
        _, rest = scheduler.communicate(timeout=60)
    assert scheduler.returncode == 0, rest
    assert "SIGINT: stopping after the running crawls" in rest
    assert "slow-pages: stopping (pid " in rest
    with sqlite3.connect(tmp_path / "news.db") as conn:
        ((reason, stored),) = conn.execute(
            "SELECT finish_reason, (SELECT count(*) FROM captures) FROM crawls"
        ).fetchall()
    assert reason == "shutdown"  # Scrapy's clean stop, not a killed process
    assert 0 < stored < len(pages)


# -- catching up on missed runs ------------------------------------------------------------


def test_catch_up_is_on_unless_a_job_or_the_defaults_turn_it_off(tmp_path: Path) -> None:
    text = """
[defaults]
catch_up = false

[jobs.a]
command = "save"
url = "https://harbour.example/"
cron = "@daily"

[jobs.b]
command = "save"
url = "https://harbour.example/"
cron = "@daily"
catch_up = true
"""
    plan = load_schedule(write(tmp_path, text))
    assert (plan.jobs["a"].catch_up, plan.jobs["b"].catch_up) == (False, True)
    assert all(job.catch_up for job in load_schedule(write(tmp_path, EXAMPLE)).jobs.values())
    bad = write(tmp_path, text.replace("catch_up = true", 'catch_up = "yes"'))
    with pytest.raises(ScheduleError) as caught:
        load_schedule(bad)
    assert str(caught.value) == f"{bad}: job 'b': catch_up must be true or false"


def test_previous_run_is_the_latest_cron_time_at_or_before_now() -> None:
    from archive.scheduling.config import previous_run

    noon = datetime(2026, 11, 28, 12, 0, 30, tzinfo=UTC)
    assert previous_run(job("0 3 * * *"), noon) == datetime(2026, 11, 28, 3, tzinfo=UTC)
    assert previous_run(job("*/30 * * * *"), noon) == datetime(2026, 11, 28, 12, tzinfo=UTC)
    on_time = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # a run due exactly now is the latest
    assert previous_run(job("0 * * * *"), on_time) == on_time


def recorded_run(db: Path, job_name: str, started_at: str) -> None:
    """A run of the job as an earlier scheduler recorded it in the job's database."""
    from archive.store.db.archive_db import ArchiveDB

    with ArchiveDB(db) as archive, archive.writing("a test run"):
        archive.db.execute(
            "INSERT INTO scheduled_runs (job, reason, started_at, finished_at, exit_status)"
            " VALUES (?, 'schedule', ?, ?, 0)",
            [job_name, started_at, started_at],
        )


def nightly_jobs() -> str:
    jobs = [("missed", "a.db"), ("on-time", "a.db"), ("never", "new.db"), ("off", "a.db")]
    jobs += [("broken", "notes.db"), ("every-minute", "b.db")]
    text = 'timezone = "UTC"\n'
    for name, db in jobs:
        cron = "* * * * *" if name == "every-minute" else "0 3 * * *"
        text += f'[jobs.{name}]\ncommand = "save"\nurl = "https://harbour.example/"\n'
        text += f'cron = "{cron}"\ndb = "{db}"\n'
        text += "catch_up = false\n" if name == "off" else ""
    return text


def test_catch_up_queues_one_run_of_each_job_that_missed_its_latest_time(tmp_path: Path) -> None:
    from archive.scheduling import Scheduler

    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # the 03:00 runs are the latest
    recorded_run(tmp_path / "a.db", "missed", "2026-11-27T03:00:04+00:00")  # yesterday's
    recorded_run(tmp_path / "a.db", "on-time", "2026-11-28T03:00:01+00:00")
    recorded_run(tmp_path / "a.db", "off", "2026-11-20T03:00:00+00:00")
    # A run recorded in another database is not a run of a.db's job.
    recorded_run(tmp_path / "b.db", "missed", "2026-11-28T03:00:00+00:00")
    recorded_run(tmp_path / "b.db", "every-minute", "2026-11-01T00:00:00+00:00")  # 39k missed
    (tmp_path / "notes.db").write_text("not a database")
    scheduler = Scheduler(load_schedule(write(tmp_path, nightly_jobs())), clock=lambda: now)
    scheduler.catch_up(now)
    queued = [(q.job.name, q.reason, q.due) for q in scheduler.queued]
    assert queued == [
        ("missed", "catch-up", datetime(2026, 11, 28, 3, tzinfo=UTC)),
        ("every-minute", "catch-up", now),  # however many were missed: one run
    ]
    assert not (tmp_path / "new.db").exists()  # a job never run creates nothing
    assert (tmp_path / "notes.db").read_text() == "not a database"


def test_catch_up_leaves_a_job_already_queued_at_start_alone(tmp_path: Path) -> None:
    from archive.scheduling import Scheduler

    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    recorded_run(tmp_path / "a.db", "missed", "2026-11-27T03:00:04+00:00")
    scheduler = Scheduler(load_schedule(write(tmp_path, nightly_jobs())), clock=lambda: now)
    scheduler.start_all_now()
    scheduler.catch_up(now)
    names = [q.job.name for q in scheduler.queued]
    assert names.count("missed") == 1
    assert all(q.reason == "at-start" for q in scheduler.queued)


def scheduled_runs(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT job, reason, due_at, finished_at IS NOT NULL, exit_status"
            " FROM scheduled_runs ORDER BY id"
        ).fetchall()


def test_a_scheduler_that_was_down_runs_a_missed_job_once_at_start(
    site: LoopbackServer, tmp_path: Path
) -> None:
    text = f"""
timezone = "UTC"

[defaults]
settings = {FAST}

[jobs.feed-a]
command = "crawl feed"
url = "{site.url("/feed-a.xml")}"
db = "news.db"
cron = "0 0 1 1 *"

[jobs.feed-b]
command = "crawl feed"
url = "{site.url("/feed-b.xml")}"
db = "other.db"
cron = "0 0 1 1 *"
catch_up = false
"""
    path = write(tmp_path, text)
    # Both last ran in 2000: every New Year since was missed.
    recorded_run(tmp_path / "news.db", "feed-a", "2000-01-01T00:00:00+00:00")
    recorded_run(tmp_path / "other.db", "feed-b", "2000-01-01T00:00:00+00:00")
    command = [sys.executable, "-m", "archive", "schedule", str(path)]
    scheduler = subprocess.Popen(
        command, cwd=tmp_path, env=child_env(), stderr=subprocess.PIPE, text=True
    )
    lines = read_until(scheduler, ["feed-a: finished"])
    scheduler.send_signal(signal.SIGTERM)
    _, rest = scheduler.communicate(timeout=30)
    assert scheduler.returncode == 0, rest
    events = [line.split(" ", 1)[1] for line in lines + rest.splitlines()]
    year = datetime.now(UTC).year
    assert (
        f"feed-a: missed its run at {year}-01-01T00:00:00+00:00"
        " (last run 2000-01-01T00:00:00+00:00): running it now"
    ) in events
    assert [e.split(" (pid")[0] for e in events if ": started" in e] == ["feed-a: started"]
    assert titles(tmp_path / "news.db") == [TITLE]
    assert titles(tmp_path / "other.db") == []
    assert scheduled_runs(tmp_path / "news.db")[1:] == [
        ("feed-a", "catch-up", f"{year}-01-01T00:00:00+00:00", 1, 0)
    ]
    # Started again: the run is recorded, nothing is missed any more.
    again = subprocess.Popen(
        command, cwd=tmp_path, env=child_env(), stderr=subprocess.PIPE, text=True
    )
    lines = read_until(again, ["feed-a: next run at", "feed-b: next run at"])
    again.send_signal(signal.SIGTERM)
    _, rest = again.communicate(timeout=30)
    assert again.returncode == 0, rest
    assert not [line for line in lines + rest.splitlines() if "missed" in line or "started" in line]
    assert len(scheduled_runs(tmp_path / "news.db")) == 2


def test_once_records_its_run(site: LoopbackServer, tmp_path: Path) -> None:
    path = write(tmp_path, feed_jobs(site))
    done = subprocess.run(
        [sys.executable, "-m", "archive", "schedule", str(path), "--once", "feed-b"],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert scheduled_runs(tmp_path / "news.db") == [("feed-b", "once", None, 1, 0)]
