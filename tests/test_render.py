"""Pages that need a browser: real crawls rendering loopback pages in Debian's chromium.

Each test runs ``archive save`` in a subprocess against servers on 127.0.0.1 (the site) and
127.0.0.2 (another host). The story page ships its text reversed inside a script, which turns
it around and writes it into the page: the sentences exist only in the rendered DOM, never in
the bytes the server sends. Without chromium (or scrapy-playwright) these tests skip, except
under CI (``CI`` set), where they fail: CI installs both.
"""

import asyncio
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.errors import ArchiveError
from archive.extract import extract_article
from archive.store.db.archive_db import ArchiveDB
from tests.crawlsite import rows, run_archive
from tests.httpserver import LoopbackServer, Route

pytestmark = pytest.mark.crawl

SENTENCE = "The council approved the harbour bridge after a long and noisy evening of debate"
PARAGRAPHS = [
    f"{SENTENCE} (part {n}), with residents speaking for and against the plan, the mayor "
    "reading letters from both sides, and a final count that surprised most of the room."
    for n in range(1, 9)
]
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
RENDER_FAST = {"ARCHIVE_JS_SETTLE": "1"}


def script_page(extra: str = "") -> bytes:
    """A page whose article a script writes; ``extra`` goes in before the script."""
    reversed_text = json.dumps(["".join(reversed(p)) for p in PARAGRAPHS])
    return f"""<!doctype html><html><head><title>Bridge vote</title></head><body>
<nav><a href="/">Home</a> <a href="/news/">News</a></nav><main id="root"></main>{extra}
<script>
const paragraphs = {reversed_text}.map(p => p.split("").reverse().join(""));
const article = document.createElement("article");
const heading = document.createElement("h1");
heading.textContent = "Council approves the harbour bridge";
article.appendChild(heading);
for (const text of paragraphs) {{
  const p = document.createElement("p"); p.textContent = text; article.appendChild(p);
}}
document.getElementById("root").appendChild(article);
</script></body></html>""".encode()


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium and scrapy-playwright, or a skip (a failure under CI)."""
    found = shutil.which("chromium")
    missing = "chromium is not installed (apt-get install chromium)" if not found else None
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        missing = "scrapy-playwright is not installed (pip install '.[js]')"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    assert found is not None
    return found


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    routes = {"/robots.txt": Route(body=ROBOTS, content_type="text/plain")}
    with LoopbackServer(routes) as server:
        yield server


@pytest.fixture
def other_host() -> Iterator[LoopbackServer]:
    """A second host: 127.0.0.2, which a page on 127.0.0.1 may not load from."""
    with LoopbackServer({}, host="127.0.0.2") as server:
        yield server


def captures(db: Path) -> list[tuple]:
    return rows(
        db, "SELECT requested_url, outcome, error, response_headers, body_hash FROM captures"
    )


def rendered_mark(response_headers: str) -> str | None:
    marks = [v for n, v in json.loads(response_headers) if n.lower() == "x-archive-rendered"]
    return marks[0] if marks else None


def test_without_js_no_article_with_js_the_rendered_article_is_stored(
    chromium: str, site: LoopbackServer, tmp_path: Path
) -> None:
    url = site.add_route("/news/bridge.html", Route(body=script_page()))
    db = tmp_path / "a.db"
    plain = run_archive("save", url, db=db)
    assert plain.status == 1, plain
    rendered = run_archive("save", url, "--js", db=db, **RENDER_FAST)
    assert rendered.status == 0, rendered

    (_, first, _, first_headers, _), (_, second, error, headers, body_hash) = captures(db)
    assert (first, rendered_mark(first_headers)) == ("not-article", None)
    assert second == "article", error
    assert (rendered_mark(headers) or "").startswith("Chromium/")
    text = rows(db, "SELECT text FROM articles")[0][0]
    assert SENTENCE + " (part 1)" in text and SENTENCE + " (part 8)" in text
    # The stored body is the DOM: the sentences are there as HTML, so extracting the stored
    # body again (archive reextract, archive extract) finds the same article.
    with ArchiveDB(str(db), create=False) as archive:
        body = archive.body(body_hash)
    assert f"<p>{SENTENCE} (part 3)" in body.decode()
    assert SENTENCE in extract_article(body, url).text
    assert SENTENCE.encode() not in script_page()  # the server never sent it


def test_rules_js_renders_that_site_only(
    chromium: str, site: LoopbackServer, other_host: LoopbackServer, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "scripted"\nhosts = ["127.0.0.1"]\njs = true\n')
    on_site = site.add_route("/news/bridge.html", Route(body=script_page()))
    elsewhere = other_host.add_route("/news/bridge.html", Route(body=script_page()))
    db = tmp_path / "a.db"
    run = run_archive("save", on_site, elsewhere, "--rules", str(rules), db=db, **RENDER_FAST)
    assert run.status == 1, run  # the other host's page holds no article: exit 1

    found = {url: (outcome, rendered_mark(headers)) for url, outcome, _, headers, _ in captures(db)}
    assert found[on_site][0] == "article"
    assert (found[on_site][1] or "").startswith("Chromium/")
    assert found[elsewhere] == ("not-article", None)


def test_a_document_that_is_not_html_is_stored_as_sent(
    chromium: str, site: LoopbackServer, tmp_path: Path
) -> None:
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    url = site.add_route("/report.pdf", Route(body=pdf, content_type="application/pdf"))
    db = tmp_path / "a.db"
    run = run_archive("save", url, "--js", db=db, **RENDER_FAST)
    assert run.status == 1, run  # no article in a PDF

    [(_, outcome, _, headers, body_hash)] = captures(db)
    assert (outcome, rendered_mark(headers)) == ("not-html", None)
    with ArchiveDB(str(db), create=False) as archive:
        assert archive.body(body_hash) == pdf


def test_a_page_that_never_finishes_loading_is_a_timeout_capture(
    chromium: str, site: LoopbackServer, tmp_path: Path
) -> None:
    # A script the server never finishes sending: the load event never comes.
    site.add_route("/hang.js", Route(body=b"//", content_type="text/javascript", delay=8))
    url = site.add_route(
        "/news/slow.html", Route(body=script_page('<script src="/hang.js"></script>'))
    )
    db = tmp_path / "a.db"
    run = run_archive("save", url, "--js", db=db, DOWNLOAD_TIMEOUT="2", **RENDER_FAST)
    assert run.status == 1, run

    [(_, outcome, error, _, body_hash)] = captures(db)
    assert outcome == "fetch-error"
    assert error == "timed out: the page did not finish loading in the browser within 2 seconds"
    assert body_hash is None


def test_a_page_whose_network_never_goes_quiet_is_taken_after_the_settle_wait(
    chromium: str, site: LoopbackServer, tmp_path: Path
) -> None:
    poll = "<script>setInterval(() => fetch('/poll?' + Date.now()), 150);</script>"
    site.add_route("/poll", Route(body=b"{}", content_type="application/json"))
    url = site.add_route("/news/live.html", Route(body=script_page(poll)))
    db = tmp_path / "a.db"
    run = run_archive("save", url, "--js", db=db, **RENDER_FAST)
    assert run.status == 0, run

    [(_, outcome, _, headers, _)] = captures(db)
    assert outcome == "article"
    assert (rendered_mark(headers) or "").endswith("; network busy after 1 s")


def test_the_browser_loads_nothing_the_crawl_may_not(
    chromium: str, site: LoopbackServer, other_host: LoopbackServer, tmp_path: Path
) -> None:
    elsewhere = other_host.url("/")
    site.add_route("/hop.js", Route(status=302, headers=(("Location", elsewhere + "hop.js"),)))
    site.add_route("/private/secret.js", Route(body=b"//", content_type="text/javascript"))
    site.add_route("/app.js", Route(body=b"window.appLoaded = 1;", content_type="text/javascript"))
    requests = f"""
