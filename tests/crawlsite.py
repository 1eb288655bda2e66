"""A small news site on 127.0.0.1 for feed, sitemap and site crawl tests, and a server that
can misbehave on purpose.

``news_site(n)`` builds the pages: ``n`` distinct articles (the crawl-test article with its
own title and canonical URL), two section fronts linking to them, RSS, Atom and JSON feeds, a
sitemap, a sitemap index, a Google News sitemap and a robots.txt naming the index.
``SiteServer`` serves a dict of ``Page`` objects; each page may answer with an ETag and
honour ``If-None-Match`` (as real news sites do), answer differently on each request (a 503
storm, then success), reset the connection, stall half-way through its body, or redirect.
Every request is recorded, so a test can say exactly what the crawler fetched.
"""

import contextlib
import gzip
import hashlib
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
ARTICLE_PATH = b"/news/2024/03/flood-wall-vote.html"
ARTICLE_TITLE = b"Harbour town votes to rebuild its flood wall"
HTML = "text/html; charset=utf-8"


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str | None = HTML
    headers: tuple[tuple[str, str], ...] = ()
    etag: bool = True  # send an ETag and answer a matching If-None-Match with 304
    statuses: tuple[int, ...] = ()  # answers to the first requests (then `status`)
    reset: bool = False  # close the connection without answering
    stall_after: int | None = None  # send this many body bytes, then stall
    stall_seconds: float = 0.0
    delay: float = 0.0  # seconds to wait before answering


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    status: int
    at: float  # time.monotonic() when the request arrived


def article(slug: str, title: str) -> bytes:
    """A distinct article page: its own title and canonical URL."""
    path = f"/news/{slug}.html".encode()
    return ARTICLE.replace(ARTICLE_PATH, path).replace(ARTICLE_TITLE, title.encode())


def front(title: str, links: list[str]) -> bytes:
    items = "".join(f'<li><a href="{link}">Story {link}</a></li>' for link in links)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"<link rel='alternate' type='application/rss+xml' href='/feed.xml'></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news/'>News</a></nav><main><h1>{title}</h1>"
        f"<ul class='teasers'>{items}</ul></main></body></html>"
    ).encode()


