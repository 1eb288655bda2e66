"""The parts of rendering that need no browser: when the handler is installed, which requests
it renders, the rules key, the failure reason, and the mark a server cannot fake."""

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings

from archive.errors import ArchiveError
from archive.rules import RulesError, load_rules
from crawler.addons import ContactAddon
from crawler.failures import describe_failure
from crawler.middlewares.incremental import INDEX, PAGE, ROLE
from crawler.middlewares.robots import SHARED_ROBOTS
from crawler.render.addon import HANDLER, RenderAddon
from crawler.render.choice import RENDER, RenderChoice
from crawler.render.marks import RENDERED_FLAG, RenderError
from crawler.spiders.base import item_from_response

JS_RULES = '[[rule]]\nname = "scripted"\nhosts = ["scripted.example"]\njs = true\n'


def crawl_settings(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def with_addon(settings: Settings) -> Settings:
    RenderAddon().update_settings(settings)
    return settings


def test_without_js_nothing_changes() -> None:
    plain = crawl_settings()
    before = plain.copy_to_dict()
    after = with_addon(plain).copy_to_dict()
    assert after == before
    assert HANDLER not in str(after["DOWNLOAD_HANDLERS"])
    assert not any(name.startswith("PLAYWRIGHT_") for name in after)


@pytest.mark.parametrize("given", [{"ARCHIVE_JS": "True"}, {"ARCHIVE_JS": True}])
def test_archive_js_installs_the_rendering_handler(given: dict[str, object]) -> None:
    settings = with_addon(crawl_settings(ARCHIVE_JS_BROWSER="sh", **given))
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert (handlers["http"], handlers["https"]) == (HANDLER, HANDLER)
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"].endswith("/sh")
    assert "--disable-background-networking" in launch["args"]
    assert settings.getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 3
    assert settings.getint("PLAYWRIGHT_MAX_CONTEXTS") == 1


def test_the_browser_never_gets_a_network_of_its_own_even_with_the_users_launch_options() -> None:
    from crawler.render.addon import NO_NETWORK

    default = with_addon(crawl_settings(ARCHIVE_JS_BROWSER="sh", ARCHIVE_JS=True))
    assert NO_NETWORK in default.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    own = {"headless": True, "args": ["--lang=de"]}
    users = with_addon(
        crawl_settings(ARCHIVE_JS_BROWSER="sh", ARCHIVE_JS=True, PLAYWRIGHT_LAUNCH_OPTIONS=own)
    )
    launch = users.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["args"] == ["--lang=de", NO_NETWORK]
    assert launch["headless"] is True


def test_a_rule_with_js_installs_it_too(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(JS_RULES)
    settings = with_addon(crawl_settings(ARCHIVE_RULES=[str(rules)], ARCHIVE_JS_BROWSER="sh"))
    assert settings.getdict("DOWNLOAD_HANDLERS")["https"] == HANDLER


def test_the_users_own_playwright_settings_win() -> None:
    settings = crawl_settings(
        ARCHIVE_JS=True, ARCHIVE_JS_BROWSER="sh", PLAYWRIGHT_MAX_PAGES_PER_CONTEXT=1
    )
    assert with_addon(settings).getint("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT") == 1


def test_a_missing_browser_is_one_clear_error() -> None:
    settings = crawl_settings(ARCHIVE_JS=True, ARCHIVE_JS_BROWSER="/nowhere/chromium")
    with pytest.raises(ArchiveError) as caught:
        with_addon(settings)
    assert str(caught.value) == (
        "ARCHIVE_JS_BROWSER='/nowhere/chromium': no such browser "
        "(on Debian: apt-get install chromium)"
    )


def test_which_requests_are_rendered(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(JS_RULES)
    by_rules = RenderChoice(crawl_settings(ARCHIVE_RULES=[str(rules)]))
    every = RenderChoice(crawl_settings(ARCHIVE_JS=True))

    def request(url: str, **meta: object) -> Request:
        return Request(url, meta=meta)

    page = "https://news.scripted.example/story"
    assert by_rules(request(page)) and every(request(page))
    assert by_rules(request(page, **{ROLE: PAGE}))
    assert not by_rules(request("https://plain.example/story"))
    assert every(request("https://plain.example/story"))
    # Never robots.txt, a feed or a sitemap; a request may force its own choice.
    assert not every(request(page + "/robots.txt", dont_obey_robotstxt=True))
    assert not every(request(page, **{SHARED_ROBOTS: True}))
    assert not every(request(page + ".xml", **{ROLE: INDEX}))
    assert not every(request(page, **{RENDER: False}))
    assert RenderChoice(crawl_settings())(request(page, **{RENDER: True}))


def test_rules_js_must_be_a_boolean(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(JS_RULES.replace("true", '"yes"'))
    with pytest.raises(RulesError, match="rule 'scripted': js must be true or false"):
        load_rules([rules])
    rules.write_text(JS_RULES)
    assert [rule.js for rule in load_rules([rules])] == [True]


def test_a_render_failure_is_a_fetch_error_with_its_reason() -> None:
    error = RenderError(
        "timed out: the page did not finish loading in the browser within 2 seconds"
    )
    assert describe_failure(error, Request("https://a.example/")) == ("fetch-error", str(error))


def test_only_a_rendered_response_keeps_the_rendered_mark() -> None:
    request = Request("https://a.example/story")
    headers = {"X-Archive-Rendered": "Chromium/1; network idle", "Content-Type": "text/html"}
    sent = HtmlResponse(request.url, headers=headers, body=b"<p>x</p>", request=request)
    rendered = sent.replace(flags=[RENDERED_FLAG])
    names = [name for name, _ in item_from_response(sent, "page").response_headers]
    assert names == ["Content-Type"]  # the server's own header of that name is dropped
    kept = dict(item_from_response(rendered, "page").response_headers)
    assert kept["X-Archive-Rendered"] == "Chromium/1; network idle"


def test_the_contact_addon_and_the_render_addon_are_both_listed() -> None:
    addons = crawl_settings().getdict("ADDONS")
    assert addons["crawler.render.addon.RenderAddon"] is not None
    assert any(name.endswith(ContactAddon.__name__) for name in addons)


def answer_of(body: bytes, encoding: str, max_size: int = 0) -> bytes:
    from scrapy.http import Response

    from crawler.render.fetch import _answer

    headers = {"Content-Encoding": encoding, "Content-Length": str(len(body))}
    answer = _answer(Response("http://127.0.0.1/x.js", body=body, headers=headers), max_size)
    assert "content-encoding" not in answer.headers and "content-length" not in answer.headers
    return answer.body


def test_what_the_browser_is_handed_is_decoded() -> None:
    import gzip
    import zlib

    script = b"document.title = 'decoded';" * 20
    assert answer_of(script, "identity") == script
    assert answer_of(gzip.compress(script), "gzip") == script
    assert answer_of(zlib.compress(script), "deflate") == script
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert answer_of(raw.compress(script) + raw.flush(), "deflate") == script


def test_an_answer_that_cannot_be_decoded_or_is_too_large_is_not_handed_on() -> None:
    import zlib

    from crawler.render.fetch import UndecodableAnswer

    with pytest.raises(UndecodableAnswer, match="'br' not decoded"):
        answer_of(b"\x0b\x02\x80", "br")
    with pytest.raises(UndecodableAnswer, match="over the 100-byte limit"):
        answer_of(zlib.compress(b"x" * 10_000), "deflate", max_size=100)
