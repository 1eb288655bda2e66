#!/usr/bin/env python3
"""A loopback news site of N distinct article pages, for ``benchmarks/crawl.py``.

    python benchmarks/crawl_site.py DATA_DIR --pages 5000 [--port 0]

Pages are built from real pages (``DATA_DIR/html/*.html.gz``, or the repo's golden pages under
``tests/pages/`` when DATA_DIR has none): page ``i`` is real page ``i mod K`` with its own title
suffix and an extra paragraph of its own words, so every body and every extracted text differ.
Pages are made on request (5,000 stored copies would take close to a gigabyte).

Routes: ``/`` (an index linking every page), ``/sitemap.xml``, ``/feed.xml`` (RSS 2.0),
``/robots.txt`` (allows all, names the sitemap), ``/articles/<i>.html``, and ``/__served``
(JSON: how many article pages have been served, first and last time), which the benchmark
polls to relate memory to progress. The server is one asyncio loop in its own process (HTTP/1.1
keep-alive, GET only), so it does not share a GIL with any crawler it serves. It prints
``PORT <n>`` on stdout once it listens.
"""

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import random
import re
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WORDS = [
    "harbour",
    "council",
    "budget",
    "river",
    "bridge",
    "ferry",
    "school",
    "market",
    "festival",
    "storm",
    "museum",
    "library",
    "station",
    "tram",
    "archive",
    "election",
    "mayor",
    "harvest",
    "island",
    "lighthouse",
    "court",
    "report",
    "survey",
    "plan",
    "winter",
    "summer",
    "district",
    "factory",
    "railway",
    "theatre",
    "garden",
    "museum",
    "quay",
    "tide",
    "vote",
]
_FIRST_PARAGRAPH_END = re.compile(rb"</p\s*>", re.IGNORECASE)
_TITLE_END = re.compile(rb"</title\s*>", re.IGNORECASE)


def load_pages(data_dir: Path | None) -> list[bytes]:
    """The real pages the site is made of: the benchmark folder's, else the golden pages."""
    if data_dir is not None:
        found = sorted((data_dir / "html").glob("*.html.gz"))
        if found:
            return [gzip.decompress(path.read_bytes()) for path in found]
    golden = sorted((REPO / "tests" / "pages").glob("*/source.html"))
    return [path.read_bytes() for path in golden if not path.parent.name.startswith("not-")]


def article_page(pages: list[bytes], number: int) -> bytes:
    """Real page ``number mod K``, made distinct: a numbered title and a paragraph of its own."""
    page = pages[number % len(pages)]
    words = random.Random(number).choices(WORDS, k=40)
    paragraph = f"<p>Copy {number} of this story: {' '.join(words)}.</p>".encode()
    title_end = _TITLE_END.search(page)
    if title_end is not None:
        at = title_end.start()
        page = page[:at] + f" (copy {number})".encode() + page[at:]
    paragraph_end = _FIRST_PARAGRAPH_END.search(page)
    at = paragraph_end.end() if paragraph_end is not None else len(page)
    return page[:at] + paragraph + page[at:]


def page_path(number: int) -> str:
    return f"/articles/{number}.html"


def index_page(count: int) -> str:
    links = "\n".join(f'<li><a href="{page_path(n)}">Story {n}</a></li>' for n in range(count))
    return f"<html><head><title>Benchmark news</title></head><body><ul>{links}</ul></body></html>"


def page_base(base: str, number: int, sites: int) -> str:
    """Where page ``number`` is served: with ``sites`` above 1, page ``n`` belongs to site
    ``n mod sites``, served on loopback address 127.0.0.(site + 1), on the same port."""
    if sites <= 1:
        return base
    return base.replace("127.0.0.1", f"127.0.0.{number % sites + 1}", 1)


def sitemap(base: str, count: int, sites: int = 1) -> bytes:
    entries = "".join(
        f"<url><loc>{page_base(base, n, sites)}{page_path(n)}</loc>"
        f"<lastmod>2026-11-{1 + n % 28:02d}</lastmod></url>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n'
    ).encode()


def feed(base: str, count: int) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}{page_path(n)}</link>"
        f"<guid>{base}{page_path(n)}</guid></item>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Benchmark news</title><link>{base}/</link><description>All stories</description>"
        f"{items}</channel></rss>\n"
    ).encode()


