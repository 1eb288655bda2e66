"""Requests a worker holds, heartbeats, and re-queueing a dead worker's requests.

scrapy-redis pops a request from the shared queue and forgets it: a worker killed while it
fetches loses the request, and its fingerprint stays in the duplicate filter, so no one ever
fetches that page. Here a pop moves the request, in one Lua script, from the queue into the
worker's in-flight hash (``<prefix>:<spider>:inflight:<worker>``); it leaves that hash only
once Scrapy has finished with it (downloaded, its callback's items pushed and its new requests
queued). Every worker sets its ``alive`` key (expiring after ``dead_after`` seconds) on each
heartbeat and, on each heartbeat, puts back on the queue the in-flight requests of every
registered worker whose ``alive`` key is gone: another Lua script, so two workers never
re-queue the same request twice.
"""

import logging
import time
import uuid
from typing import Any

from scrapy.http import Request

logger = logging.getLogger(__name__)

# KEYS: queue (sorted set), in-flight hash. ARGV: a token naming this hold.
# Returns the request data and its score, or nil when the queue is empty.
_POP = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
redis.call('HSET', KEYS[2], popped[2] .. '|' .. ARGV[1], popped[1])
return popped
"""
# KEYS: a worker's in-flight hash, the queue, its alive key, the set of workers.
# ARGV: the worker's id. Returns -1 when the worker is alive, else the number re-queued.
_REQUEUE = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  local score = tonumber(string.match(held[i], '^([^|]+)|'))
  redis.call('ZADD', KEYS[2], score, held[i + 1])
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[1])
return #held / 2
"""


class Keys:
    """The Redis keys of one spider's shared crawl."""

    def __init__(self, prefix: str, spider: str) -> None:
        base = f"{prefix}:{spider}"
        self.queue = f"{base}:requests"
        self.seen = f"{base}:seen"
        self.revisit = f"{base}:revisit"
        self.workers = f"{base}:workers"
        self.start_urls = f"{base}:start_urls"
        self.hosts = f"{base}:hosts"
        self.named = f"{base}:named"  # user-named URLs: the network guard lets their hosts by
        self.fetched = f"{base}:fetched"  # pages counted against --limit (distributed.limit)
        self._base = base

    def inflight(self, worker: str) -> str:
        return f"{self._base}:inflight:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self._base}:alive:{worker}"


class InFlight:
    """This worker's held requests, its heartbeat, and the reaper of dead workers."""

    def __init__(self, server: Any, keys: Keys, *, dead_after: float) -> None:
        self.server = server
        self.keys = keys
        self.worker = uuid.uuid4().hex[:12]
        self.dead_after_ms = int(dead_after * 1000)
        self.held: dict[str, Request] = {}  # hash field -> the request Scrapy is working on
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self.requeued = 0  # requests this worker put back for dead workers

    def register(self) -> None:
        self.beat()

    def beat(self) -> None:
        # Registered again on every beat: a worker that stalled past dead_after and was
        # reaped (its requests re-queued; the writer drops the twice-fetched captures by
        # uid) is counted among the living again once it runs.
        with self.server.pipeline(transaction=False) as pipe:
            pipe.set(self.keys.alive(self.worker), "1", px=self.dead_after_ms)
            pipe.sadd(self.keys.workers, self.worker)
            pipe.execute()

    def pop(self) -> tuple[bytes, str] | None:
        """Move the queue's first request into this worker's in-flight hash."""
        token = uuid.uuid4().hex
        popped = self._pop(keys=[self.keys.queue, self.keys.inflight(self.worker)], args=[token])
        if not popped:
            return None
        data, score = popped
        return data, f"{score.decode() if isinstance(score, bytes) else score}|{token}"

    def hold(self, field: str, request: Request) -> None:
        self.held[field] = request

    def uid_for(self, requested_url: str, meta_key: str, uid_key: str) -> str | None:
        """The uid of the held request first asked for as ``requested_url`` (its meta
        ``meta_key``; the URL itself when unset), or None."""
        for request in self.held.values():
            if request.meta.get(meta_key, request.url) == requested_url:
                uid = request.meta.get(uid_key)
                return uid if isinstance(uid, str) else None
        return None

    def settle(self, working: set[Request] | None) -> None:
        """Forget the requests Scrapy no longer works on (``working``: the engine's set of
        requests in progress; None when the engine has none, as when it is closing)."""
        done = [field for field, request in self.held.items() if request not in (working or ())]
        if done:
            self.server.hdel(self.keys.inflight(self.worker), *done)
            for field in done:
                del self.held[field]

    def reap(self) -> int:
        """Re-queue the in-flight requests of every worker that stopped heartbeating."""
        count = 0
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker == self.worker:
                continue
            keys = [
                self.keys.inflight(worker),
                self.keys.queue,
                self.keys.alive(worker),
                self.keys.workers,
            ]
            requeued = int(self._requeue(keys=keys, args=[worker]))
            if requeued > 0:
                logger.warning("Worker %s stopped; re-queued its %d requests", worker, requeued)
                count += requeued
        self.requeued += count
        return count

    def busy_elsewhere(self) -> bool:
        """Whether the shared crawl has work: queued requests, seeds, or requests that
        another live worker holds (which may yet add more)."""
        if self.server.zcard(self.keys.queue) or self.server.llen(self.keys.start_urls):
            return True
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker != self.worker and self.server.hlen(self.keys.inflight(worker)):
                return True
        return False

    def leave(self, working: set[Request] | None) -> None:
        """On a clean close: finished requests are forgotten, unfinished ones (a stopped
        crawl) go back on the queue for the other workers, and this worker deregisters."""
        self.settle(working)
        self.server.delete(self.keys.alive(self.worker))
        requeued = int(
            self._requeue(
                keys=[
                    self.keys.inflight(self.worker),
                    self.keys.queue,
                    self.keys.alive(self.worker),
                    self.keys.workers,
                ],
                args=[self.worker],
            )
        )
        if requeued > 0:
            logger.info("Put %d unfinished requests back on the shared queue", requeued)
        self.held.clear()


class IdleClock:
    """How long the shared crawl has had nothing to do, as seen from this worker."""

    def __init__(self, close_after: float) -> None:
        self.close_after = close_after
        self.since: float | None = None

    def may_close(self, busy: bool) -> bool:
        if busy or self.close_after <= 0:
            self.since = None
            return False
        now = time.monotonic()
        if self.since is None:
            self.since = now
        return now - self.since >= self.close_after
