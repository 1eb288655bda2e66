"""Retries that wait: Scrapy's RetryMiddleware, plus back-off and ``Retry-After``.

Scrapy retries a 429, a 503 or a reset connection at once, which hammers a server that just
asked us to slow down. Here each retry first waits: the response's ``Retry-After`` (seconds or
an HTTP date) when it has one, else ``RETRY_BACKOFF_BASE`` seconds doubled per attempt. No
wait exceeds ``RETRY_BACKOFF_MAX``; when the server asks for longer than that, we give up at
once and the capture's reason says so (``request.meta[GAVE_UP]``). The wait holds only this
request (its concurrency slot stays taken, which slows the site down as asked).
"""

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep

logger = logging.getLogger(__name__)

GAVE_UP = "archive_retry_gave_up"  # why no retry was made (set on the request meta)


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry, honouring ``Retry-After``."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = max(settings.getfloat("RETRY_BACKOFF_BASE"), 0.0)
        self.cap = max(settings.getfloat("RETRY_BACKOFF_MAX"), 0.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.cap:
            request.meta[GAVE_UP] = (
                f"the server asked to retry after {asked:g} s, longer than RETRY_BACKOFF_MAX"
            )
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response
        retry = self._retry(request, f"{response.status}")
        if retry is None:
            return response
        await self._wait(request, asked)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await self._wait(request, None)
        return retry

    async def _wait(self, request: Request, asked: float | None) -> None:
        attempt = int(request.meta.get("retry_times", 0))  # retries made before this one
        delay = asked if asked is not None else self.base * (2**attempt)
        delay = min(delay, self.cap)
        if delay > 0:
            logger.debug("Waiting %.1f s before retrying %s", delay, request.url)
            self.crawler.stats.inc_value("retry/backoff_ms", round(delay * 1000))
            await sleep(delay)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from now: ``"120"`` or an HTTP date; None if absent
    or unreadable (a date in the past gives 0)."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return max(seconds, 0.0)
