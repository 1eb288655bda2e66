"""`archive crawl site` against a loopback news site: links followed within the site up to a
depth and a page limit, allow/deny patterns, articles stored and fronts recorded as captures;
a second run reads fresh pages from the archive for their links instead of fetching them."""

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawlsite import Page, SiteServer, article, front, news_site, outcomes, rows, run_archive

pytestmark = pytest.mark.crawl

STORIES = {f"/news/story-{n}.html": "article" for n in range(1, 7)}
STORIES_ON_FRONT = ["/news/story-1.html", "/news/story-2.html", "/news/story-3.html"]
# The pages the article template links to, served as pages without an article.
EXTRAS = {
    p: "not-article"
    for p in ("/weather/", "/privacy", "/news/2023/11/grant.html", "/news/2024/01/floods.html")
}


@pytest.fixture
def site(site: SiteServer) -> SiteServer:
    # An off-site link and a disallowed one on the front page.
    site.routes["/"] = Page(
        front("The Coastal Courier", ["/news/", "/sport/", *STORIES_ON_FRONT,
                                      "http://example.invalid/elsewhere", "/private/x"])
    )  # fmt: skip
    return site


def test_site_crawl_stores_articles_and_records_fronts(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "site", site.url("/"), db=db)
    assert run.status == 0, run
    assert outcomes(db) == {
        "/": "not-article",
        "/news/": "not-article",
        "/sport/": "not-article",
        "/private/x": "robots",
        **STORIES,
        **EXTRAS,
    }
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]
    assert not [s for s in site.seen() if "elsewhere" in s.path]


def test_depth_limits_how_far_links_are_followed(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive("crawl", "site", site.url("/"), "--depth", "1", db=db)
    assert run.status == 0, run
    # Only the front and what it links to; /news/ is reached but not followed further.
    assert outcomes(db) == {
        "/": "not-article",
        "/news/": "not-article",
        "/sport/": "not-article",
        **{p: "article" for p in STORIES_ON_FRONT},
        "/private/x": "robots",
    }


def test_allow_deny_and_limit(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = run_archive(
        "crawl", "site", site.url("/"), "--allow", "/news/", "--deny", "story-[45]|/2023/",
        db=db,
    )  # fmt: skip
    assert run.status == 0, run
    got = outcomes(db)
    assert got == {
        "/": "not-article",
        "/news/": "not-article",
        "/news/2024/01/floods.html": "not-article",
        **{p: "article" for p in STORIES if "4" not in p and "5" not in p},
    }
    db2 = tmp_path / "b.db"
    run = run_archive("crawl", "site", site.url("/"), "--limit", "3", db=db2)
    assert run.status == 0, run
    fetched = [o for o in outcomes(db2).values() if o != "robots"]  # refusals cost nothing
    assert len(fetched) == 3
    assert len([s for s in site.seen() if s.path != "/robots.txt"]) == len(got) + 3


def test_second_run_reads_fresh_pages_from_the_archive(site: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert run_archive("crawl", "site", site.url("/"), db=db).status == 0
    # A new story appears, linked only from an article page archived an hour ago.
    site.routes["/news/story-2.html"] = Page(
        article("story-2", "Story number 2 about the harbour").replace(
            b"</article>", b'<a href="/news/new.html">new</a></article>'
        )
    )
    site.routes["/news/new.html"] = Page(article("new", "A brand new story"))
    before = len(site.seen())
    run = run_archive("crawl", "site", site.url("/"), db=db)
    assert run.status == 0, run
    fetched = sorted(s.path for s in site.seen()[before:] if s.path != "/robots.txt")
    # Fronts are asked for again (conditionally: 304); fresh articles are not fetched at all,
    # so the new link inside story 2 is not seen until story 2 is due again.
    assert fetched == sorted(["/", "/news/", "/sport/", *EXTRAS])
    assert all(s.status == 304 for s in site.seen()[before:] if s.path != "/robots.txt")
    assert "skipped: archived within the refresh window" in run.stdout
    run = run_archive("crawl", "site", site.url("/"), db=db, ARCHIVE_REFRESH_WINDOW="0")
    assert run.status == 0, run
    assert outcomes(db, crawl_id=3)["/news/new.html"] == "article"


def test_dead_links_are_listed_up_to_a_limit_then_counted(tmp_path: Path) -> None:
    dead = [f"/gone/{n}.html" for n in range(40)]
    with SiteServer() as server:
        news_site(server)
        server.routes["/"] = Page(front("The Coastal Courier", dead))
        run = run_archive("crawl", "site", server.url("/"), db=tmp_path / "a.db")
        verbose = run_archive("crawl", "site", server.url("/"), "-v", db=tmp_path / "b.db")
    assert run.status == 1, run  # failures make the exit status 1
    listed = [line for line in run.stdout.splitlines() if line.startswith("failed")]
    assert len(listed) == 25
    assert all(line.endswith("HTTP 404 Not Found") for line in listed)
    assert "... more failures are counted below, not listed (-v lists all)" in run.stdout
    assert re.search(r"failed: HTTP error\s+40\n", run.stdout)
    # The command it prints lists every one of them, with its reason.
    (command,) = re.findall(r"^Every failure with its reason: (.*)$", run.stdout, re.M)
    argv = shlex.split(command)
    argv[0] = shutil.which(argv[0], path=str(Path(sys.executable).parent)) or argv[0]
    found = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
    assert sorted(row["requested_url"] for row in found) == sorted(server.url(p) for p in dead)
    assert {row["error"] for row in found} == {"HTTP 404 Not Found"}
    verbose_listed = [line for line in verbose.stdout.splitlines() if line.startswith("failed")]
    assert len(verbose_listed) == 40
