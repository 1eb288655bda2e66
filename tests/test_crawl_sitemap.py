"""`archive crawl sitemap` against a loopback news site: sitemaps, indexes, Google News
sitemaps, gzip, plain text, robots.txt discovery, --since, --include/--exclude, --limit; and
the sitemap reader on its own for what a stranger's sitemap may hold."""

import gzip
from pathlib import Path

import pytest

from crawler.spiders.sitemap import NotASitemap, read_sitemap
from tests.crawlsite import (
    Page,
    SiteServer,
    news_sitemap,
    outcomes,
    rows,
    run_archive,
    sitemap,
)

pytestmark = pytest.mark.crawl

STORIES = {f"/news/story-{n}.html": "article" for n in range(1, 7)}


def test_site_root_reads_the_sitemaps_robots_txt_lists(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "sitemap", site.url("/"), db=db)
    assert run.status == 0, run
    assert outcomes(db) == {
        "/sitemap.xml": "not-html",
        "/sitemap-news.xml": "not-html",
        "/sitemap-pages.xml": "not-html",
        "/": "not-article",
        "/news/": "not-article",
        **STORIES,
    }
    reasons = dict(rows(db, "SELECT requested_url, error FROM captures"))
    assert reasons[site.url("/sitemap.xml")] == "sitemap index listing 2 sitemaps"
    assert reasons[site.url("/sitemap-news.xml")] == "sitemap listing 6 URLs"
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]


def test_site_root_fetches_robots_txt_once_and_obeys_it(site: SiteServer, tmp_path: Path) -> None:
    """The spider reads the Sitemap: lines from the robots.txt the robots middleware fetched
    for its rules: one request for it, and its Disallow lines still apply."""
    private = ["/private/draft.html", "/news/story-1.html"]
    site.routes["/sitemap-news.xml"] = Page(sitemap(site.base, private), content_type="text/xml")
    db = tmp_path / "a.db"
    run = run_archive("crawl", "sitemap", site.url("/"), db=db)
    assert run.status == 0, run
    assert len(site.fetched("/robots.txt")) == 1
    assert site.fetched("/private/draft.html") == []
    found = outcomes(db)
    assert (found["/private/draft.html"], found["/news/story-1.html"]) == ("robots", "article")
    assert found["/sitemap.xml"] == "not-html"  # named by robots.txt


def test_site_root_reads_robots_txt_itself_when_robots_rules_are_off(
    site: SiteServer, tmp_path: Path
) -> None:
    site.routes["/sitemap-news.xml"] = Page(
        sitemap(site.base, ["/private/draft.html"]), content_type="text/xml"
    )
    db = tmp_path / "a.db"
    run = run_archive("crawl", "sitemap", site.url("/"), db=db, ROBOTSTXT_OBEY="False")
    assert len(site.fetched("/robots.txt")) == 1, run
    assert len(site.fetched("/private/draft.html")) == 1
    assert outcomes(db)["/sitemap-news.xml"] == "not-html"


@pytest.mark.parametrize("robots", ["missing", "reset"])
def test_site_root_without_robots_txt_falls_back_to_sitemap_xml_with_one_fetch(
    tmp_path: Path, robots: str
) -> None:
    with SiteServer() as server:
        if robots == "reset":  # the connection fails, on every attempt
            server.routes["/robots.txt"] = Page(reset=True)
        server.routes["/sitemap.xml"] = Page(sitemap(server.base, []), content_type="text/xml")
        db = tmp_path / "a.db"
        run = run_archive("crawl", "sitemap", server.url("/"), db=db, RETRY_TIMES="1")
        attempts = len(server.fetched("/robots.txt"))
    assert outcomes(db) == {"/sitemap.xml": "not-html"}, run
    # One request for it (a failed one retried once), not one by the spider and one more by
    # the robots middleware.
    assert attempts == (1 if robots == "missing" else 2), run


def test_since_skips_old_pages_and_old_child_sitemaps(site: SiteServer, tmp_path: Path) -> None:
    # /sitemap-pages.xml has lastmod 2026-11-01 in the index: not read at all.
    paths = sorted(STORIES)
    site.routes["/sitemap-news.xml"] = Page(
        sitemap(site.base, paths, ["2026-11-28"] * 3 + ["2026-10-01T08:00:00Z"] * 3),
        content_type="application/xml",
    )
    db = tmp_path / "a.db"
    run = run_archive("crawl", "sitemap", site.url("/sitemap.xml"), "--since", "2026-11-15", db=db)
    assert run.status == 0, run
    assert outcomes(db) == {
        "/sitemap.xml": "not-html",
        "/sitemap-news.xml": "not-html",
        **{path: "article" for path in paths[:3]},
    }
    assert site.fetched("/sitemap-pages.xml") == []


def test_google_news_sitemap_dates_count_for_since(site: SiteServer, tmp_path: Path) -> None:
    dates = ["2026-11-28T06:00:00+01:00", "2026-11-02T06:00:00+01:00"]
    paths = ["/news/story-1.html", "/news/story-2.html"]
    site.routes["/news-sitemap.xml"] = Page(
        news_sitemap(site.base, paths, dates), content_type="text/xml"
    )
    db = tmp_path / "a.db"
    run = run_archive(
        "crawl", "sitemap", site.url("/news-sitemap.xml"), "--since", "2026-11-20", db=db
    )
    assert run.status == 0, run
    assert outcomes(db) == {"/news-sitemap.xml": "not-html", "/news/story-1.html": "article"}


