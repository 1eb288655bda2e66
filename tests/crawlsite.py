"""A small news site on 127.0.0.1 for feed, sitemap and site crawl tests, and the helpers that
run `archive` crawls against it in a subprocess.

``news_site(server, n)`` fills a test server (``tests.httpserver``) with the pages: ``n``
distinct articles (the crawl-test article with its own title and canonical URL), two section
fronts linking to them, RSS, Atom and JSON feeds, a sitemap, a sitemap index, a Google News
sitemap and a robots.txt naming the index. Its pages are ``Page`` routes: they answer with an
ETag and honour ``If-None-Match``, as real news sites do.
"""

import contextlib
import gzip
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.httpserver import LoopbackServer, Route

ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
ARTICLE_PATH = b"/news/2024/03/flood-wall-vote.html"
ARTICLE_TITLE = b"Harbour town votes to rebuild its flood wall"


@dataclass
class Page(Route):
    """A page as a news site serves it: with an ETag, honouring ``If-None-Match``."""

    etag: bool = True


SiteServer = LoopbackServer  # the one test server, by the name the crawl tests know it


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
    server.routes.update(pages)
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
