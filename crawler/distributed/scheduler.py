"""The scheduler of a distributed worker: scrapy-redis's shared queue, with acknowledgements.

``DistributedScheduler`` subclasses ``scrapy_redis.scheduler.Scheduler`` and keeps its
priority queue (a Redis sorted set of pickled requests, ``<prefix>:<spider>:requests``). It
changes what scrapy-redis 0.9.1 does wrong for an archive on Scrapy 2.19:

- no deprecated calls (``inc_value(spider=)``, ``Spider.log``), which Scrapy 2.19 warns about;
- the queue is never flushed when one worker closes (others are still working on it);
- every new request of the spiders is deduplicated across workers by a rotating Bloom filter
  (``crawler.distributed.dupefilter``) even though the spiders mark their requests
  ``dont_filter`` (they deduplicate locally, and a redirect must not vanish); a request keeps
  a mark once admitted, so its redirects and retries are not taken for duplicates;
- a popped request is held in this worker's in-flight hash until Scrapy is done with it, and
  the requests of a worker that stopped heartbeating are queued again
  (``crawler.distributed.workers``);
- the spider stays open while other workers may still add requests, and closes once the
  shared crawl has had nothing to do for ``ARCHIVE_REDIS_IDLE_CLOSE`` seconds;
- the heartbeat keeps the crawl's shared page counter (``crawler.distributed.limit``) alive.
"""

import hashlib
import logging
import uuid
from typing import Any, Self

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy.spiders import Spider
from scrapy_redis import connection
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from archive.distributed.handoff import frontier_key
from crawler.distributed.dupefilter import RotatingBloomDupeFilter, request_key
from crawler.distributed.limit import SharedPageLimit
from crawler.distributed.seeds import Seeder
from crawler.distributed.workers import IdleClock, InFlight, Keys
from crawler.middlewares.incremental import HUB, INDEX, ROLE
from crawler.spiders.base import REQUESTED_URL

logger = logging.getLogger(__name__)

# request.meta: the request passed the shared duplicate filter; the value is a uid that its
# retries, redirects and re-queued copies keep, and that becomes its capture's uid.
ADMITTED = "archive_admitted"
# Sent by the push pipeline for an item that came from an errback (no response, so no uid
# from CaptureUidMiddleware): the scheduler answers with the uid of the request it holds.
capture_uid_wanted = object()


