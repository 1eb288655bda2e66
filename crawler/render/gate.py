"""What the browser may load while it renders a page: the crawl's rules, for every request.

A page's scripts can ask for anything: another host, a private address, a path robots.txt
refuses, a ``file:`` URL, a WebSocket. The browser must not become a way around the crawl's
rules, so every request a rendered page makes is routed through ``PageGate`` first:

- only ``http`` and ``https`` (anything else is aborted);
- only the page's own host and the hosts of ``ARCHIVE_JS_ALLOW_HOSTS`` (a host, its
  subdomains, or a glob such as ``*.cdn.example``);
- not a resource type in ``ARCHIVE_JS_BLOCK_TYPES`` (images, media and fonts by default: the
  article's text never needs them, and they are most of a page's weight);
- the crawl's own address policy (``crawler.netguard``, lifted only by
  ``ARCHIVE_ALLOW_PRIVATE`` / ``--allow-private``): no loopback, private, link-local,
  metadata or other internal address, whether written in the URL or what its host resolves
  to, except the hosts the user named. It is the very check Scrapy's downloads pass, with the
  crawl's resolver (and its cache), and it names the address in the refusal;
- a further guard named in ``ARCHIVE_JS_GUARD``, when one is set: an import path of a function
  taking a URL and returning ``None`` (allowed) or a reason (refused), or raising an
  ``ArchiveError``; it may be a coroutine function;
- allowed by the crawl's robots.txt rules for that host (fetched through Scrapy, as for pages).

The design that makes the address policy hold, and not only be asked: the browser has no
network of its own. Chromium is started with every host name mapped to "not found"
(``crawler.render.addon``), IP literals included, so nothing it tries by itself (a request the
route missed, a preconnect, a DNS prefetch, a WebSocket) reaches any address. What the gate lets
through is fetched by Scrapy (``crawler.render.fetch.ScrapyFetch``: the crawl's HTTP handler
and resolver) and handed to the browser with ``route.fulfill``. So the check and the connection
use the same resolver, which connects only to the addresses it checked: a host whose DNS answer
changes after the gate asked (rebinding) is refused at the connection. Checking in the gate
first still matters: it gives the refusal its reason, and is counted
(``archive/render/refused``, and ``archive/render/refused_address`` for the address policy) and
logged. WebSockets are refused outright, since Scrapy cannot carry them (an article does not
need one).

Chromium would follow redirects itself, so the gate fetches each request without following
them, checks every hop, and hands the browser the final answer. A redirect of the page itself is
not followed here: it is handed back to Scrapy (``REDIRECT`` in the request's meta), whose
RedirectMiddleware follows it as for any page. Service workers are blocked in the browser
context.
"""

import inspect
import logging
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route, WebSocketRoute
from playwright.async_api import Request as BrowserRequest
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.misc import load_object

from archive.errors import ArchiveError
from archive.rules import Rule
from crawler.netguard import ALLOW_SETTING, UNGUARDED, installed_resolver, url_refusal
from crawler.render.fetch import Answer, Download, ScrapyFetch

logger = logging.getLogger(__name__)

# request.meta: the page's own answer was a redirect, (status, headers) for Scrapy to follow.
REDIRECT = "archive_render_redirect"
# request.meta: the page's own answer is no HTML (a PDF, a feed): (status, headers, body) as
# sent, stored as such instead of what a browser would make of it (a viewer, a download).
AS_SENT = "archive_render_as_sent"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SCHEMES = ("http", "https")
MAX_HOPS = 5  # redirects followed for one sub-resource (Scrapy's page limit is 20)
WEBSOCKETS_REFUSED = "WebSockets are not opened (the browser has no network of its own)"

Guard = Callable[[str], Any]


