"""The download handler of a crawl that renders pages: scrapy-playwright's, bounded.

Requests chosen by ``crawler.render.choice`` are rendered in the crawl's one browser; all
others (robots.txt, feeds, sitemaps, pages of other sites) go through Scrapy's HTTP handler as
always. A render:

1. waits for one of ``ARCHIVE_JS_PAGES`` page slots (pages rendered a few at a time, so the
   browser's memory stays bounded however many requests Scrapy has in flight);
2. opens a page whose every request passes ``crawler.render.gate.PageGate`` and is fetched
   by this handler's plain HTTP side (the browser itself has no network);
3. loads the page (``load`` event) within the request's download timeout
   (``DOWNLOAD_TIMEOUT``), then waits up to ``ARCHIVE_JS_SETTLE`` seconds for the network to go
   quiet, so that what scripts fetch and write is in the page;
4. takes the DOM as HTML (``page.content()``), which becomes the response body, the capture's
   stored body and what is extracted; the response carries ``RENDERED_HEADER``, saying which
   browser rendered it and whether the network settled.

A page that does not load in time, a browser that crashes and any other browser failure raise
``RenderError`` (``crawler.render.marks``) with a readable reason: the spider records it as
a ``fetch-error`` capture.
"""

import asyncio
import logging
import re
from functools import partial
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from crawler.render.choice import RenderChoice
from crawler.render.gate import AS_SENT, REDIRECT, PageGate
from crawler.render.marks import RENDERED_FLAG, RENDERED_HEADER, RenderError

logger = logging.getLogger(__name__)

# Headers of the server's answer that no longer describe the body once it is the DOM.
_STALE_HEADERS = ("Content-Length", "Content-Encoding", "Transfer-Encoding", "ETag")
_SETTLED = "archive_render_settled"
# Time beyond the load timeout and the settle wait for taking the DOM and closing the page.
_MARGIN = 10.0
_API_CALL = re.compile(r"^[A-Z]\w*\.\w+: ")


class RenderingHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler, rendering only the chosen requests, each bounded."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.choose = RenderChoice(settings)
        self.settle = max(settings.getfloat("ARCHIVE_JS_SETTLE"), 0.0)
        self.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        self.slots = asyncio.Semaphore(max(settings.getint("ARCHIVE_JS_PAGES"), 1))
        # What the page loads is fetched by this handler's plain HTTP side (crawler.render.fetch).
        self.gate = PageGate(crawler, settings.getfloat("DOWNLOAD_TIMEOUT"), self._plain_download)
        # Given with the first page, so the browser starts only when a page needs it.
        self.context_kwargs: dict[str, Any] = {
            "user_agent": self.gate.user_agent,
            "service_workers": "block",  # their requests would not pass the gate
            "accept_downloads": False,
        }
        self.browser_name = "Chromium"

    async def download_request(self, request: Request) -> Response:  # type: ignore[override]
        if not self.choose(request):
            return await super().download_request(request)
        timeout = float(request.meta.get("download_timeout") or 30)
        async with self.slots:
            self._prepare(request, timeout)
            try:
                response = await asyncio.wait_for(
                    super().download_request(request), timeout + self.settle + _MARGIN
                )
            except (TimeoutError, PlaywrightTimeout) as error:
                raise RenderError(_timeout_reason(timeout)) from error
            except PlaywrightError as error:
                raise RenderError(_browser_reason(error)) from error
            finally:
                await _close(request.meta.pop("playwright_page", None))
        return self._rendered(request, response)

    async def _plain_download(self, request: Request) -> Response:
        """Scrapy's HTTP handler, which this one extends: no browser, the crawl's resolver."""
        return await HTTP11DownloadHandler.download_request(self, request)

    def _prepare(self, request: Request, timeout: float) -> None:
        meta = request.meta
        meta["playwright"] = True
        meta["playwright_include_page"] = True  # closed here, whatever happens
        meta["playwright_context_kwargs"] = self.context_kwargs
        meta["playwright_page_init_callback"] = self.gate.attach
        meta["playwright_page_goto_kwargs"] = {"wait_until": "load", "timeout": timeout * 1000}
        meta["playwright_page_methods"] = [
            PageMethod(partial(self._settle_network, request=request))
        ]
        meta.pop(REDIRECT, None)

    async def _settle_network(self, page: Page, *, request: Request) -> None:
        """Wait for the network to go quiet, at most ``ARCHIVE_JS_SETTLE`` seconds; a page
        that keeps fetching (polling, analytics) is taken as it is then."""
        if page.context.browser is not None:
            self.browser_name = f"Chromium/{page.context.browser.version}"
        try:
            await page.wait_for_load_state("networkidle", timeout=self.settle * 1000 or 1)
        except PlaywrightTimeout:
            request.meta[_SETTLED] = False

    def _rendered(self, request: Request, response: Response) -> Response:
        """The response Scrapy sees: the DOM, marked, or the page's redirect for Scrapy."""
        if redirect := request.meta.pop(REDIRECT, None):
            status, headers = redirect
            return Response(request.url, status=status, headers=headers, request=request)
        if sent := request.meta.pop(AS_SENT, None):
            return self._as_sent(request, *sent)
        self._check_size(len(response.body), "the rendered page")
        headers = Headers(response.headers)
        for name in _STALE_HEADERS:
            headers.pop(name, None)
        settled = request.meta.pop(_SETTLED, None)
        quiet = "network idle" if settled is not False else f"network busy after {self.settle:g} s"
        headers[RENDERED_HEADER] = f"{self.browser_name}; {quiet}"
        return response.replace(headers=headers, flags=[*response.flags, RENDERED_FLAG])

    def _as_sent(
        self, request: Request, status: int, sent_headers: dict[str, str], body: bytes
    ) -> Response:
        """A document that is not HTML, as the server sent it (Playwright decoded the body)."""
        self._check_size(len(body), "the response")
        headers = Headers(sent_headers)
        for name in _STALE_HEADERS:
            headers.pop(name, None)
        kind = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return kind(request.url, status=status, headers=headers, body=body, request=request)

    def _check_size(self, size: int, what: str) -> None:
        if self.max_size and size > self.max_size:
            raise RenderError(
                f"response too large: {what} is {size} bytes, over the {self.max_size}-byte "
                "limit (DOWNLOAD_MAXSIZE)"
            )


async def _close(page: Page | None) -> None:
    if page is None or page.is_closed():
        return
    try:
        await asyncio.wait_for(page.close(run_before_unload=False), 10)
    except (TimeoutError, PlaywrightError) as error:  # a crashed page or browser: nothing to close
        logger.debug("Page not closed: %s", error)


def _timeout_reason(timeout: float) -> str:
    seconds = "1 second" if timeout == 1 else f"{timeout:g} seconds"
    return f"timed out: the page did not finish loading in the browser within {seconds}"


def _browser_reason(error: PlaywrightError) -> str:
    message = (error.message or str(error)).strip().splitlines()
    # Without Playwright's name of the call that met the failure ("Page.goto: ").
    first = _API_CALL.sub("", message[0]) if message else type(error).__name__
    if "crash" in first.lower() or "closed" in first.lower():
        return f"browser failed: {first}"
    return f"browser failed to render the page: {first}"