def rss(base: str, paths: list[str], dates: list[str] | None = None) -> bytes:
    dates = dates or ["Sat, 28 Nov 2026 10:00:00 GMT"] * len(paths)
    items = "".join(
        f"<item><title>Story {p}</title><link>{base}{p}?utm_source=rss</link>"
        f"<pubDate>{d}</pubDate></item>"
        for p, d in zip(paths, dates, strict=True)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>The Coastal Courier</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()


def atom(base: str, paths: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>Story {p}</title><link rel="alternate" href="{p}"/>'
        f"<id>{base}{p}</id><updated>2026-11-28T10:00:00Z</updated></entry>"
        for p in paths
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:base="{base}/"><title>Courier</title><id>{base}/</id>'
        f"<updated>2026-11-28T10:00:00Z</updated>{entries}</feed>"
    ).encode()


def json_feed(base: str, paths: list[str]) -> bytes:
    items = [
        {"id": p, "url": f"{base}{p}", "date_published": "2026-11-28T10:00:00Z"} for p in paths
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Courier", "items": items}
    return json.dumps(feed).encode()


def sitemap(base: str, paths: list[str], lastmods: list[str] | None = None) -> bytes:
    lastmods = lastmods or ["2026-11-28"] * len(paths)
    urls = "".join(
        f"<url><loc>{base}{p}</loc><lastmod>{m}</lastmod></url>"
        for p, m in zip(paths, lastmods, strict=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def news_sitemap(base: str, paths: list[str], dates: list[str]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{p}</loc><news:news><news:publication><news:name>Courier"
        f"</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{d}</news:publication_date><news:title>T</news:title>"
        "</news:news></url>"
        for p, d in zip(paths, dates, strict=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    ).encode()


def sitemap_index(base: str, children: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{base}{p}</loc><lastmod>{m}</lastmod></sitemap>" for p, m in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()


def gzip_bomb(size: int) -> bytes:
    """A small gzip file that inflates to ``size`` bytes of an XML-looking document."""
    return gzip.compress(b"<urlset>" + b" " * size, compresslevel=9)


@dataclass
class _State:
    pages: dict[str, Page]
    seen: list[Seen] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0  # requests being answered right now
    peak: int = 0  # the most answered at once


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.active += 1
            state.peak = max(state.peak, state.active)
        try:
            self._get(state)
        finally:
            with state.lock:
                state.active -= 1

    def _get(self, state: "_State") -> None:
        arrived = time.monotonic()
        page = state.pages.get(self.path) or state.pages.get(self.path.split("?")[0])
        with state.lock:
            number = state.counts.get(self.path, 0)
            state.counts[self.path] = number + 1
        if page is None:
            page = Page(b"<html><body>Not found</body></html>", status=404, etag=False)
        status = page.statuses[number] if number < len(page.statuses) else page.status
        tag = '"' + hashlib.sha256(page.body).hexdigest()[:16] + '"'
        if page.etag and status == 200 and self.headers.get("If-None-Match") == tag:
            status = 304
        with state.lock:
            state.seen.append(Seen(self.path, dict(self.headers.items()), status, arrived))
        if page.delay:
            time.sleep(page.delay)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(page, status, tag)

    def _answer(self, page: Page, status: int, tag: str) -> None:
        if page.reset:
            # SO_LINGER 0: close() sends a TCP reset instead of a clean end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        body = b"" if status == 304 else page.body
        self.send_response(status)
        if page.content_type and status != 304:
            self.send_header("Content-Type", page.content_type)
        if page.etag and status in (200, 304):
            self.send_header("ETag", tag)
        for name, value in page.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if page.stall_after is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[: page.stall_after])
        self.wfile.flush()
        time.sleep(page.stall_seconds)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class SiteServer:
    """Serve ``pages`` (path -> Page) on 127.0.0.1 while the context is open."""

    def __init__(self, pages: dict[str, Page] | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State(dict(pages or {}))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def pages(self) -> dict[str, Page]:
        return self._server.state.pages

    @property
    def peak_concurrency(self) -> int:
        return self._server.state.peak

    def seen(self) -> list[Seen]:
        with self._server.state.lock:
            return list(self._server.state.seen)

    def fetched(self, path: str) -> list[Seen]:
        """Requests for ``path`` (query string ignored)."""
        return [s for s in self.seen() if s.path.split("?")[0] == path]

    def __enter__(self) -> "SiteServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def news_site(server: SiteServer, articles: int = 6) -> list[str]:
    """Fill ``server`` with the news site; returns the article paths."""
    base = server.base
    paths = [f"/news/story-{n}.html" for n in range(1, articles + 1)]
    half = len(paths) // 2
    pages = {p: Page(article(p[6:-5], f"Story number {p[12:-5]} about the harbour")) for p in paths}
    pages["/"] = Page(front("The Coastal Courier", ["/news/", "/sport/", *paths[:half]]))
    pages["/news/"] = Page(front("News", paths[half:]))
    pages["/sport/"] = Page(front("Sport", []))
    # The pages the article template links to: fronts and an about page, not articles.
    for extra in ("/weather/", "/privacy", "/news/2023/11/grant.html", "/news/2024/01/floods.html"):
        pages[extra] = Page(front("More", []))
    pages["/feed.xml"] = Page(rss(base, paths), content_type="application/rss+xml")
    pages["/atom.xml"] = Page(atom(base, paths), content_type="application/atom+xml")
    pages["/feed.json"] = Page(json_feed(base, paths), content_type="application/feed+json")
    pages["/sitemap-news.xml"] = Page(sitemap(base, paths), content_type="application/xml")
    pages["/sitemap-pages.xml"] = Page(sitemap(base, ["/", "/news/"]), content_type="text/xml")
    pages["/sitemap.xml"] = Page(
        sitemap_index(
            base, [("/sitemap-news.xml", "2026-11-28"), ("/sitemap-pages.xml", "2026-11-01")]
        ),
        content_type="application/xml",
    )
    robots = f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap.xml\n"
    pages["/robots.txt"] = Page(robots.encode(), content_type="text/plain", etag=False)
    server.pages.update(pages)
    return paths


REPO = Path(__file__).resolve().parent.parent
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "ARCHIVE_EXTRACT_PROCESSES": "0",
    "RETRY_BACKOFF_BASE": "0.1",
}


def archive_command(*args: str, db: Path, **settings: str) -> list[str]:
    """The command line of ``archive ARGS --db DB`` with politeness lifted for loopback."""
    command = [sys.executable, "-m", "archive", *args, "--db", str(db)]
    for name, value in {**FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env["PYTHONPATH"] = str(REPO)
    return env


def run_archive(*args: str, db: Path, timeout: float = 60, **settings: str) -> "Run":
    """Run ``archive ARGS`` in a subprocess (a crawl needs its own reactor)."""
    result = subprocess.run(
        archive_command(*args, db=db, **settings),
        cwd=db.parent,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(result.returncode, result.stdout, result.stderr)


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str

    def __str__(self) -> str:  # shown when an assertion on a run fails
        return f"exit {self.status}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr[-4000:]}"


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


def outcomes(db: Path, crawl_id: int | None = None) -> dict[str, str]:
    """Path of each requested URL -> its outcome (in one crawl, or the latest capture)."""
    where = "WHERE crawl_id = ?" if crawl_id is not None else ""
    params = (crawl_id,) if crawl_id is not None else ()
    found = rows(db, f"SELECT requested_url, outcome FROM captures {where} ORDER BY id", *params)
    return {urlsplit(url).path: outcome for url, outcome in found}
