"""The page limit of a distributed crawl, shared by all its workers.

A single-machine crawl counts its fetched pages in the incremental gate. Workers of one shared
crawl each have their own gate, so each would fetch ``--limit`` pages: N workers, N times the
limit. Here the gate takes each page from one Redis counter, ``<prefix>:<spider>:fetched``
(beside the shared queue), in a Lua script that checks and increments at once, so all the
workers together fetch at most the limit.

The counter belongs to one run of the shared crawl, so it must not outlive it (the next
scheduled run starts from zero): it expires ``ttl`` seconds after the last fetch or heartbeat
of any worker (the workers' heartbeats renew it while the crawl runs, even once no page is
being counted), and the last worker to close cleanly, with nothing left queued, deletes it.
Workers killed outright leave it to expire, so workers restarted within ``ttl`` go on with
the same count, as they go on with the same queue.
"""

from typing import Any

# KEYS: the counter. ARGV: the limit, the expiry in ms. Returns the new count, or -1 when the
# limit has been reached (the counter is then left as it is).
_TAKE = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return -1
end
count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return count
"""
# KEYS: the counter, the set of workers, the queue, the seed list. Deletes the counter when
# no worker is registered and nothing is queued: the crawl is over. Returns 1 if deleted.
_END = """
if redis.call('SCARD', KEYS[2]) == 0 and redis.call('ZCARD', KEYS[3]) == 0
   and redis.call('LLEN', KEYS[4]) == 0 then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class SharedPageLimit:
    """The pages fetched by all the workers of one shared crawl (``keys``: its
    ``crawler.distributed.workers.Keys``), counted in Redis."""

    def __init__(self, server: Any, keys: Any, *, ttl: float) -> None:
        self.server = server
        self.keys = keys
        self.ttl_ms = max(1, int(ttl * 1000))
        self._take = server.register_script(_TAKE)
        self._end = server.register_script(_END)

    def take(self, limit: int) -> bool:
        """Count one more page if the crawl has fetched fewer than ``limit``; False if not."""
        return int(self._take(keys=[self.keys.fetched], args=[limit, self.ttl_ms])) > 0

    def count(self) -> int:
        return int(self.server.get(self.keys.fetched) or 0)

    def renew(self) -> None:
        """Keep the counter while a worker lives (no-op when there is none)."""
        self.server.pexpire(self.keys.fetched, self.ttl_ms)

    def end(self) -> bool:
        """On a worker's clean close, after it deregistered: drop the counter if the crawl
        has ended (no worker left, nothing queued). True if it was dropped."""
        keys = [self.keys.fetched, self.keys.workers, self.keys.queue, self.keys.start_urls]
        return bool(self._end(keys=keys))