class DistributedScheduler(Scheduler):
    """scrapy-redis's scheduler with in-flight tracking, heartbeats and a bounded filter."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        server = connection.from_settings(settings)
        server.ping()
        scheduler = cls(server=server, persist=True)
        scheduler.crawler = crawler
        scheduler.stats = crawler.stats
        scheduler.prefix = settings.get("ARCHIVE_REDIS_PREFIX") or "archive"
        scheduler.heartbeat = settings.getfloat("ARCHIVE_REDIS_HEARTBEAT")
        scheduler.dead_after = settings.getfloat("ARCHIVE_REDIS_DEAD_AFTER")
        scheduler.idle = IdleClock(settings.getfloat("ARCHIVE_REDIS_IDLE_CLOSE"))
        scheduler.revisit_after = max(0.001, settings.getfloat("ARCHIVE_REDIS_REVISIT_AFTER"))
        scheduler.seen_ttl = _seen_ttl(settings, scheduler.revisit_after)
        scheduler.bloom = (
            settings.getint("ARCHIVE_REDIS_BLOOM_BITS"),
            settings.getint("ARCHIVE_REDIS_BLOOM_HASHES"),
        )
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(scheduler.capture_uid, signal=capture_uid_wanted)
        return scheduler

    def open(self, spider: Spider) -> None:  # type: ignore[override]
        self.spider = spider
        self.keys = Keys(self.prefix, spider.name)
        self.queue = PriorityQueue(server=self.server, spider=spider, key=self.keys.queue)
        bits, hashes = self.bloom
        self.df = RotatingBloomDupeFilter(
            # The time-to-live is in the key: generations of different lengths never mix.
            self.server,
            f"{self.keys.seen}:{int(self.seen_ttl)}",
            ttl=self.seen_ttl,
            bits=bits,
            hashes=hashes,
        )
        self.inflight = InFlight(self.server, self.keys, dead_after=self.dead_after)
        self.inflight.register()
        # The gate counts pages against --limit; the scheduler keeps the counter alive while
        # this worker lives, and drops it when the last worker leaves a finished crawl.
        self.page_limit = SharedPageLimit(self.server, self.keys, ttl=self.revisit_after)
        self.seeder = Seeder(self.server, self.keys, spider, self.crawler)
        self.inflight.reap()
        if len(self.queue):
            spider.logger.info("Joining a shared crawl: %d requests queued", len(self.queue))
        self.loop = LoopingCall(self.beat)
        self.loop.start(self.heartbeat, now=False)

    def close(self, reason: str) -> None:  # type: ignore[override]
        # Never flush: the queue and the filter belong to every worker of the crawl.
        if self.loop.running:
            self.loop.stop()
        self.inflight.leave(self._working())
        self.page_limit.end()
        self.stats.set_value("archive/distributed/requeued", self.inflight.requeued)

    def enqueue_request(self, request: Request) -> bool:
        if not request.meta.get(ADMITTED):
            if self._seen(request):
                self.stats.inc_value("dupefilter/filtered")
                return False
            request.meta[ADMITTED] = uuid.uuid4().hex
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def _seen(self, request: Request) -> bool:
        """Whether another worker took this request recently. Start URLs, feeds, sitemaps
        and site pages known not to be articles (section fronts) are where new articles
        appear: they count as seen for ``ARCHIVE_REDIS_REVISIT_AFTER`` only (long enough for
        workers started together to take each once), so the next scheduled run reads them
        again; everything else for the Bloom filter's time-to-live."""
        digest = hashlib.sha1(request_key(request).encode()).hexdigest()
        key = f"{self.keys.revisit}:{digest}"
        expiry = int(self.revisit_after * 1000)
        if self._revisited_soon(request):
            return not self.server.set(key, "1", nx=True, px=expiry)
        seen = self.df.request_seen(request)
        if not seen and request.meta.get(ROLE) == HUB:
            # Not yet known as a section front; once the writer says it is one, the short
            # mark decides, and it must already count this admission.
            self.server.set(key, "1", px=expiry)
        return seen

    def _revisited_soon(self, request: Request) -> bool:
        role = request.meta.get(ROLE)
        if "depth" not in request.meta or role == INDEX:  # a start request or seed; an index
            return True
        if role == HUB:  # the writer's mirror knows whether a site page is an article
            kind = self.server.hget(frontier_key(request.url, self.prefix), "is_article")
            return kind == b"0"
        return False

    def next_request(self) -> Request | None:
        self.inflight.settle(self._working())
        popped = self.inflight.pop()
        if popped is None:
            return None
        data, field = popped
        request = self.queue._decode_request(data)
        self.inflight.hold(field, request)
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def capture_uid(self, requested_url: str) -> str | None:
        """Answer ``capture_uid_wanted``: the uid of the held request for this URL."""
        return self.inflight.uid_for(requested_url, REQUESTED_URL, ADMITTED)

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    # -- heartbeat and idling -----------------------------------------------------------

    def beat(self) -> None:
        """Each heartbeat: say this worker lives, take over dead workers' requests, read
        new seeds and wake the engine (idle, it only looks at the queue every 5 s)."""
        try:
            self.inflight.beat()
            self.page_limit.renew()
            self.inflight.settle(self._working())
            self.inflight.reap()
            self.seeder.poll()
        except RedisError as error:  # a blip must not stop the heartbeat for good
            logger.warning("Heartbeat failed, trying again: %s", error)
        # Also when idle: the engine then asks spider_idle again, so a worker notices new
        # requests, or the end of the shared crawl, within a heartbeat.
        self._wake()

    def spider_idle(self, spider: Spider) -> None:
        self.inflight.settle(self._working())
        self.inflight.reap()
        self.seeder.poll()
        if not self.idle.may_close(self.inflight.busy_elsewhere()):
            raise DontCloseSpider

    def _working(self) -> set[Request] | None:
        # Scrapy keeps the requests it works on (from the pop until the callback's items have
        # gone through the pipelines) in its engine slot: once a request leaves that set, it
        # is acknowledged. Scrapy has no public signal for "a request is done".
        slot = getattr(self.crawler.engine, "_slot", None)
        return getattr(slot, "inprogress", None)

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()


def _seen_ttl(settings: Any, revisit_after: float) -> float:
    """How long the Bloom filter holds a URL: ``ARCHIVE_REDIS_SEEN_TTL`` when set, else the
    refresh window; when every page is to be fetched again (a window of 0, ``--refresh``) only
    as long as start URLs are held, enough for the workers of one run to share them."""
    explicit = settings.getfloat("ARCHIVE_REDIS_SEEN_TTL")
    if explicit > 0:
        return explicit
    window = settings.getfloat("ARCHIVE_REFRESH_WINDOW")
    if window <= 0 or settings.getbool("ARCHIVE_REFRESH"):
        return revisit_after
    return window
