"""Hostile feeds and sitemaps: billion laughs, external entities (a local file, a URL inside
our network) and oversized documents are refused unread, each recorded as a capture with its
reason, and the crawl goes on. Real crawls in subprocesses against 127.0.0.1; the "internal
host" an external entity names is another loopback address, 127.0.0.2, whose server must see
no request at all."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.spiders.xmlguard import declared_entities, refusal
from tests.crawlsite import Page, SiteServer, article, outcomes, rows, rss, run_archive, sitemap

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class Listener:
    """An HTTP server on 127.0.0.2 that counts the requests it gets (it must get none)."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "6")
                self.end_headers()
                self.wfile.write(b"secret")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.url = f"http://127.0.0.2:{self.server.server_address[1]}/internal"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def internal() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


def laughs(root: str) -> str:
    """A DOCTYPE whose entity ``lol9`` expands to 10^9 "lol"s (3 GB)."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(levels)}]>'


def external(root: str, internal_url: str) -> str:
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY file SYSTEM "file:///etc/passwd">'
        f'<!ENTITY net SYSTEM "{internal_url}"><!ENTITY % remote SYSTEM "{internal_url}.dtd">'
        "%remote;]>"
    )


def feed_of(prolog: str, base: str, body: str) -> bytes:
    return (
        f'{prolog}<rss version="2.0"><channel><title>{body}</title><item><title>{body}</title>'
        f"<link>{base}/news/a.html</link></item></channel></rss>"
    ).encode()


def urlset_of(prolog: str, base: str, body: str) -> bytes:
    return (
        f'{prolog}<urlset xmlns="{SITEMAP_NS}"><url><loc>{base}/news/a.html{body}</loc></url>'
        "</urlset>"
    ).encode()


def test_the_guard_names_what_it_refuses() -> None:
    assert declared_entities(laughs("rss").encode() + b"<rss/>")[:2] == ["lol0", "lol1"]
    assert refusal(external("rss", "http://127.0.0.2:1/x").encode() + b"<rss/>") == (
        "declares XML entities (file, net, remote): never expanded or fetched"
    )
    assert refusal(b"<rss>" + b"x" * 100 + b"</rss>", max_size=50) == (
        "111 bytes, over the 50-byte limit (ARCHIVE_XML_MAXSIZE)"
    )
    netscape = (
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>'
    )
    assert refusal(netscape) is None  # a DOCTYPE that declares nothing is fine
    utf16 = (laughs("r") + "<r>&lol9;</r>").encode("utf-16")
    assert refusal(utf16) is not None


def test_a_billion_laughs_is_refused_in_microseconds() -> None:
    body = laughs("urlset").encode() + b"<urlset><url><loc>&lol9;</loc></url></urlset>"
    start = time.perf_counter()
    assert refusal(body) is not None
    assert time.perf_counter() - start < 0.5


@pytest.mark.crawl
@pytest.mark.parametrize("kind", ["laughs", "external", "oversized"])
def test_a_hostile_feed_is_refused_unread(kind: str, internal: Listener, tmp_path: Path) -> None:
    with SiteServer() as site:
        base = site.base
        if kind == "laughs":
            body = feed_of(laughs("rss"), base, "&lol9;")
        elif kind == "external":
            body = feed_of(external("rss", internal.url), base, "&file;&net;")
        else:
            body = rss(base, [f"/news/{n}.html" for n in range(3000)])
        site.routes["/feed.xml"] = Page(body, content_type="application/rss+xml")
        site.routes["/news/a.html"] = Page(article("a", "A story"))
        db = tmp_path / "a.db"
        run = run_archive(
            "crawl", "feed", site.url("/feed.xml"), db=db, ARCHIVE_XML_MAXSIZE="100000"
        )
        fetched = [seen.path for seen in site.seen() if seen.path != "/robots.txt"]
    assert run.status in (0, 1), run  # a crawl that ends; a refusal is a recorded failure
    assert "Traceback" not in run.stderr, run
    assert outcomes(db) == {"/feed.xml": "extract-error"}
    [(reason,)] = rows(db, "SELECT error FROM captures")
    expected = {
        "laughs": "not a readable feed: refused: declares XML entities (lol0, lol1, lol2 ...)",
        "external": "not a readable feed: refused: declares XML entities (file, net, remote)",
        "oversized": "not a readable feed: refused: ",
    }[kind]
    assert reason.startswith(expected), reason
    if kind == "oversized":
        assert reason.endswith("bytes, over the 100,000-byte limit (ARCHIVE_XML_MAXSIZE)")
    assert fetched == ["/feed.xml"]  # no entry followed
    assert internal.hits == []  # and nothing asked of the host inside our network
    assert "passwd" not in run.stdout + run.stderr and "root:" not in reason


@pytest.mark.crawl
def test_hostile_sitemaps_are_refused_and_the_crawl_goes_on(
    internal: Listener, tmp_path: Path
) -> None:
    with SiteServer() as site:
        base = site.base
        good = [f"/news/story-{n}.html" for n in (1, 2)]
        for path in good:
            site.routes[path] = Page(article(path[6:-5], f"Story {path}"))
        site.routes["/laughs.xml"] = Page(urlset_of(laughs("urlset"), base, "&lol9;"))
        site.routes["/external.xml"] = Page(
            urlset_of(external("urlset", internal.url), base, "&file;&net;")
        )
        site.routes["/big.xml"] = Page(sitemap(base, [f"/n/{n}.html" for n in range(3000)]))
        site.routes["/good.xml"] = Page(sitemap(base, good))
        children = "".join(
            f"<sitemap><loc>{base}{path}</loc></sitemap>"
            for path in ("/laughs.xml", "/external.xml", "/big.xml", "/good.xml")
        )
        site.routes["/index.xml"] = Page(
            f'<sitemapindex xmlns="{SITEMAP_NS}">{children}</sitemapindex>'.encode()
        )
        db = tmp_path / "a.db"
        run = run_archive(
            "crawl", "sitemap", site.url("/index.xml"), db=db, ARCHIVE_XML_MAXSIZE="100000"
        )
        fetched = {seen.path for seen in site.seen()}
    assert "Traceback" not in run.stderr, run
    assert outcomes(db) == {
        "/index.xml": "not-html",
        "/laughs.xml": "extract-error",
        "/external.xml": "extract-error",
        "/big.xml": "extract-error",
        "/good.xml": "not-html",
        **{path: "article" for path in good},
    }
    reasons = dict(rows(db, "SELECT requested_url, error FROM captures"))
    assert reasons[site.url("/laughs.xml")].startswith(
        "not a sitemap: refused: declares XML entities (lol0, lol1"
    )
    assert reasons[site.url("/external.xml")] == (
        "not a sitemap: refused: declares XML entities (file, net, remote):"
        " never expanded or fetched"
    )
    assert "over the 100,000-byte limit (ARCHIVE_XML_MAXSIZE)" in reasons[site.url("/big.xml")]
    assert not any(path.startswith("/n/") for path in fetched)
    assert internal.hits == []
