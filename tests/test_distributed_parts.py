"""The parts of a distributed crawl on a real redis-server and real SQLite files: the rotating
Bloom duplicate filter, the handoff message format, the writer's idempotent batches and
acknowledgements, and the re-queueing of a dead worker's requests."""

import math
import pickle
import sqlite3
from pathlib import Path

import pytest
import redis
from sqlite_utils import Database

from archive.distributed import handoff
from archive.distributed.ingest import Ingester
from archive.records import ArticleRecord, Capture, Image, Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.db.datasette_meta import metadata
from archive.store.db.migrations import MIGRATIONS
from crawler.distributed.dupefilter import (
    DEFAULT_BITS,
    DEFAULT_HASHES,
    RotatingBloomDupeFilter,
)
from crawler.distributed.limit import SharedPageLimit
from crawler.distributed.workers import InFlight, Keys
from crawler.pool.job import pack_body
from tests.crawlsite import rows
from tests.redisserver import free_port, redis_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        client = redis.Redis.from_url(url)
        yield client
        client.close()


@pytest.fixture
def client(server):
    server.flushdb()
    return server


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# -- the duplicate filter --------------------------------------------------------------------


def test_bloom_filter_sees_a_url_once_and_forgets_it_within_one_ttl(client):
    clock = Clock()
    seen = RotatingBloomDupeFilter(client, "t:seen", ttl=100, bits=2**16, hashes=7, clock=clock)
    assert seen.seen("GET http://a.test/1") is False
    assert seen.seen("GET http://a.test/1") is True
    assert seen.seen("GET http://a.test/2") is False
    clock.now += 50  # next generation: the previous one still counts
    assert seen.seen("GET http://a.test/1") is True
    clock.now += 50  # two generations on: forgotten, even though it was asked about since
    assert seen.seen("GET http://a.test/1") is False


