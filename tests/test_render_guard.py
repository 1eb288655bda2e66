"""The crawl's address policy (the SSRF guard) holds for what a rendered page loads.

A story on 127.0.0.1 (the host the user names, so reachable) loads two scripts that add a
paragraph each to its article: one from 127.0.0.2 (an internal address written in the URL)
and one from ``localhost`` on the story's own server (a name that resolves to an internal
address). Both hosts are in ``ARCHIVE_JS_ALLOW_HOSTS``, so only the address policy stands
between the page and them. Every server is on 127.0.0.0/8 and every URL names a loopback
address or ``localhost``: whatever the code does, no connection leaves the machine.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store.db.archive_db import ArchiveDB
from crawler.netguard import GuardedResolver
from tests.crawlsite import Run, rows, run_archive
from tests.httpserver import LoopbackServer, Route
from tests.test_render import RENDER_FAST, ROBOTS, chromium, script_page  # noqa: F401

pytestmark = pytest.mark.crawl

FROM_OTHER_HOST = "The harbour master confirmed the tide tables for the opening week"
FROM_LOCALHOST = "The ferry company published its new timetable for the winter months"


def adds_paragraph(sentence: str) -> Route:
    """A script that appends ``sentence`` to the page's article once the page is parsed."""
    script = f"""window.addEventListener("DOMContentLoaded", () => {{
  const p = document.createElement("p");
  p.textContent = "{sentence}, as the council was told on the evening of the vote.";
  document.querySelector("article").appendChild(p);
}});"""
    return Route(body=script.encode(), content_type="text/javascript")


@pytest.fixture
def servers() -> Iterator[tuple[LoopbackServer, LoopbackServer]]:
    """The site on 127.0.0.1 and another host on 127.0.0.2, each serving one script."""
    with (
        LoopbackServer({"/robots.txt": Route(ROBOTS, content_type="text/plain")}) as site,
        LoopbackServer({"/extra.js": adds_paragraph(FROM_OTHER_HOST)}, host="127.0.0.2") as other,
    ):
        site.add_route("/local.js", adds_paragraph(FROM_LOCALHOST))
        yield site, other


def story_url(site: LoopbackServer, other: LoopbackServer) -> str:
    scripts = (
        f'<script src="{other.url("/extra.js")}"></script>'
        f'<script src="http://localhost:{site.port}/local.js"></script>'
    )
    return site.add_route("/news/bridge.html", Route(body=script_page(scripts)))


def save(url: str, db: Path, *options: str, **settings: str) -> Run:
    return run_archive(
        "save",
        url,
        "--js",
        "-v",  # the log: refusals and the crawl's stats
        *options,
        db=db,
        ARCHIVE_JS_ALLOW_HOSTS="127.0.0.2,localhost",
        **{**RENDER_FAST, **settings},
    )


def stored_body(db: Path) -> str:
    [(outcome, error, body_hash)] = rows(db, "SELECT outcome, error, body_hash FROM captures")
    assert outcome == "article", error
    with ArchiveDB(str(db), create=False) as archive:
        return archive.body(body_hash).decode()


def test_the_browser_loads_nothing_from_an_address_the_crawl_refuses(
    chromium: str,  # noqa: F811
    servers: tuple[LoopbackServer, LoopbackServer],
    tmp_path: Path,
) -> None:
    site, other = servers
    db = tmp_path / "a.db"
    run = save(story_url(site, other), db)
    assert run.status == 0, run

    assert other.seen() == []  # not even its robots.txt: the address is checked first
    assert site.fetched("/local.js") == []
    body = stored_body(db)
    assert FROM_OTHER_HOST not in body and FROM_LOCALHOST not in body
    # Each refusal is logged with the address, and counted.
    assert f"{other.url('/extra.js')}: refused: loopback address 127.0.0.2" in run.stderr
    assert f"localhost:{site.port}/local.js: refused: loopback address" in run.stderr
    assert "'archive/render/refused_address': 2" in run.stderr


def test_with_allow_private_the_same_requests_pass(
    chromium: str,  # noqa: F811
    servers: tuple[LoopbackServer, LoopbackServer],
    tmp_path: Path,
) -> None:
    site, other = servers
    db = tmp_path / "a.db"
    run = save(story_url(site, other), db, "--allow-private")
    assert run.status == 0, run

    assert len(other.fetched("/extra.js")) == 1  # after its robots.txt
    assert len(site.fetched("/local.js")) == 1
    body = stored_body(db)
    assert FROM_OTHER_HOST in body and FROM_LOCALHOST in body
    assert "refused_address" not in run.stderr


class FooledResolver(GuardedResolver):
    """The crawl's resolver whose advance check is fooled, as by a name whose DNS answer is
    public when the gate asks and internal a moment later (rebinding): ``check`` says yes."""

    async def check(self, host: str, port: int) -> str | None:
        return None


def test_a_host_that_passes_the_check_is_still_refused_at_the_connection(
    chromium: str,  # noqa: F811
    servers: tuple[LoopbackServer, LoopbackServer],
    tmp_path: Path,
) -> None:
    site, other = servers
    db = tmp_path / "a.db"
    resolver = f"{__name__}.{FooledResolver.__name__}"
    run = save(story_url(site, other), db, TWISTED_DNS_RESOLVER=resolver)
    assert run.status == 0, run

    # The gate let localhost through, but the fetch connects only to addresses the resolver
    # checked as it connected: no connection was made.
    assert f"localhost:{site.port}/local.js: refused" not in run.stderr
    assert f"Refused localhost:{site.port}: refused: loopback address" in run.stderr
    assert site.fetched("/local.js") == []
    assert FROM_LOCALHOST not in stored_body(db)
