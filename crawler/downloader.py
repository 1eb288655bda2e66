"""Scrapy's downloader with its per-site concurrency limit enforced (``DOWNLOADER`` setting).

In Scrapy 2.19 a slot counts a request as transferring only once the coroutine that
downloads it starts running, after ``_process_queue`` has returned; that loop checks the
count before each start, so one pass starts every queued request for the site at once. With
``DOWNLOAD_DELAY = 0``, ``CONCURRENT_REQUESTS_PER_DOMAIN = 2`` let 8 or more requests hit one
server together, and with a delay a slow server could still pile up requests. Here the
request is counted the moment it is taken from the queue (Scrapy's own code removes it when
its download ends), so the limit holds.
"""

from time import monotonic

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.core.downloader import Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class Downloader(ScrapyDownloader):
    """The downloader, reserving a transfer place before scheduling each download."""

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:  # a delayed pass is already planned
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay and (wait := delay - now + slot.lastseen) > 0:
            slot.latercall = call_later(wait, self._latercall, slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # counted now, not when the coroutine starts
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:  # one request per pass when requests are spaced out
                self._process_queue(slot)
                break