def test_bloom_filter_keys_expire_so_memory_stays_bounded(client):
    clock = Clock()
    seen = RotatingBloomDupeFilter(client, "t:seen", ttl=100, bits=2**16, hashes=7, clock=clock)
    for n in range(5):
        seen.seen(f"GET http://a.test/{n}")
        clock.now += 50
    keys = client.keys("t:seen:*")
    assert all(0 < client.pttl(key) <= 100_000 for key in keys)
    assert all(client.strlen(key) <= 2**16 // 8 for key in keys)


def false_positive_rate(urls: int, bits: int = DEFAULT_BITS, hashes: int = DEFAULT_HASHES) -> float:
    """The chance that an unseen URL is taken for seen after ``urls`` URLs in a generation,
    as the dupefilter's docstring and the README state it."""
    return (1.0 - math.exp(-hashes * urls / bits)) ** hashes


def contains(seen: RotatingBloomDupeFilter, fingerprint: str) -> bool:
    """Whether ``fingerprint`` counts as seen now, read without marking it."""
    generation = seen.generation()
    pipe = seen.server.pipeline(transaction=False)
    for key in (f"{seen.key}:{generation}", f"{seen.key}:{generation - 1}"):
        for offset in seen.offsets(fingerprint):
            pipe.getbit(key, offset)
    bits = pipe.execute()
    return all(bits[: seen.hashes]) or all(bits[seen.hashes :])


def test_bloom_false_positive_rate_matches_the_stated_formula(client):
    bits, hashes, count = 2**14, 4, 2000
    seen = RotatingBloomDupeFilter(client, "t:fp", ttl=1e9, bits=bits, hashes=hashes)
    for n in range(count):
        seen.seen(f"GET http://in.test/{n}")
    probes = 4000
    false = sum(contains(seen, f"GET http://out.test/{n}") for n in range(probes))
    expected = false_positive_rate(count, bits, hashes)  # about 0.022: 89 of 4000
    assert expected * probes * 0.6 < false < expected * probes * 1.6
    assert all(contains(seen, f"GET http://in.test/{n}") for n in range(count))
    # The README's figures for the defaults.
    assert false_positive_rate(3_500_000) < 1e-4
    assert false_positive_rate(2_200_000) < 1.1e-6


# -- handoff messages --------------------------------------------------------------------------


def _capture(url: str, outcome: str = Outcome.ARTICLE, body: bytes = b"<html>x</html>") -> Capture:
    return Capture(
        requested_url=url,
        fetched_at="2026-11-28T10:00:00+00:00",
        outcome=outcome,
        final_url=url,
        status=200,
        response_headers=[("Content-Type", "text/html"), ("ETag", '"v1"')],
        content_type="text/html",
        body=body,
        error=None if outcome == Outcome.ARTICLE else "no article",
    )


def _record(url: str) -> ArticleRecord:
    return ArticleRecord(
        url=url, title="Flood wall", text="The town votes.", images=[Image("/a.jpg", "A wall")]
    )


def _message(uid: str, url: str, crawl: str = "run-1") -> bytes:
    capture = _capture(url)
    packed = pack_body(capture.body or b"")
    return handoff.encode(
        handoff.capture_message(uid, crawl, "site", capture, _record(url), packed)
    )


def test_handoff_round_trip_keeps_capture_and_record():
    capture, record = _capture("http://a.test/1"), _record("http://a.test/1")
    message = handoff.decode(
        handoff.encode(handoff.capture_message("u", "c", "site", capture, record, None))
    )
    assert handoff.capture_from(message) == Capture(**{**capture.__dict__, "body": None})
    assert handoff.record_from(message) == record


def test_handoff_refuses_messages_that_name_classes():
    with pytest.raises(ValueError, match="may not name"):
        handoff.decode(pickle.dumps({"kind": "capture", "x": Image("/a.jpg")}))
    with pytest.raises(ValueError, match="no kind"):
        handoff.decode(pickle.dumps(["capture"]))


# -- the writer ----------------------------------------------------------------------------------


def test_writer_stores_a_capture_delivered_twice_once_and_acknowledges(client, tmp_path: Path):
    items = handoff.items_key()
    client.lpush(items, handoff.encode({"kind": "crawl-start", "crawl": "run-1",
                                        "spider": "site", "arguments": {"url": "x"}}))  # fmt: skip
    client.lpush(items, _message("uid-1", "http://a.test/1"))
    client.lpush(items, _message("uid-1", "http://a.test/1"))  # delivered again
    client.lpush(items, _message("uid-2", "http://a.test/2"))
    client.lpush(items, b"not a message")
    db = tmp_path / "a.db"
    with ArchiveDB(db) as archive:
        stats = Ingester(archive, client, batch_size=3).run(idle_exit=0)
    assert (stats.stored, stats.duplicates, stats.failed) == (2, 1, 1)
    assert rows(db, "SELECT requested_url, crawl_id FROM captures ORDER BY id") == [
        ("http://a.test/1", 1),
        ("http://a.test/2", 1),
    ]
    assert rows(db, "SELECT spider FROM crawls") == [("site",)]
    assert client.llen(items) == 0 and client.llen(handoff.processing_key()) == 0
    assert client.lrange(handoff.failed_key(), 0, -1) == [b"not a message"]
    # The frontier mirror for the workers' incremental gate.
    entry = client.hgetall(handoff.frontier_key("http://a.test/1"))
    assert entry[b"fetched_at"] == b"2026-11-28T10:00:00+00:00"
    assert entry[b"etag"] == b'"v1"' and entry[b"is_article"] == b"1"


def test_writer_takes_over_what_a_killed_writer_left_in_processing(client, tmp_path: Path):
    db = tmp_path / "a.db"
    with ArchiveDB(db) as archive:  # the killed writer had committed uid-1 already
        Ingester(archive, client).store([_message("uid-1", "http://a.test/1")])
    processing = handoff.processing_key()
    client.lpush(
        processing, _message("uid-1", "http://a.test/1"), _message("uid-2", "http://a.test/2")
    )
    client.lpush(handoff.items_key(), _message("uid-3", "http://a.test/3"))
    with ArchiveDB(db) as archive:
        stats = Ingester(archive, client).run(idle_exit=0)
    assert (stats.stored, stats.duplicates) == (2, 1)
    assert [url for (url,) in rows(db, "SELECT requested_url FROM captures ORDER BY id")] == [
        "http://a.test/1",
        "http://a.test/2",
        "http://a.test/3",
    ]
    assert client.llen(processing) == 0


def test_a_second_writer_waits_for_the_first_writers_lock(client, tmp_path: Path):
    client.set(handoff.writer_lock_key(), "someone", px=300)
    client.lpush(handoff.items_key(), _message("uid-1", "http://a.test/1"))
    with ArchiveDB(tmp_path / "a.db") as archive:
        ingester = Ingester(archive, client)
        ingester.acquire_lock()  # returns once the other writer's lock has expired
        assert client.get(handoff.writer_lock_key()) == ingester.token.encode()
        ingester.release_lock()


# -- the shared page limit -----------------------------------------------------------------------


def test_the_page_limit_is_shared_by_every_worker_of_a_crawl(client):
    keys = Keys("archive", "site")
    first, second = (SharedPageLimit(client, keys, ttl=60) for _ in range(2))
    taken = [first.take(5), second.take(5), first.take(5), second.take(5), first.take(5)]
    assert taken == [True] * 5
    assert (second.take(5), first.take(5)) == (False, False)
    assert first.count() == 5  # refusals do not count
    assert 0 < client.pttl(keys.fetched) <= 60_000
    # Another spider's crawl has its own counter.
    assert SharedPageLimit(client, Keys("archive", "feed"), ttl=60).take(5) is True


def test_the_page_counter_expires_and_its_heartbeat_renews_it(client, wait_until):
    limit = SharedPageLimit(client, Keys("archive", "site"), ttl=0.3)
    assert limit.take(1) is True
    client.pexpire(limit.keys.fetched, 50)
    limit.renew()
    assert 200 < client.pttl(limit.keys.fetched) <= 300  # renewed to the ttl, no longer
    # No fetch, no heartbeat for longer than the ttl: gone.
    wait_until(lambda: client.exists(limit.keys.fetched) == 0, timeout=5, what="the expiry")
    assert limit.take(1) is True  # a new run of the crawl starts from zero


def test_the_last_worker_of_a_finished_crawl_drops_the_counter(client):
    keys = Keys("archive", "site")
    limit = SharedPageLimit(client, keys, ttl=60)
    limit.take(10)
    client.sadd(keys.workers, "other")  # another worker still registered: kept
    assert limit.end() is False
    client.srem(keys.workers, "other")
    client.zadd(keys.queue, {b"request": 0})  # requests still queued (a stopped crawl): kept
    assert limit.end() is False
    client.delete(keys.queue)
    client.rpush(keys.start_urls, b'{"url": "http://a.test/"}')  # seeds waiting: kept
    assert limit.end() is False
    client.delete(keys.start_urls)
    assert limit.end() is True
    assert client.exists(keys.fetched) == 0


# -- the writer's bookkeeping tables (migration 0007) ---------------------------------------------


def test_a_fresh_archive_has_the_ingest_tables_before_any_writer_ran(tmp_path: Path):
    with ArchiveDB(tmp_path / "a.db") as archive:
        assert archive.db["ingested_captures"].columns_dict == {"uid": str, "capture_id": int}
        assert archive.db["ingested_crawls"].columns_dict == {"uid": str, "crawl_id": int}
        assert archive.db["ingested_captures"].pks == ["uid"]
        names = [m.name for m in MIGRATIONS.applied(archive.db)]
        assert "0007_ingest_bookkeeping" in names


def test_an_archive_whose_writer_made_the_tables_itself_migrates_and_keeps_them(
    client, tmp_path: Path
):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    MIGRATIONS.apply(old, stop_before="0007_ingest_bookkeeping")
    # What archive ingest ran at start-up before migration 0007, and a page it had stored.
    for sql in (
        "CREATE TABLE IF NOT EXISTS ingested_captures (uid TEXT PRIMARY KEY, capture_id INTEGER)",
        "CREATE TABLE IF NOT EXISTS ingested_crawls (uid TEXT PRIMARY KEY, crawl_id INTEGER)",
    ):
        old.execute(sql)
    old.execute("INSERT INTO ingested_captures VALUES ('uid-1', 1)")
    old.conn.commit()
    old.close()
    client.lpush(handoff.items_key(), _message("uid-1", "http://a.test/1"))  # stored already
    client.lpush(handoff.items_key(), _message("uid-2", "http://a.test/2"))
    with ArchiveDB(path) as archive:
        assert MIGRATIONS.pending(archive.db) == []
        stats = Ingester(archive, client).run(idle_exit=0)
    assert (stats.stored, stats.duplicates) == (1, 1)
    assert rows(path, "SELECT uid FROM ingested_captures ORDER BY uid") == [("uid-1",), ("uid-2",)]
    assert rows(path, "SELECT requested_url FROM captures") == [("http://a.test/2",)]


def test_datasette_metadata_hides_and_describes_the_ingest_tables(tmp_path: Path):
    tables = metadata(tmp_path / "news.db")["databases"]["news"]["tables"]
    for name in ("ingested_captures", "ingested_crawls"):
        assert tables[name]["hidden"] is True
        assert "archive ingest" in tables[name]["description"]


# -- in-flight requests ----------------------------------------------------------------------------


def test_a_dead_workers_requests_go_back_on_the_queue_once(client):
    keys = Keys("t", "site")
    client.zadd(keys.queue, {b"request-a": -5, b"request-b": 0})
    dead = InFlight(client, keys, dead_after=0.2)
    dead.register()
    data, field = dead.pop() or (None, "")
    assert data == b"request-a" and field.startswith("-5|")
    assert client.zcard(keys.queue) == 1
    assert client.hvals(keys.inflight(dead.worker)) == [b"request-a"]
    live = InFlight(client, keys, dead_after=5)
    live.register()
    assert live.reap() == 0  # the other worker still beats
    client.delete(keys.alive(dead.worker))  # its heartbeat expired
    assert live.reap() == 1
    assert live.reap() == 0
    assert client.zrange(keys.queue, 0, -1, withscores=True) == [
        (b"request-a", -5.0),
        (b"request-b", 0.0),
    ]
    assert client.smembers(keys.workers) == {live.worker.encode()}


def test_a_held_request_gives_its_uid_for_a_failed_fetch_capture(client):
    """An errback item has no response; its capture uid is its held request's, so a request
    re-queued after a kill gives the same uid again."""
    from scrapy import Request

    from crawler.distributed.scheduler import ADMITTED
    from crawler.spiders.base import REQUESTED_URL

    tracker = InFlight(client, Keys("t", "site"), dead_after=5)
    redirected = Request(
        "http://a.test/new", meta={REQUESTED_URL: "http://a.test/old", ADMITTED: "uid-7"}
    )
    tracker.hold("0|x", redirected)
    tracker.hold("0|y", Request("http://a.test/plain", meta={ADMITTED: "uid-8"}))
    assert tracker.uid_for("http://a.test/old", REQUESTED_URL, ADMITTED) == "uid-7"
    assert tracker.uid_for("http://a.test/plain", REQUESTED_URL, ADMITTED) == "uid-8"
    assert tracker.uid_for("http://a.test/new", REQUESTED_URL, ADMITTED) is None
    tracker.settle(set())  # Scrapy is done with both
    assert tracker.uid_for("http://a.test/old", REQUESTED_URL, ADMITTED) is None


def test_writer_mirrors_an_archive_built_before_it_was_distributed(client, tmp_path: Path):
    db = tmp_path / "a.db"
    with ArchiveDB(db) as archive:
        archive.store(_capture("http://a.test/1"), _record("http://a.test/1"))
        archive.store(_capture("http://a.test/front", Outcome.NOT_ARTICLE))
        failed = Capture("http://a.test/down", "2026-11-28T10:00:00+00:00", Outcome.FETCH_ERROR,
                         error="refused")  # fmt: skip
        archive.store(failed)
        assert Ingester(archive, client).mirror_existing() == 2
    article = client.hgetall(handoff.frontier_key("http://a.test/1"))
    front = client.hgetall(handoff.frontier_key("http://a.test/front"))
    assert (article[b"is_article"], front[b"is_article"]) == (b"1", b"0")
    assert article[b"etag"] == b'"v1"'
    assert client.exists(handoff.frontier_key("http://a.test/down")) == 0


def test_ingest_says_so_when_redis_does_not_answer(tmp_path: Path):
    from click.testing import CliRunner

    from archive.cli import cli

    port = free_port()  # nothing listens there
    result = CliRunner().invoke(
        cli, ["ingest", "--db", str(tmp_path / "a.db"), "--redis", f"redis://127.0.0.1:{port}/0"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("archive: error: ")
    assert "cannot reach Redis" in result.output
