"""The network guard in real crawls (issue 14, section 1): a loopback site on 127.0.0.1 whose
feed, sitemap, links and redirects point at "internal" hosts, played by servers bound on
127.0.0.2 and 127.0.0.3 and by 127.0.0.1 on another port. Every connection any test can make
stays within 127.0.0.0/8, even with the guard broken; the internal servers must see nothing."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawlsite import Page, SiteServer, front, news_site, outcomes, rows, rss, run_archive
from tests.httpserver import LoopbackServer, Route

pytestmark = pytest.mark.crawl

SECRET = Route(body=b"<html><head><title>Internal admin</title></head><body>secret</body></html>")


@pytest.fixture
def internal() -> Iterator[tuple[LoopbackServer, LoopbackServer, LoopbackServer]]:
    """Three "internal" hosts: 127.0.0.2, 127.0.0.3, and 127.0.0.1 on a port not named."""
    routes = {"/secret.html": SECRET, "/": SECRET}
    with (
        LoopbackServer(routes, host="127.0.0.2") as two,
        LoopbackServer(routes, host="127.0.0.3") as three,
        LoopbackServer(routes) as local,
    ):
        yield two, three, local


@pytest.fixture
def site(internal: tuple[LoopbackServer, LoopbackServer, LoopbackServer]) -> Iterator[SiteServer]:
    two, three, local = internal
    with SiteServer() as server:
        news_site(server, articles=2)
        hostile = hostile_urls(two, three, local)
        own = [server.url("/news/story-1.html"), server.url("/go")]
        server.routes["/hostile.xml"] = Page(
            rss("", own + list(hostile.values())), content_type="application/rss+xml"
        )
        server.routes["/hostile-sitemap.xml"] = Page(
            sitemap_of(own + list(hostile.values())), content_type="application/xml"
        )
        server.routes["/go"] = Page(
            status=302, headers=(("Location", two.url("/secret.html")),), etag=False
        )
        server.routes["/links/"] = Page(front("Links", ["/go", "/news/story-2.html"]))
        refresh = f'<meta http-equiv="refresh" content="0; url={two.url("/secret.html")}">'
        server.routes["/meta"] = Page(f"<html><head>{refresh}</head></html>".encode())
        yield server


def hostile_urls(
    two: LoopbackServer, three: LoopbackServer, local: LoopbackServer
) -> dict[str, str]:
    """Internal URLs in many spellings, each with the address the guard must name."""
    return {
        "loopback address 127.0.0.2": two.url("/secret.html"),
        "loopback address 127.0.0.3": three.url("/secret.html"),
        # 127.0.0.1, but not on the named port: not the host the user named.
        "loopback address 127.0.0.1": local.url("/secret.html"),
        # 127.0.0.2 written as one decimal number and in inet_aton's hex short form.
        "loopback address 127.0.0.2 ": f"http://2130706434:{two.port}/",
        "loopback address 127.0.0.2  ": f"http://0x7f.2:{two.port}/secret.html",
    }


def sitemap_of(urls: list[str]) -> bytes:
    locs = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
    ).encode()


def refusals(db: Path) -> dict[str, str]:
    found = rows(db, "SELECT requested_url, error FROM captures WHERE outcome = 'refused'")
    return dict(found)


def assert_untouched(*servers: LoopbackServer) -> None:
    for server in servers:
        assert server.seen() == [], f"{server.host}:{server.port} was reached"


@pytest.mark.parametrize("document", ["/hostile.xml", "/hostile-sitemap.xml"])
def test_feed_and_sitemap_entries_into_the_network_are_refused(
    site: SiteServer, internal: tuple[LoopbackServer, ...], tmp_path: Path, document: str
) -> None:
    two, three, local = internal
    db = tmp_path / "a.db"
    kind = "feed" if document.endswith("hostile.xml") else "sitemap"
    run = run_archive("crawl", kind, site.url(document), db=db)
    assert run.status == 1, run  # refusals are failures: listed, counted, exit 1
    assert_untouched(two, three, local)
    hostile = hostile_urls(two, three, local)
    expected = {url: f"refused: {what.strip()}" for what, url in hostile.items()}
    expected[site.url("/go")] = (
        f"refused: loopback address 127.0.0.2 (redirect to {two.url('/secret.html')})"
    )
    assert refusals(db) == expected
    assert outcomes(db)["/news/story-1.html"] == "article"  # the named host is crawled
    assert "refused: internal address" in run.stdout
    line = ["refused", two.url("/secret.html"), "refused:", "loopback", "address", "127.0.0.2"]
    assert line in [shown.split() for shown in run.stdout.splitlines()], run
    by_site = rows(
        db, "SELECT error, count FROM failures_by_site WHERE outcome = 'refused' ORDER BY error"
    )
    assert ("refused: loopback address 127.0.0.3", 1) in by_site
    assert sum(count for _, count in by_site) == len(expected)


def test_a_followed_link_that_redirects_inside_is_refused(
    site: SiteServer, internal: tuple[LoopbackServer, ...], tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "site", site.url("/links/"), db=db)
    assert_untouched(*internal)
    two = internal[0]
    assert refusals(db) == {
        site.url(
            "/go"
        ): f"refused: loopback address 127.0.0.2 (redirect to {two.url('/secret.html')})"
    }, run
    assert outcomes(db)["/news/story-2.html"] == "article"


@pytest.mark.parametrize("path", ["/go", "/meta"])  # an HTTP redirect, a meta refresh
def test_the_redirect_of_a_named_url_is_refused(
    site: SiteServer, internal: tuple[LoopbackServer, ...], tmp_path: Path, path: str
) -> None:
    db = tmp_path / "a.db"
    run = run_archive("save", site.url(path), db=db)
    assert run.status == 1, run
    assert_untouched(*internal)
    target = internal[0].url("/secret.html")
    assert rows(db, "SELECT requested_url, outcome, error FROM captures") == [
        (site.url(path), "refused", f"refused: loopback address 127.0.0.2 (redirect to {target})")
    ]


def test_a_name_that_resolves_inside_is_refused(tmp_path: Path) -> None:
    """localhost is a name: the resolver, not the literal check, finds its loopback address."""
    with LoopbackServer({"/": SECRET}) as local, SiteServer() as server:
        server.routes["/feed.xml"] = Page(
            rss("", [f"http://localhost:{local.port}/"]), content_type="application/rss+xml"
        )
        db = tmp_path / "a.db"
        run = run_archive("crawl", "feed", server.url("/feed.xml"), db=db)
        assert local.seen() == [], run
    (reason,) = refusals(db).values()
    assert reason.startswith("refused: loopback address "), reason
    assert reason.split()[-1] in ("127.0.0.1", "::1")


def test_allow_private_lets_them_through(
    site: SiteServer, internal: tuple[LoopbackServer, ...], tmp_path: Path
) -> None:
    two, three, local = internal
    db = tmp_path / "a.db"
    run = run_archive("crawl", "feed", site.url("/hostile.xml"), "--allow-private", db=db)
    assert refusals(db) == {}, run
    assert two.fetched("/secret.html") and three.fetched("/secret.html")
    assert local.fetched("/secret.html")


def test_the_archive_allow_private_setting_lifts_the_guard_too(
    site: SiteServer, internal: tuple[LoopbackServer, ...], tmp_path: Path
) -> None:
    db = tmp_path / "a.db"
    run = run_archive("save", site.url("/go"), db=db, ARCHIVE_ALLOW_PRIVATE="1")
    assert rows(db, "SELECT outcome FROM captures") == [("not-article",)], run
    assert internal[0].fetched("/secret.html")
