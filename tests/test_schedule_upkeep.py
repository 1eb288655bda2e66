"""`archive schedule` keeps its databases small by itself: a bounded compact (the upkeep run)
after a crawl job's run, at a quiet time for that database."""

import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.scheduling.aftercare import QUIET_SECONDS, upkeep_job, wants_upkeep
from archive.scheduling.config import Job
from tests.crawlsite import SiteServer, child_env, news_site
from tests.test_schedule import read_until, write

FAST = '{ AUTOTHROTTLE_ENABLED = "False", DOWNLOAD_DELAY = 0, RETRY_TIMES = 0 }'


def test_after_a_crawl_job_the_scheduler_compacts_its_database(tmp_path: Path) -> None:
    with SiteServer() as site:
        news_site(site)
        text = f"""
[jobs.courier]
command = "crawl feed"
url = "{site.url("/feed.xml")}"
db = "news.db"
cron = "0 0 1 1 *"
settings = {FAST}
"""
        path = write(tmp_path, text)
        scheduler = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "archive",
                "schedule",
                str(path),
                *("--run-at-start", "--upkeep-after", "0"),
            ],
            cwd=tmp_path,
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            lines = read_until(scheduler, ["courier: finished", "upkeep: compact on"])
        finally:
            scheduler.send_signal(signal.SIGTERM)
            _, rest = scheduler.communicate(timeout=60)
    assert scheduler.returncode == 0, rest
    ended = [line for line in lines if "upkeep: compact on" in line]
    assert ended[0].endswith(f"upkeep: compact on {tmp_path / 'news.db'} ended (exit 0)")
    with sqlite3.connect(tmp_path / "news.db") as conn:
        runs = conn.execute(
            "SELECT job, reason, arguments, exit_status FROM scheduled_runs ORDER BY id"
        ).fetchall()
    assert [(job, reason, status) for job, reason, _, status in runs] == [
        ("courier", "at-start", 0),
        ("upkeep", "upkeep", 0),
    ]
    assert '"compact"' in runs[1][2] and '"--processes", "1"' in runs[1][2]


def test_no_upkeep_when_a_job_of_the_database_is_due_soon() -> None:
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    crawl = Job("news", "crawl feed", ["https://news.example/feed"], "0 * * * *", "/srv/a.db")
    other = Job("other", "crawl feed", ["https://b.example/feed"], "*/5 * * * *", "/srv/b.db")
    soon, later = now + timedelta(minutes=5), now + timedelta(seconds=QUIET_SECONDS + 60)
    assert wants_upkeep(crawl, [crawl, other], {"news": later, "other": soon}, now)
    assert not wants_upkeep(crawl, [crawl, other], {"news": soon, "other": later}, now)
    # A compact job's run is upkeep already.
    compact = Job("nightly", "compact", [], "0 3 * * *", "/srv/a.db")
    assert not wants_upkeep(compact, [compact], {"nightly": later}, now)
    assert upkeep_job("/srv/a.db").argv() == ["compact", "--db", "/srv/a.db", "--processes", "1"]