class PageGate:
    """Routes every request of the pages it is attached to (one gate per crawl)."""

    def __init__(self, crawler: Crawler, timeout: float, download: Download | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.timeout = timeout
        patterns = tuple(h.strip().lower() for h in settings.getlist("ARCHIVE_JS_ALLOW_HOSTS"))
        # A Rule matches hosts as the rules files do: the host, its subdomains, or a glob.
        self.allowed = Rule("ARCHIVE_JS_ALLOW_HOSTS", tuple(h for h in patterns if h), "")
        self.blocked_types = frozenset(settings.getlist("ARCHIVE_JS_BLOCK_TYPES"))
        self.address_guard = not settings.getbool(ALLOW_SETTING)
        guard_path = settings.get("ARCHIVE_JS_GUARD")
        self.guard: Guard | None = load_object(guard_path) if guard_path else None
        self.user_agent: str = settings.get("USER_AGENT") or ""
        self.robotstxt_agent: str = settings.get("ROBOTSTXT_USER_AGENT") or self.user_agent
        self.obey_robots = settings.getbool("ROBOTSTXT_OBEY")
        self._robots: RobotsTxtMiddleware | bool | None = False  # False: not looked up yet
        self.fetch = ScrapyFetch(crawler, download, timeout) if download else None

    async def attach(self, page: Page, request: scrapy.Request) -> None:
        """scrapy-playwright's page init callback: route the page before it navigates."""
        request.meta["playwright_page"] = page  # so a render that times out can close it
        own_host = (urlsplit(request.url).hostname or "").lower()
        await page.route("**", partial(self._route, own_host=own_host, request=request))
        await page.route_web_socket("**", self._websocket)

    async def refusal(self, url: str, own_host: str, resource_type: str = "") -> str | None:
        """Why the browser may not load ``url`` for a page of ``own_host`` (None: it may)."""
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            return f"scheme {parts.scheme or '(none)'!r} not allowed"
        host = (parts.hostname or "").lower()
        if host != own_host and not self.allowed.matches(host):
            return f"host {host!r} is not the page's own (ARCHIVE_JS_ALLOW_HOSTS)"
        if resource_type in self.blocked_types:
            return f"{resource_type} not loaded (ARCHIVE_JS_BLOCK_TYPES)"
        if reason := await self.address_refusal(url):
            return reason
        if reason := await self._guard_refusal(url):
            return reason
        if not await self._robots_allow(url):
            return "forbidden by robots.txt"
        return None

    async def address_refusal(self, url: str) -> str | None:
        """The crawl's own address policy, as ``NetworkGuardMiddleware`` applies it to pages."""
        if not self.address_guard:
            return None
        resolver = installed_resolver()
        reason: str | None = f"refused: {UNGUARDED}"  # without our resolver: fail closed
        if resolver is not None:
            reason = await url_refusal(resolver, url)
        if reason is not None:
            self.stats.inc_value("archive/render/refused_address")
        return reason

    async def _guard_refusal(self, url: str) -> str | None:
        if self.guard is None:
            return None
        try:
            verdict = self.guard(url)
            if inspect.isawaitable(verdict):
                verdict = await verdict
        except ArchiveError as error:
            return str(error)
        return str(verdict) if verdict else None

    async def _robots_allow(self, url: str) -> bool:
        robots = self._robots_middleware() if self.obey_robots else None
        if robots is None:  # ROBOTSTXT_OBEY is off
            return True
        parser = await robots.robot_parser(scrapy.Request(url, meta={"dont_obey_robotstxt": 1}))
        return parser is None or bool(parser.allowed(url, self.robotstxt_agent))

    def _robots_middleware(self) -> RobotsTxtMiddleware | None:
        if self._robots is False:
            engine = self.crawler.engine
            assert engine is not None  # pages render only while the engine runs
            found = [
                mw
                for mw in engine.downloader.middleware.middlewares
                if isinstance(mw, RobotsTxtMiddleware)
            ]
            self._robots = found[0] if found else None
        return self._robots if isinstance(self._robots, RobotsTxtMiddleware) else None

    async def _route(
        self, route: Route, asked: BrowserRequest, *, own_host: str, request: scrapy.Request
    ) -> None:
        try:
            reason = await self.refusal(asked.url, own_host, asked.resource_type)
        except ValueError as error:  # a URL Scrapy cannot build a request for: not loaded
            reason = f"unreadable URL ({error})"
        if reason is not None:
            await self._refuse(route, asked.url, reason)
            return
        try:
            answer = await self._fetch(asked)
            if _is_page(asked) and _kept_for_scrapy(answer, request):
                await route.fulfill(status=answer.status, body=b"", headers={})
                return
            answer, reason = await self._follow(asked, answer, own_host)
        except Exception as error:
            # Refused at the connection, reset, timed out, too large, undecodable: whatever
            # failed, the browser sees a failed request, as it would its own.
            logger.debug("Browser request failed: %s: %r", asked.url, error)
            await route.abort("failed")
            return
        if reason is not None:
            await self._refuse(route, asked.url, reason)
            return
        await route.fulfill(status=answer.status, headers=answer.headers, body=answer.body)

    async def _fetch(self, asked: BrowserRequest) -> Answer:
        if self.fetch is None:
            raise RuntimeError("PageGate was built without a download handler")
        headers = await asked.all_headers()
        return await self.fetch(asked.url, asked.method, headers, asked.post_data_buffer)

    async def _follow(
        self, asked: BrowserRequest, answer: Answer, own_host: str
    ) -> tuple[Answer, str | None]:
        """Follow a sub-resource's redirects one hop at a time, each hop checked."""
        assert self.fetch is not None  # _fetch has run
        url = asked.url
        for _ in range(MAX_HOPS):
            if answer.location is None:
                return answer, None
            url = urljoin(url, answer.location)
            if reason := await self.refusal(url, own_host, asked.resource_type):
                return answer, f"redirect to {url}: {reason}"
            answer = await self.fetch(url, "GET", {"User-Agent": self.user_agent})
        return answer, f"more than {MAX_HOPS} redirects"

    async def _refuse(self, route: Route, url: str, reason: str) -> None:
        # The address policy's refusals are worth seeing in the crawl's log; the others (a
        # tracker on another host, an image) are the gate's everyday work.
        level = logging.INFO if reason.startswith("refused:") else logging.DEBUG
        logger.log(level, "Browser request refused: %s: %s", url, reason)
        self.stats.inc_value("archive/render/refused")
        await route.abort("blockedbyclient")

    async def _websocket(self, socket: WebSocketRoute) -> None:
        logger.debug("Browser WebSocket refused: %s: %s", socket.url, WEBSOCKETS_REFUSED)
        self.stats.inc_value("archive/render/refused")
        await socket.close()


def _is_page(asked: BrowserRequest) -> bool:
    """The navigation of the page's main frame (not an iframe's)."""
    try:
        return asked.is_navigation_request() and asked.frame.parent_frame is None
    except PlaywrightError:  # a service worker's request has no frame
        return False


def _kept_for_scrapy(answer: Answer, request: scrapy.Request) -> bool:
    """True when the page's own answer goes back to Scrapy as it is, not rendered: a redirect
    (Scrapy follows it: robots.txt, limits, guard) or a document that is not HTML."""
    if answer.location:
        request.meta[REDIRECT] = (answer.status, answer.headers)
        return True
    media_type = answer.header("content-type").split(";")[0].strip().lower()
    if media_type and media_type not in _HTML_TYPES:
        request.meta[AS_SENT] = (answer.status, answer.headers, answer.body)
        return True
    return False