def test_gzipped_and_plain_text_sitemaps(site: SiteServer, tmp_path: Path) -> None:
    site.routes["/sitemap.xml.gz"] = Page(
        gzip.compress(sitemap(site.base, ["/news/story-1.html"])), content_type="application/gzip"
    )
    site.routes["/urls.txt"] = Page(
        f"{site.base}/news/story-2.html\n\n{site.base}/news/story-3.html\n".encode(),
        content_type="text/plain",
    )
    db = tmp_path / "a.db"
    assert run_archive("crawl", "sitemap", site.url("/sitemap.xml.gz"), db=db).status == 0
    assert run_archive("crawl", "sitemap", site.url("/urls.txt"), db=db).status == 0
    assert outcomes(db) == {
        "/sitemap.xml.gz": "not-html",
        "/news/story-1.html": "article",
        "/urls.txt": "not-html",
        "/news/story-2.html": "article",
        "/news/story-3.html": "article",
    }


def test_include_exclude_and_limit(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive(
        "crawl", "sitemap", site.url("/sitemap-news.xml"),
        "--include", "story-[2-6]", "--exclude", "story-6", "--limit", "3", db=db,
    )  # fmt: skip
    assert run.status == 0, run
    stored = {p for p, o in outcomes(db).items() if o == "article"}
    assert len(stored) == 3 and stored <= {f"/news/story-{n}.html" for n in (2, 3, 4, 5)}
    assert "skipped: over --limit" in run.stdout


def test_a_page_that_is_not_a_sitemap_is_recorded_and_fails(
    site: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "sitemap", site.url("/news/"), db=db)
    assert run.status == 1, run
    assert rows(db, "SELECT outcome, error FROM captures") == [
        (
            "extract-error",
            "not a sitemap: the root element is <html>, not <urlset> or <sitemapindex>",
        )
    ]
    assert "failed" in run.stdout and "not a sitemap" in run.stdout


def test_root_without_sitemap_lines_falls_back_to_sitemap_xml(tmp_path: Path) -> None:
    with SiteServer() as server:
        server.routes["/robots.txt"] = Page(
            b"User-agent: *\nDisallow:\n", content_type="text/plain"
        )
        server.routes["/sitemap.xml"] = Page(sitemap(server.base, []), content_type="text/xml")
        db = tmp_path / "a.db"
        run = run_archive("crawl", "sitemap", server.url("/"), db=db)
    assert run.status == 0, run
    assert outcomes(db) == {"/sitemap.xml": "not-html"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "the document is empty"),
        (b"\x00\x01\x02 binary junk", "neither XML nor a list of URLs"),
        (b"<feed><entry/></feed>", "the root element is <feed>"),
        (b"\x1f\x8b\x08 then no gzip stream at all", "broken gzip data"),
    ],
)
def test_reader_names_why_a_document_is_not_a_sitemap(body: bytes, reason: str) -> None:
    with pytest.raises(NotASitemap, match=reason):
        read_sitemap(body)


def test_reader_refuses_a_gzip_bomb_before_inflating_it() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000)
    with pytest.raises(NotASitemap, match="over the 100000-byte limit once decompressed"):
        read_sitemap(bomb, max_size=100_000)


def test_reader_refuses_entities_and_skips_bad_locs() -> None:
    entity = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(NotASitemap, match=r"refused: declares XML entities \(x\)"):
        read_sitemap(entity + b"<urlset><url><loc>&x;</loc></url></urlset>")
    body = (
        b'<?xml version="1.0"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>/etc/passwd</loc></url><url><loc>javascript:alert(1)</loc></url>"
        b"<url><loc>https://example.org/a?utm_source=x#top</loc><lastmod>2026-11</lastmod>"
        b'<image:image xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        b"<image:loc>https://cdn.example.org/a.jpg</image:loc></image:image></url></urlset>"
    )
    parsed = read_sitemap(body)
    assert [(p.url, p.modified.isoformat() if p.modified else None) for p in parsed.pages] == [
        ("https://example.org/a", "2026-11-01T00:00:00+00:00")
    ]


def test_a_sitemap_refused_by_robots_txt_is_a_failure(tmp_path: Path) -> None:
    with SiteServer() as server:
        server.routes["/robots.txt"] = Page(
            b"User-agent: *\nDisallow: /\n", content_type="text/plain"
        )
        server.routes["/sitemap.xml"] = Page(
            sitemap(server.base, ["/a.html"]), content_type="text/xml"
        )
        db = tmp_path / "a.db"
        run = run_archive("crawl", "sitemap", server.url("/sitemap.xml"), db=db)
        assert server.fetched("/sitemap.xml") == []
    assert run.status == 1, run
    assert rows(db, "SELECT outcome, error FROM captures") == [
        ("robots", "forbidden by robots.txt")
    ]
    assert "robots.txt refused 1 feed or sitemap document(s)" in run.stdout
