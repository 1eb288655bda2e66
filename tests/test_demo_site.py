"""The offline demo site (archive/demo/site) and its loopback server.

Three layers: the site itself (paths, links, word counts, the manifest agreeing with the pages),
the server (every page served from 127.0.0.1 with the right type, quietly), and the parser run
over every page against what the manifest says each article holds and must not hold.
"""

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from archive.demo.server import SITE_DIR, DemoServer, serve_site
from archive.errors import NotAnArticleError
from archive.extract import extract_article
from archive.records import ArticleRecord

MANIFEST: dict[str, Any] = json.loads((SITE_DIR / "manifest.json").read_text(encoding="utf-8"))
ARTICLES: list[dict[str, Any]] = MANIFEST["articles"]
NOT_ARTICLES: list[str] = [page["path"] for page in MANIFEST["not_articles"]]
HTML_PAGES = [a["path"] for a in ARTICLES] + NOT_ARTICLES + ["about.html"]
ALL_FILES = HTML_PAGES + MANIFEST["other_pages"]


def ids(articles: list[dict[str, Any]]) -> list[str]:
    return [a["path"] for a in articles]


def squash(text: str) -> str:
    """Whitespace collapsed, so a sentence matches however the parser wrapped or joined it."""
    return " ".join(text.split())


def soup_of(path: str) -> BeautifulSoup:
    return BeautifulSoup((SITE_DIR / path).read_bytes(), "lxml")


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read()


@pytest.fixture(scope="module")
def site() -> Iterator[DemoServer]:
    with serve_site() as server:
        yield server


# --- the site ------------------------------------------------------------------------------


def test_the_site_has_enough_articles_and_templates() -> None:
    assert len(ARTICLES) >= 12
    assert len({a["template"] for a in ARTICLES}) >= 4
    assert {a["language"] for a in ARTICLES} >= {"en", "de"}
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", a["published_at"]) for a in ARTICLES)
    assert any(len(a["authors"]) > 1 for a in ARTICLES)


@pytest.mark.parametrize("path", ALL_FILES)
def test_every_manifest_path_exists(path: str) -> None:
    assert (SITE_DIR / path).is_file()


@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_every_article_has_at_least_250_words_of_body(article: dict[str, Any]) -> None:
    # Counted on the page, not taken from the manifest: the direct paragraphs, subheadings,
    # list items and quotes of the body container (boxes nested inside it are not counted).
    body = soup_of(article["path"]).select_one(article["body_selector"])
    assert body is not None
    blocks = body.select(":scope > p, :scope > h2, :scope > ul > li, :scope > blockquote")
    words = sum(len(block.get_text(" ").split()) for block in blocks)
    assert 250 <= words <= 900


@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_manifest_agrees_with_the_page(article: dict[str, Any]) -> None:
    soup = soup_of(article["path"])
    page_text = squash(soup.get_text(" "))
    assert squash(soup.h1.get_text()) == article["title"]
    body_text = squash(soup.select_one(article["body_selector"]).get_text(" "))
    for sentence in article["sentences"]:
        assert squash(sentence) in body_text
    # Every must-not string really is on the page (else the check against the parser is
    # empty), and none of them is part of what must be kept.
    for boiler in article["must_not_contain"]:
        assert squash(boiler) in page_text, boiler
        assert not any(boiler in sentence for sentence in article["sentences"]), boiler
    if article["language"] == "en":
        assert "Latest From" in article["must_not_contain"]


def test_index_links_every_article() -> None:
    hrefs = {a["href"] for a in soup_of("index.html").find_all("a", href=True)}
    assert {f"/{a['path']}" for a in ARTICLES} <= hrefs


@pytest.mark.parametrize("path", HTML_PAGES)
def test_links_resolve_and_absolute_urls_are_fictional(path: str) -> None:
    soup = soup_of(path)
    for tag in soup.find_all(href=True) + soup.find_all(src=True):
        url = tag.get("href") or tag.get("src")
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            assert parts.hostname.endswith(".example"), url
        elif parts.scheme == "" and parts.path:
            target = SITE_DIR / parts.path.lstrip("/")
            assert target.is_file() or (target / "index.html").is_file(), url


def test_robots_txt_allows_everything() -> None:
    lines = (SITE_DIR / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert not any(line.startswith("Disallow: /") for line in lines)


# --- the server ----------------------------------------------------------------------------


def test_server_urls_come_from_the_manifest(site: DemoServer) -> None:
    assert site.base_url.startswith("http://127.0.0.1:")
    assert site.index_url == f"{site.base_url}/index.html"
    assert site.article_urls() == [f"{site.base_url}/{a['path']}" for a in ARTICLES]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_server_serves_every_page_as_utf8_html(
    site: DemoServer, path: str, capfd: pytest.CaptureFixture[str]
) -> None:
    status, content_type, body = fetch(site.url_for(path))
    assert status == 200
    assert content_type == "text/html; charset=utf-8"
    assert body == (SITE_DIR / path).read_bytes()
    assert capfd.readouterr().err == ""  # no request lines on stderr


def test_server_serves_robots_txt_and_404s_quietly(
    site: DemoServer, capfd: pytest.CaptureFixture[str]
) -> None:
    status, content_type, body = fetch(site.url_for("robots.txt"))
    assert (status, content_type) == (200, "text/plain; charset=utf-8")
    assert b"Allow: /" in body
    with pytest.raises(urllib.error.HTTPError) as caught:
        fetch(site.url_for("no/such/page.html"))
    assert caught.value.code == 404
    caught.value.close()
    assert capfd.readouterr().err == ""


def test_server_stops_and_releases_its_port(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"index": "a.html", "articles": [{"path": "a.html"}]}')
    (tmp_path / "a.html").write_text("<p>caf\u00e9</p>", encoding="utf-8")
    with serve_site(tmp_path) as server:
        assert server.article_urls() == [server.index_url]
        assert fetch(server.index_url)[2] == "<p>caf\u00e9</p>".encode()
        url = server.index_url
    with pytest.raises(urllib.error.URLError):
        fetch(url)


# --- the parser on the demo pages ----------------------------------------------------------


@cache
def parsed(path: str, base_url: str) -> ArticleRecord:
    url = f"{base_url}/{path}"
    return extract_article(fetch(url)[2], url)


@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_parser_finds_title_authors_date_and_language(
    site: DemoServer, article: dict[str, Any]
) -> None:
    record = parsed(article["path"], site.base_url)
    assert record.title == article["title"]
    assert record.authors == article["authors"]
    assert record.published_at == article["published_at"]
    assert record.language == article["language"]
    assert record.word_count >= 250


@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_parser_keeps_the_sentences(site: DemoServer, article: dict[str, Any]) -> None:
    text = squash(parsed(article["path"], site.base_url).text)
    missing = [s for s in article["sentences"] if squash(s) not in text]
    assert missing == []


@pytest.mark.parametrize("article", ARTICLES, ids=ids(ARTICLES))
def test_parser_drops_the_boilerplate(site: DemoServer, article: dict[str, Any]) -> None:
    record = parsed(article["path"], site.base_url)
    fields = {"text": record.text, "title": record.title, "description": record.description}
    leaked = [
        (name, boiler)
        for name, value in fields.items()
        for boiler in article["must_not_contain"]
        if value and squash(boiler) in squash(value)
    ]
    assert leaked == []


@pytest.mark.parametrize("path", NOT_ARTICLES)
def test_parser_refuses_the_pages_that_are_not_articles(site: DemoServer, path: str) -> None:
    url = site.url_for(path)
    with pytest.raises(NotAnArticleError):
        extract_article(fetch(url)[2], url)
