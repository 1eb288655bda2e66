"""The single writer of a distributed crawl: drain the Redis list of finished pages into the
archive, in batches, acknowledging a message only once its transaction has committed.

    archive = ArchiveDB("archive.db")
    Ingester(archive, connect("redis://127.0.0.1:6379/0")).run()

Delivery is at least once, so storing is idempotent. Each loop:

1. take a batch: ``BLMOVE`` the oldest message from ``items`` to ``items:processing`` (waiting
   up to a second), then up to ``batch_size - 1`` more, lingering up to ``linger`` seconds
   for them (one commit per page would cost far more than the pages); messages left in
   ``processing`` by a writer that was killed are taken first;
2. store the batch in one transaction; every capture carries a stable uid made by its
   worker, recorded in ``ingested_captures`` (migration 0007) in the same transaction, so a
   message seen again (the writer died after its commit but before its acknowledgement) is
   skipped;
3. after the commit, mirror each stored URL's last fetch and validators into Redis (the
   workers' incremental gate reads them) and acknowledge: the batch leaves ``processing`` in
   one ``LTRIM``; messages that could not be stored go to ``items:failed``, never lost.

Only one writer may run per Redis prefix: it holds ``writer_lock_key`` (renewed each loop,
expiring ``lock_ttl`` seconds after a writer dies). Redis is reached through a ``redis-py``
client; this module imports ``redis`` only in ``connect``.
"""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from archive.distributed import handoff
from archive.errors import DiskFullError, StorageError
from archive.store.db.archive_db import ArchiveDB
from archive.store.read import frontier
from archive.store.write.prepare import prepare

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Renew the lock only if it is still ours (another writer may hold it after an expiry).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
FRONTIER_TTL = 90 * 24 * 60 * 60  # a mirrored URL not fetched for 90 days is forgotten


def connect(url: str) -> Any:
    """A ``redis-py`` client for ``url`` (``redis://host:port/db``); raises ``StorageError``
    when the ``distributed`` extra is not installed or the server does not answer."""
    try:
        import redis
    except ImportError as exc:
        raise StorageError(
            "Redis support is not installed: pip install 'article-archiver[distributed]'"
        ) from exc
    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise StorageError(f"cannot reach Redis: {exc}", subject=url) from exc
    return client


@dataclass
class IngestStats:
    batches: int = 0
    stored: int = 0  # captures written
    duplicates: int = 0  # captures already in the archive (delivered again), skipped
    crawls: int = 0  # crawl runs started or finished
    failed: int = 0  # messages moved to the failed list


