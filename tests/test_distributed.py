"""Distributed crawls end to end: a real redis-server, two `archive crawl site --redis` workers
and one `archive ingest` writer (all subprocesses) against a loopback news site.

Each article must end up in the archive exactly once, with no URL captured twice, also when a
worker and the writer are killed with SIGKILL mid-crawl and started again.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from tests.crawlsite import SiteServer, archive_command, child_env, news_site, rows
from tests.redisserver import redis_server

pytestmark = pytest.mark.crawl

ARTICLES = 24
# Short heartbeats and idle times, so a dead worker is noticed and workers close quickly.
WORKER = {
    "ARCHIVE_REDIS_HEARTBEAT": "0.2",
    "ARCHIVE_REDIS_DEAD_AFTER": "1.5",
    "ARCHIVE_REDIS_IDLE_CLOSE": "1.5",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
}


@pytest.fixture
def redis_url(tmp_path: Path):
    folder = tmp_path / "redis"
    folder.mkdir()
    with redis_server(folder) as url:
        yield url


@pytest.fixture
def site(serve):
    server = serve()
    paths = news_site(server, articles=ARTICLES)
    for path in paths:  # slow enough for both workers to get work, and to kill one
        server.routes[path].delay = 0.15
    return server, paths


def start_worker(
    site_url: str, redis_url: str, folder: Path, name: str, *args: str, **settings: str
) -> subprocess.Popen:
    command = archive_command(
        "crawl", "site", site_url, "--redis", redis_url, *args, db=folder / f"{name}.db",
        **{**WORKER, **settings},
    )  # fmt: skip
    with (folder / f"{name}.log").open("w") as log:  # the child keeps its own copy
        return subprocess.Popen(command, cwd=folder, env=child_env(), stdout=log, stderr=log)


def start_writer(db: Path, redis_url: str, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "archive", "ingest", "--db", str(db), "--redis", redis_url,
               "--batch", "8", "--lock-ttl", "1", *extra]  # fmt: skip
    with (db.parent / f"writer-{time.monotonic_ns()}.log").open("w") as log:
        return subprocess.Popen(command, cwd=db.parent, env=child_env(), stdout=log, stderr=log)


def drained(redis_url: str) -> bool:
    """Nothing left for the writer: the list and its processing list are empty."""
    client = redis.Redis.from_url(redis_url)
    try:
        return client.llen("archive:items") == 0 and client.llen("archive:items:processing") == 0
    finally:
        client.close()


def forgotten(redis_url: str, filter_too: bool) -> bool:
    """The short "seen" marks of start URLs and fronts have expired (and, with ``filter_too``,
    every bitmap of the duplicate filter): the next run reads those pages again."""
    client = redis.Redis.from_url(redis_url)
    patterns = ["archive:site:revisit:*", *(["archive:site:seen:*"] if filter_too else [])]
    try:
        return not any(client.keys(pattern) for pattern in patterns)
    finally:
        client.close()


def finish(process: subprocess.Popen, timeout: float = 60) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def logs(folder: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in folder.glob("*.log"))


def fetched_articles(server: SiteServer, paths: list[str]) -> int:
    wanted = set(paths)
    return sum(1 for seen in server.seen() if seen.path in wanted)


def check_archived_once(db: Path, paths: list[str]) -> None:
    """Every article stored once, every URL captured once, nothing else missing."""
    articles = [urlsplit(url).path for (url,) in rows(db, "SELECT url FROM articles")]
    assert sorted(articles) == sorted(paths)
    captured = Counter(url for (url,) in rows(db, "SELECT requested_url FROM captures"))
    twice = {url: n for url, n in captured.items() if n > 1}
    assert twice == {}
    outcomes = dict(rows(db, "SELECT requested_url, outcome FROM captures"))
    assert {urlsplit(u).path for u, o in outcomes.items() if o == "article"} == set(paths)
    failed = {u: o for u, o in outcomes.items() if o not in ("article", "not-article")}
    assert failed == {}


def test_two_workers_and_a_writer_archive_each_page_once(redis_url, site, tmp_path, wait_until):
    server, paths = site
    db = tmp_path / "archive.db"
    writer = start_writer(db, redis_url)
    workers = [start_worker(server.base + "/", redis_url, tmp_path, f"w{n}") for n in (1, 2)]
    statuses = [finish(worker) for worker in workers]
    assert statuses == [0, 0], logs(tmp_path)
    wait_until(lambda: drained(redis_url))
    writer.send_signal(signal.SIGTERM)
    assert finish(writer) == 0, logs(tmp_path)
    check_archived_once(db, paths)
    # Each page was fetched once in all: the workers shared one queue and one filter.
    counts = Counter(seen.path for seen in server.seen() if seen.path != "/robots.txt")
    assert {path: n for path, n in counts.items() if n > 1} == {}
    # Both workers worked, each in its own crawls row.
    per_crawl = rows(db, "SELECT crawl_id, count(*) FROM captures GROUP BY crawl_id")
    assert len(per_crawl) == 2 and all(count > 0 for _, count in per_crawl), per_crawl
    finished = rows(db, "SELECT finish_reason FROM crawls ORDER BY id")
    assert finished == [("finished",), ("finished",)]


LIMIT = 10


def test_the_page_limit_counts_the_pages_of_all_workers(redis_url, site, tmp_path, wait_until):
    """`--limit 10` on two workers of one crawl: 10 pages fetched and stored in all (the
    workers count in one Redis counter), not 10 each; the counter is gone once the crawl
    has ended."""
    server, _ = site
    server.routes["/"].delay = 2.0  # both workers are up before the first links are queued
    db = tmp_path / "archive.db"
    writer = start_writer(db, redis_url)
    # Two requests at a time each, so that neither takes the whole queue into its downloader.
    limited = ("--limit", str(LIMIT))
    two = {"CONCURRENT_REQUESTS": "2"}
    workers = [
        start_worker(server.base + "/", redis_url, tmp_path, f"w{n}", *limited, **two)
        for n in (1, 2)
    ]
    assert [finish(worker) for worker in workers] == [0, 0], logs(tmp_path)
    wait_until(lambda: drained(redis_url))
    writer.send_signal(signal.SIGTERM)
    assert finish(writer) == 0, logs(tmp_path)
    fetched = [seen.path for seen in server.seen() if seen.path != "/robots.txt"]
    assert len(fetched) == LIMIT, fetched
    assert _count(db, "SELECT count(*) FROM captures") == LIMIT
    # Both workers fetched some of them (each alone would have stopped at 10 of its own).
    per_crawl = rows(db, "SELECT crawl_id, count(*) FROM captures GROUP BY crawl_id")
    assert len(per_crawl) == 2 and all(count > 0 for _, count in per_crawl), per_crawl
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.exists("archive:site:fetched") == 0
    finally:
        client.close()


def test_killed_worker_and_writer_lose_nothing_and_store_nothing_twice(
    redis_url, site, tmp_path, wait_until, capture_count
):
    server, paths = site
    db = tmp_path / "archive.db"
    writer = start_writer(db, redis_url)
    first = start_worker(server.base + "/", redis_url, tmp_path, "w1")
    second = start_worker(server.base + "/", redis_url, tmp_path, "w2")
    # Mid-crawl: some articles fetched and stored, most not yet.
    wait_until(lambda: fetched_articles(server, paths) >= 6)
    wait_until(lambda: capture_count(db) >= 2)
    os.kill(first.pid, signal.SIGKILL)
    os.kill(writer.pid, signal.SIGKILL)
    first.wait(timeout=10)
    writer.wait(timeout=10)
    assert fetched_articles(server, paths) < ARTICLES
    restarted = start_worker(server.base + "/", redis_url, tmp_path, "w1-again")
    writer = start_writer(db, redis_url)
    assert [finish(second), finish(restarted)] == [0, 0], logs(tmp_path)
    wait_until(lambda: drained(redis_url))
    writer.send_signal(signal.SIGTERM)
    assert finish(writer) == 0, logs(tmp_path)
    check_archived_once(db, paths)
    # The killed worker's requests were put back on the queue by a live worker.
    requeued = rows(
        db,
        "SELECT sum(json_extract(stats, '$.\"archive/distributed/requeued\"')) FROM crawls"
        " WHERE finished_at IS NOT NULL",
    )
    assert requeued[0][0] >= 1, logs(tmp_path)


def _count(db: Path, sql: str) -> int:
    try:
        return int(rows(db, sql)[0][0])
    except Exception:  # the writer is creating the file or its tables
        return 0


@pytest.mark.parametrize("filter_forgets", [True, False], ids=["filter-forgot", "filter-holds"])
def test_a_second_run_rereads_fronts_and_fetches_no_article_again(
    redis_url, site, tmp_path, filter_forgets, wait_until
):
    """Incremental across machines. A second run (an hour later, say) reads the start page
    and the section fronts again (they stay "seen" only ARCHIVE_REDIS_REVISIT_AFTER), but no
    article: either the duplicate filter still holds them, or, once it has forgotten them,
    the worker's gate reads the writer's mirror in Redis (not the archive file) and skips
    them as fresh."""
    server, paths = site
    db = tmp_path / "archive.db"
    writer = start_writer(db, redis_url)
    quick = {"ARCHIVE_REDIS_REVISIT_AFTER": "1"}
    if filter_forgets:
        quick["ARCHIVE_REDIS_SEEN_TTL"] = "1"
    first = start_worker(server.base + "/", redis_url, tmp_path, "first", **quick)
    assert finish(first) == 0, logs(tmp_path)
    wait_until(lambda: drained(redis_url))
    wait_until(lambda: forgotten(redis_url, filter_forgets), timeout=10)
    second = start_worker(server.base + "/", redis_url, tmp_path, "second", **quick)
    assert finish(second) == 0, logs(tmp_path)
    wait_until(lambda: drained(redis_url))
    writer.send_signal(signal.SIGTERM)
    assert finish(writer) == 0, logs(tmp_path)
    fetched = Counter(seen.path for seen in server.seen())
    assert {path: fetched[path] for path in paths} == dict.fromkeys(paths, 1)
    assert (fetched["/"], fetched["/news/"], fetched["/sport/"]) == (2, 2, 2)
    output = (tmp_path / "second.log").read_text()
    if filter_forgets:
        skipped = output.split("skipped: archived within the refresh window")[1]
        assert skipped.splitlines()[0].strip() == str(ARTICLES)
    else:
        assert "refresh window" not in output


def test_enqueued_seeds_are_crawled_by_a_running_worker(redis_url, site, tmp_path, wait_until):
    """`archive enqueue` pushes a second site's start URL; the worker crawls it too (its host
    joins the hosts whose links are followed) and the writer stores both sites."""
    server, paths = site
    with SiteServer() as other:
        other_paths = news_site(other, articles=4)
        db = tmp_path / "archive.db"
        writer = start_writer(db, redis_url)
        worker = start_worker(server.base + "/", redis_url, tmp_path, "w")
        enqueue = subprocess.run(
            [sys.executable, "-m", "archive", "enqueue", other.base + "/", "--redis", redis_url],
            env=child_env(), capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert enqueue.returncode == 0, enqueue.stderr
        assert enqueue.stdout == "Queued 1 start URL(s) on archive:site:start_urls\n"
        assert finish(worker) == 0, logs(tmp_path)
        wait_until(lambda: drained(redis_url))
        writer.send_signal(signal.SIGTERM)
        assert finish(writer) == 0, logs(tmp_path)
    stored = {url for (url,) in rows(db, "SELECT url FROM articles")}
    assert stored == {server.base + p for p in paths} | {other.base + p for p in other_paths}


def test_enqueue_refuses_a_bad_url_before_touching_redis(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "archive", "enqueue", "ftp://example.org/", "--redis",
         "redis://127.0.0.1:1/0"],
        env=child_env(), capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("archive: error: ")
    assert "ftp" in result.stderr
