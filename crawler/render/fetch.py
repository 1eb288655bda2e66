"""What a rendered page loads is fetched by Scrapy, not by the browser.

``ScrapyFetch`` takes a request the browser wants to make (``PageGate`` has already let it
through) and fetches it with the crawl's own HTTP download handler: the same connection pool,
TLS settings, proxy (the crawl's ``HttpProxyMiddleware`` sets it as for pages), size limit
(``DOWNLOAD_MAXSIZE``, so a page cannot fill memory with one huge script) and, above all, the
same host-name resolver. That resolver is ``crawler.netguard.GuardedResolver``: the addresses
it hands the connection are the ones it checked, so a name that changes its answer between the
gate's check and the connection (DNS rebinding) is refused all the same.

The answer goes back to the browser as an ``Answer``, ready for Playwright's ``route.fulfill``:
decoded (the request asks for no compression; gzip and deflate are undone if sent anyway) and
without the headers that described the bytes on the wire.
"""

import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.http import Request, Response
from scrapy.utils.gz import gunzip

from archive.errors import FetchError

Download = Callable[[Request], Awaitable[Response]]

# Headers of the browser's request that describe its own connection, not the resource; the
# request asks for the body uncompressed, so the browser is handed plain bytes.
_HOP_HEADERS = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "content-length",
        "transfer-encoding",
        "upgrade",
        "te",
        "trailer",
        "proxy-authorization",
        "proxy-connection",
        "accept-encoding",
    }
)
# Headers of the answer that no longer hold once the body is decoded and whole.
_WIRE_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding", "connection"})


class UndecodableAnswer(FetchError):
    """The server compressed the answer in a way the fetch does not undo, or it decodes to
    more than the size limit."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as the browser is handed it."""

    status: int
    headers: dict[str, str]  # lower-case names; repeated Set-Cookie joined by newlines
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def location(self) -> str | None:
        """Where a redirect points, or None for any other answer."""
        return (self.header("location") or None) if 300 <= self.status < 400 else None


class ScrapyFetch:
    """Fetches for the browser through ``download`` (the crawl's HTTP handler)."""

    def __init__(self, crawler: Crawler, download: Download, timeout: float) -> None:
        self.crawler = crawler
        self.download = download
        self.timeout = timeout
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self._proxies: HttpProxyMiddleware | bool | None = False  # False: not looked up yet

    async def __call__(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        sent = {name: value for name, value in (headers or {}).items() if _forwarded(name)}
        sent["Accept-Encoding"] = "identity"
        request = Request(
            url,
            method=method,
            headers=sent,
            body=body,
            meta={"download_timeout": self.timeout, "download_maxsize": self.max_size},
        )
        if (proxies := self._proxy_middleware()) is not None:
            proxies.process_request(request)
        response = await self.download(request)
        return _answer(response, self.max_size)

    def _proxy_middleware(self) -> HttpProxyMiddleware | None:
        if self._proxies is False:
            engine = self.crawler.engine
            middlewares = engine.downloader.middleware.middlewares if engine else ()
            found = [mw for mw in middlewares if isinstance(mw, HttpProxyMiddleware)]
            self._proxies = found[0] if found else None
        return self._proxies if isinstance(self._proxies, HttpProxyMiddleware) else None


def _forwarded(name: str) -> bool:
    lower = name.lower()
    return lower not in _HOP_HEADERS and not lower.startswith(":")


def _answer(response: Response, max_size: int) -> Answer:
    headers: dict[str, str] = {}
    for raw_name, raw_values in response.headers.items():
        name = raw_name.decode("latin-1").lower()
        if name in _WIRE_HEADERS:
            continue
        values = [value.decode("latin-1") for value in raw_values]
        headers[name] = ("\n" if name == "set-cookie" else ", ").join(values)
    encoding = (response.headers.get(b"Content-Encoding") or b"").decode("latin-1").strip().lower()
    return Answer(response.status, headers, _decoded(response.body, encoding, max_size))


def _decoded(body: bytes, encoding: str, max_size: int) -> bytes:
    if encoding in ("", "identity") or not body:
        return body
    if encoding in ("gzip", "x-gzip"):
        return gunzip(body, max_size=max_size)
    if encoding == "deflate":
        try:
            return _inflate(body, zlib.MAX_WBITS, max_size)
        except zlib.error:  # "deflate" sent raw, without the zlib wrapper, as some servers do
            return _inflate(body, -zlib.MAX_WBITS, max_size)
    raise UndecodableAnswer(f"content-encoding {encoding!r} not decoded")


def _inflate(body: bytes, window: int, max_size: int) -> bytes:
    inflater = zlib.decompressobj(window)
    data = inflater.decompress(body, max_size)  # 0: no limit
    if inflater.unconsumed_tail:
        raise UndecodableAnswer(f"decoded answer over the {max_size}-byte limit (DOWNLOAD_MAXSIZE)")
    return data