class Ingester:
    """Drains one Redis prefix's list of finished pages into one archive."""

    def __init__(
        self,
        archive: ArchiveDB,
        client: Any,
        *,
        prefix: str = handoff.DEFAULT_PREFIX,
        batch_size: int = BATCH_SIZE,
        lock_ttl: float = 10.0,
        frontier_ttl: int = FRONTIER_TTL,
        linger: float = 0.25,
    ) -> None:
        self.archive = archive
        self.redis = client
        self.prefix = prefix
        self.batch_size = max(1, batch_size)
        self.lock_ttl_ms = int(lock_ttl * 1000)
        self.frontier_ttl = frontier_ttl
        self.linger = linger  # seconds a batch waits to fill once its first message is in
        self.token = uuid.uuid4().hex
        self.stats = IngestStats()
        self._crawls: dict[str, int] = {}
        # ingested_captures and ingested_crawls come with the schema (migration 0007).
        self._renew = client.register_script(_RENEW)

    @property
    def crawl_ids(self) -> list[int]:
        """The archive's crawls this ingester stored captures or ends of (the workers' runs)."""
        return sorted(set(self._crawls.values()))

    # -- the loop ----------------------------------------------------------------------

    def run(
        self,
        *,
        idle_exit: float | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        wait: float = 1.0,
    ) -> IngestStats:
        """Ingest until ``should_stop()`` or, with ``idle_exit``, until the list has been
        empty that many seconds. A batch under way is always finished and acknowledged."""
        self.acquire_lock(should_stop)
        wait = min(wait, self.lock_ttl_ms / 3000)  # renewed well before it can expire
        idle_since = time.monotonic()
        try:
            while not should_stop():
                self._renew_lock()
                if self.ingest_batch(wait):
                    idle_since = time.monotonic()
                elif idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                    break
        finally:
            self.release_lock()
        return self.stats

    def acquire_lock(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        key = handoff.writer_lock_key(self.prefix)
        waited = False
        while not self.redis.set(key, self.token, nx=True, px=self.lock_ttl_ms):
            if should_stop():
                raise StorageError("stopped while waiting for the writer lock", subject=key)
            if not waited:
                logger.warning("Another writer holds %s; waiting for it to go", key)
                waited = True
            time.sleep(0.2)

    def _renew_lock(self) -> None:
        key = handoff.writer_lock_key(self.prefix)
        if not self._renew(keys=[key], args=[self.token, self.lock_ttl_ms]):
            # Lost it (this process stalled past the expiry): take it again before writing.
            self.acquire_lock()

    def release_lock(self) -> None:
        key = handoff.writer_lock_key(self.prefix)
        if self.redis.get(key) == self.token.encode():
            self.redis.delete(key)

    def ingest_batch(self, wait: float = 1.0) -> int:
        """Take, store and acknowledge one batch; returns the number of messages taken."""
        batch = self.take(wait)
        if not batch:
            return 0
        failed, urls = self.store(batch)
        self.mirror(urls)
        self.acknowledge(len(batch), failed)
        self.stats.batches += 1
        return len(batch)

    def take(self, wait: float) -> list[bytes]:
        """The next batch, oldest first: first whatever a killed writer left in processing."""
        processing = handoff.processing_key(self.prefix)
        left = self.redis.lrange(processing, 0, -1)
        if left:
            logger.info("Taking %d messages left by an earlier writer", len(left))
            return list(reversed(left))
        items = handoff.items_key(self.prefix)
        first = self.redis.blmove(items, processing, wait, "RIGHT", "LEFT")
        if first is None:
            return []
        batch = [first]
        # Linger a little for more: a commit per page would cost the writer several times
        # the CPU of storing the page (measured: 7 ms a page in trickles, 1-2 ms in batches).
        deadline = time.monotonic() + self.linger
        while True:
            batch += self._take_ready(self.batch_size - len(batch))
            if len(batch) >= self.batch_size or time.monotonic() >= deadline:
                return batch
            time.sleep(min(0.05, self.linger))

    def _take_ready(self, count: int) -> list[bytes]:
        """Up to ``count`` more messages that are already waiting, moved to processing."""
        items = handoff.items_key(self.prefix)
        processing = handoff.processing_key(self.prefix)
        count = min(count, self.redis.llen(items))
        if count <= 0:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for _ in range(count):
            pipe.lmove(items, processing, "RIGHT", "LEFT")
        return [data for data in pipe.execute() if data is not None]

    def acknowledge(self, count: int, failed: list[bytes]) -> None:
        """Drop the batch from processing (its oldest messages sit at the right end)."""
        pipe = self.redis.pipeline(transaction=True)
        if failed:
            pipe.lpush(handoff.failed_key(self.prefix), *failed)
        pipe.ltrim(handoff.processing_key(self.prefix), 0, -(count + 1))
        pipe.execute()

    # -- storing -------------------------------------------------------------------------

    def store(self, batch: list[bytes]) -> tuple[list[bytes], dict[str, dict[str, str]]]:
        """Store a batch in one transaction; returns the messages that failed and the new
        frontier entries of the URLs it captured."""
        failed: list[bytes] = []
        urls: dict[str, dict[str, str]] = {}
        with self.archive.batch():
            for data in batch:
                try:
                    urls.update(self._apply(handoff.decode(data)))
                except DiskFullError:
                    raise  # no message is to blame: the batch is rolled back, taken again later
                except (StorageError, ValueError, KeyError, TypeError) as error:
                    # One bad message must not block the list: keep it aside, say so.
                    logger.error("Cannot store a message, kept in the failed list: %s", error)
                    failed.append(data)
        self.stats.failed += len(failed)
        return failed, urls

    def _apply(self, message: dict[str, Any]) -> dict[str, dict[str, str]]:
        kind = message["kind"]
        # Each message is a savepoint of the batch: a failure undoes that message only.
        with self.archive.writing(f"a {kind} message"):
            if kind == "capture":
                return self._store_capture(message)
            if kind == "crawl-start":
                self._crawl_id(message["crawl"], message["spider"], message.get("arguments"))
            elif kind == "crawl-finish":
                crawl_id = self._crawl_id(message["crawl"], message.get("spider") or "?", None)
                self.archive.finish_crawl(crawl_id, message["reason"], message.get("stats") or {})
                self.stats.crawls += 1
            else:
                raise ValueError(f"unknown message kind {kind!r}")
        return {}

    def _store_capture(self, message: dict[str, Any]) -> dict[str, dict[str, str]]:
        uid = message["uid"]
        db = self.archive.db
        if db.execute("SELECT 1 FROM ingested_captures WHERE uid = ?", [uid]).fetchone():
            self.stats.duplicates += 1
            return {}
        capture, record = handoff.capture_from(message), handoff.record_from(message)
        packed = message.get("packed")
        version = None if record is None else record.extractor_version
        prepared = prepare(capture, record, version, packed=packed)
        crawl_id = self._crawl_id(message["crawl"], message.get("spider") or "?", None)
        stored = self.archive.write_prepared(*prepared, crawl_id)
        db.execute(
            "INSERT INTO ingested_captures (uid, capture_id) VALUES (?, ?)",
            [uid, stored.capture_id],
        )
        self.stats.stored += 1
        entry = handoff.mirror_fields(capture, packed, record is not None)
        if entry is None:  # a failure: nothing a worker may skip or make conditional
            return {}
        return {url: entry for url in (capture.requested_url, capture.final_url) if url}

    def _crawl_id(self, uid: str, spider: str, arguments: dict[str, Any] | None) -> int:
        """The archive's crawl id for a worker's crawl run, recorded on first sight."""
        if uid in self._crawls:
            return self._crawls[uid]
        row = self.archive.db.execute(
            "SELECT crawl_id FROM ingested_crawls WHERE uid = ?", [uid]
        ).fetchone()
        if row is not None:
            crawl_id = int(row[0])
        else:
            crawl_id = self.archive.start_crawl(spider, {**(arguments or {}), "worker_run": uid})
            self.archive.db.execute(
                "INSERT INTO ingested_crawls (uid, crawl_id) VALUES (?, ?)", [uid, crawl_id]
            )
            self.stats.crawls += 1
        self._crawls[uid] = crawl_id
        return crawl_id

    # -- the frontier mirror ----------------------------------------------------------------

    def mirror_existing(self, chunk: int = 1000) -> int:
        """Mirror every URL the archive already has an answer from (an archive crawled
        before its crawls were distributed); returns the number of URLs mirrored."""
        db = self.archive.db
        sql = (
            "SELECT DISTINCT url FROM (SELECT requested_url AS url, outcome FROM captures"
            " UNION ALL SELECT final_url, outcome FROM captures WHERE final_url IS NOT NULL)"
            f" WHERE outcome IN ({', '.join('?' for _ in frontier.ANSWERED)})"
        )
        count = 0
        pending: dict[str, dict[str, str]] = {}
        for (url,) in db.execute(sql, list(frontier.ANSWERED)).fetchall():
            last = frontier.last_capture(db, url)
            if last is not None:
                pending[url] = handoff.frontier_entry(last)
            if len(pending) >= chunk:
                count += len(pending)
                self.mirror(pending)
                pending = {}
        count += len(pending)
        self.mirror(pending)
        return count

    def mirror(self, entries: dict[str, dict[str, str]]) -> None:
        """Copy each captured URL's last fetch and validators into Redis (fields a capture
        does not know, such as an unchanged page's kind, keep their mirrored value)."""
        if not entries:
            return
        pipe = self.redis.pipeline(transaction=False)
        for url, entry in entries.items():
            key = handoff.frontier_key(url, self.prefix)
            pipe.hset(key, mapping=entry)
            pipe.expire(key, self.frontier_ttl)
        pipe.execute()
