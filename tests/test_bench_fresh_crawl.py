"""benchmarks/fresh_crawl.py serves its sites on several loopback addresses (site n on
127.0.0.n+1) behind one sitemap; its crawl must archive the pages of every address, not only
those of the sitemap's own: a real `archive crawl sitemap` against two loopback servers."""

import sqlite3
from pathlib import Path

from benchmarks.fresh_crawl import crawl
from tests.crawlsite import ARTICLE
from tests.httpserver import LoopbackServer, Route

SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{}</urlset>"""


def test_the_crawl_archives_the_pages_of_every_address(tmp_path: Path) -> None:
    with (
        LoopbackServer({"/a.html": Route(ARTICLE)}) as first,
        LoopbackServer({"/b.html": Route(ARTICLE)}, host="127.0.0.2") as second,
    ):
        urls = [first.url("/a.html"), second.url("/b.html")]
        locs = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
        first.add_route(
            "/sitemap.xml", Route(SITEMAP.format(locs).encode(), content_type="application/xml")
        )
        db = tmp_path / "fresh.db"
        crawl(first.base, db, {})
    with sqlite3.connect(db) as conn:
        outcomes = dict(conn.execute("SELECT requested_url, outcome FROM captures"))
    assert {url: outcomes.get(url) for url in urls} == {url: "article" for url in urls}