<script src="{elsewhere}tracker.js"></script>
<script src="/hop.js"></script>
<script src="/private/secret.js"></script>
<script src="/app.js"></script>
<img src="/photo.jpg">
<iframe src="{elsewhere}frame.html"></iframe>
<script>
fetch("{elsewhere}api").catch(() => null);
try {{ new WebSocket("{elsewhere.replace("http", "ws")}socket"); }} catch (e) {{}}
fetch("file:///etc/hostname").catch(() => null);
</script>"""
    url = site.add_route("/news/bridge.html", Route(body=script_page(requests)))
    # The page's own redirect is Scrapy's to follow (its robots.txt, limits and guard apply).
    moved = site.add_route(
        "/old-bridge", Route(status=301, headers=(("Location", "/news/bridge.html"),))
    )
    db = tmp_path / "a.db"
    run = run_archive("save", url, moved, "--js", db=db, **RENDER_FAST)
    assert run.status == 0, run

    assert other_host.seen() == []  # not a script, a redirect, a fetch, a socket
    paths = {seen.path for seen in site.seen()}
    assert "/private/secret.js" not in paths  # refused by robots.txt
    assert "/photo.jpg" not in paths  # images are never loaded
    assert {"/news/bridge.html", "/hop.js", "/app.js"} <= paths
    assert [outcome for _, outcome, _, _, _ in captures(db)] == ["article", "article"]
    assert rows(db, "SELECT final_url FROM captures WHERE requested_url = ?", moved) == [(url,)]


def test_a_page_that_crashes_the_browser_is_a_capture_with_the_reason(
    chromium: str, site: LoopbackServer, tmp_path: Path
) -> None:
    # Past the JavaScript heap cap the renderer dies, as a page would take a browser down.
    hog = "<script>const heap = []; for (;;) heap.push(new Array(1e6).fill(heap.length));</script>"
    url = site.add_route("/news/hog.html", Route(body=script_page(hog)))
    db = tmp_path / "a.db"
    run = run_archive("save", url, "--js", db=db, DOWNLOAD_TIMEOUT="20", **RENDER_FAST)
    assert run.status == 1, run

    [(_, outcome, error, _, body_hash)] = captures(db)
    assert (outcome, body_hash) == ("fetch-error", None)
    assert error == "browser failed: Target crashed"


def test_a_site_crawl_with_js_follows_the_links_a_script_writes(
    chromium: str, site: LoopbackServer, tmp_path: Path
) -> None:
    story = site.add_route("/news/bridge.html", Route(body=script_page()))
    link = '<a href="/news/bridge.html">Bridge</a>'
    links = f"<script>document.body.insertAdjacentHTML('beforeend', '{link}');</script>"
    front_page = Route(body=f"<html><body><h1>News</h1>{links}</body></html>".encode())
    site.add_route("/news/", front_page)  # the story's own navigation links here and to /
    front = site.add_route("/", front_page)
    db = tmp_path / "a.db"
    plain = run_archive("crawl", "site", front, db=db)
    assert plain.status == 0, plain
    assert rows(db, "SELECT requested_url FROM captures") == [(front,)]  # no links to follow

    rendered = run_archive("crawl", "site", front, "--js", "--refresh", db=db, **RENDER_FAST)
    assert rendered.status == 0, rendered
    found = dict(rows(db, "SELECT requested_url, outcome FROM captures WHERE crawl_id = 2"))
    assert found[story] == "article"
    assert found[front] == "not-article"


def refuse_admin(url: str) -> str | None:
    """An address guard as ARCHIVE_JS_GUARD takes one (the test's stand-in)."""
    return "refused by the guard" if "/admin" in url else None


async def refuse_internal(url: str) -> None:
    if "internal" in url:
        raise ArchiveError("an internal address")


@pytest.mark.parametrize(
    ("guard", "url", "reason"),
    [
        ("refuse_admin", "http://127.0.0.1/story.js", None),
        ("refuse_admin", "https://img.cdn.example/app.js", None),
        ("refuse_admin", "ftp://127.0.0.1/file", "scheme 'ftp' not allowed"),
        ("refuse_admin", "data:text/plain,x", "scheme 'data' not allowed"),
        (
            "refuse_admin",
            "http://127.0.0.2/x.js",
            "host '127.0.0.2' is not the page's own (ARCHIVE_JS_ALLOW_HOSTS)",
        ),
        ("refuse_admin", "http://127.0.0.1/a.png", "image not loaded (ARCHIVE_JS_BLOCK_TYPES)"),
        ("refuse_admin", "http://127.0.0.1/admin/x.js", "refused by the guard"),
        ("refuse_internal", "http://internal.cdn.example/x.js", "an internal address"),
    ],
)
def test_the_gate_names_why_the_browser_may_not_load_a_url(
    chromium: str, guard: str, url: str, reason: str | None
) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.render.gate import PageGate

    crawler = get_crawler(
        settings_dict={
            "ARCHIVE_JS_GUARD": f"tests.test_render.{guard}",
            "ARCHIVE_JS_ALLOW_HOSTS": ["cdn.example"],
            "ARCHIVE_JS_BLOCK_TYPES": ["image"],
            "ROBOTSTXT_OBEY": False,
            # The crawl's address policy has tests of its own (tests/test_render_guard.py).
            "ARCHIVE_ALLOW_PRIVATE": True,
        }
    )
    gate = PageGate(crawler, timeout=5)
    kind = "image" if url.endswith(".png") else "script"
    assert asyncio.run(gate.refusal(url, "127.0.0.1", kind)) == reason


def test_without_the_crawls_resolver_the_gate_refuses_every_address(chromium: str) -> None:
    from scrapy.utils.test import get_crawler

    from crawler.render.gate import PageGate

    gate = PageGate(get_crawler(settings_dict={"ROBOTSTXT_OBEY": False}), timeout=5)
    reason = asyncio.run(gate.refusal("http://127.0.0.1/story.js", "127.0.0.1", "script"))
    assert reason is not None and "TWISTED_DNS_RESOLVER=crawler.netguard.GuardedResolver" in reason