class Site:
    """The routes, and a count of article pages served."""

    def __init__(self, pages: list[bytes], count: int, make: Any = None, sites: int = 1) -> None:
        self.pages = pages
        self.count = count
        self.sites = sites
        # Page ``i``'s body: ``article_page`` by default; ``--kind storage`` passes
        # benchmarks/storage_corpus.py's copies (each text run of the real page replaced).
        self.make = make or (lambda number: article_page(self.pages, number))
        self.fixed: dict[str, tuple[bytes, str]] = {}
        self.served = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    def build(self, base: str) -> None:
        robots = f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n".encode()
        self.fixed = {
            "/": (index_page(self.count).encode(), "text/html; charset=utf-8"),
            "/robots.txt": (robots, "text/plain"),
            "/sitemap.xml": (sitemap(base, self.count, self.sites), "application/xml"),
            "/feed.xml": (feed(base, self.count), "application/rss+xml"),
        }

    def answer(self, path: str) -> tuple[int, bytes, str]:
        if path in self.fixed:
            return (200, *self.fixed[path])
        if path == "/__served":
            stats = {"served": self.served, "first": self.first_at, "last": self.last_at}
            return 200, json.dumps(stats).encode(), "application/json"
        match = re.fullmatch(r"/articles/(\d+)\.html", path)
        if match is None or int(match.group(1)) >= self.count:
            return 404, b"<html><body>Not found</body></html>", "text/html"
        self.served += 1
        self.last_at = time.time()
        self.first_at = self.first_at or self.last_at
        return 200, self.make(int(match.group(1))), "text/html; charset=utf-8"


async def handle(site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = request_line.split()
            path = parts[1].split("?", 1)[0] if len(parts) >= 2 else "/"
            status, body, content_type = site.answer(path)
            closing = b"connection: close" in head.lower()
            writer.write(
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: {'close' if closing else 'keep-alive'}\r\n\r\n".encode()
                + (body if parts and parts[0] != "HEAD" else b"")
            )
            await writer.drain()
            if closing:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(site: Site, port: int) -> None:
    server = await asyncio.start_server(lambda r, w: handle(site, r, w), "127.0.0.1", port)
    bound = server.sockets[0].getsockname()[1]
    # More sites: the same routes on 127.0.0.2, 127.0.0.3 ... (Linux routes all of 127/8 to
    # loopback), so that a crawl sees each as a site of its own.
    hosts = [f"127.0.0.{n + 1}" for n in range(1, site.sites)]
    more = [await asyncio.start_server(lambda r, w: handle(site, r, w), h, bound) for h in hosts]
    site.build(f"http://127.0.0.1:{bound}")
    print(f"PORT {bound}", flush=True)
    async with server:
        await asyncio.gather(server.serve_forever(), *(m.serve_forever() for m in more))


def site_templates(templates: list[Any], sites: int) -> list[list[Any]]:
    """With ``sites`` above 1, the templates of the ``sites`` sites with the most pages in the
    data, one list per site; else all of them as one list."""
    if sites <= 1:
        return [templates]
    by_site: dict[str, list[Any]] = {}
    for template in templates:
        by_site.setdefault(template.site, []).append(template)
    return sorted(by_site.values(), key=len, reverse=True)[:sites]


def exit_with_parent() -> None:
    """End the server when whoever started it closes our stdin pipe (or dies), so that an
    interrupted benchmark leaves no server behind; a terminal or /dev/null does not count."""

    def wait_for_eof() -> None:
        sys.stdin.buffer.read()
        os._exit(0)

    if stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):  # not a terminal or /dev/null
        threading.Thread(target=wait_for_eof, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, nargs="?")
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--kind",
        choices=("copies", "storage"),
        default="copies",
        help="copies: real page i mod K with a paragraph of its own; storage: the copies of"
        " benchmarks/storage_corpus.py (markup kept, every run of text replaced)",
    )
    parser.add_argument(
        "--sites",
        type=int,
        default=1,
        help="storage kind: the pages of this many AEB sites (those with the most pages), page"
        " n of site n mod SITES, each site on its own loopback address (127.0.0.1, .2, ...)",
    )
    args = parser.parse_args()
    pages = load_pages(args.data_dir)
    if not pages:
        sys.exit("no pages to build the site from")
    make = None
    if args.kind == "storage":
        if str(REPO) not in sys.path:
            sys.path.insert(0, str(REPO))
        from benchmarks.storage_corpus import load_templates, make_copy

        templates, pool = load_templates(args.data_dir)
        groups = site_templates(templates, args.sites)
        make = lambda n: make_copy(n // len(groups), groups[n % len(groups)], pool)[0].body  # noqa: E731
    exit_with_parent()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Site(pages, args.pages, make, args.sites), args.port))


if __name__ == "__main__":
    main()
