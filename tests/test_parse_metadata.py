# ruff: noqa: E501  (inline HTML test cases read best on one line each)
import json

import pytest

from archive.parse.meta.metadata import read_metadata
from archive.parse.tree.soup import parse


def meta_of(head: str, body: str = "", url: str | None = "https://site.example/a/b"):
    doc = parse(f"<html><head>{head}</head><body>{body}</body></html>")
    return read_metadata(doc, url)


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


ARTICLE = {"@type": "NewsArticle", "headline": "From JSON-LD", "datePublished": "2019-01-02"}


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (ld(ARTICLE) + '<meta property="og:title" content="From OG">', "", "From JSON-LD"),
        ('<meta property="og:title" content="From OG"><title>T</title>', "", "From OG"),
        ('<meta name="twitter:title" content="From Twitter">', "<h1>H</h1>", "From Twitter"),
        ("<title>From title</title>", "<h1>From h1</h1>", "From h1"),
        (
            '<meta property="og:site_name" content="Site"><title>Headline | Site</title>',
            "",
            "Headline",
        ),
        ("<title>Headline | Other words</title>", "", "Headline | Other words"),
        ("", "", None),
    ],
)
def test_title_chain(head: str, body: str, expected: str | None) -> None:
    assert meta_of(head, body).title == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta property="article:published_time" content="2019-03-04T05:06:07Z">', "2019-03-04T05:06:07+00:00"),
        (ld(ARTICLE) + '<meta property="article:published_time" content="2019-03-04T05:06:07Z">', "2019-01-02"),
        ('<meta name="date" content="2019-03-04">', "2019-03-04"),
        ('<meta name="parsely-pub-date" content="2019-03-04T05:06:07-05:00">', "2019-03-04T05:06:07-05:00"),
    ],
)  # fmt: skip
def test_published_at_chain(head: str, expected: str) -> None:
    assert meta_of(head).published_at == expected


def test_published_at_from_time_element_then_url() -> None:
    body = '<time datetime="2019-07-08T09:10:00+02:00">8 July</time>'
    assert meta_of("", body).published_at == "2019-07-08T09:10:00+02:00"
    assert meta_of("", "", "https://x.example/2019/07/08/story/").published_at == "2019-07-08"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta http-equiv="content-language" content="en-GB">', "en"),
        ('<meta property="og:locale" content="pt_BR">', "pt"),
        (ld({**ARTICLE, "inLanguage": "ja-JP"}), "ja"),
        ('<meta property="og:locale" content="not a language">', None),
        ("", None),
    ],
)
def test_language_from_meta(head: str, expected: str | None) -> None:
    assert meta_of(head).language == expected


def test_language_from_html_lang() -> None:
    doc = parse('<html lang="DE-at"><body><p>x</p></body></html>')
    assert read_metadata(doc, None).language == "de"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (ld({**ARTICLE, "keywords": "a, b ,c"}), ["a", "b", "c"]),
        (ld({**ARTICLE, "keywords": ["x", "X", "y"]}), ["x", "y"]),
        ('<meta property="article:tag" content="one"><meta property="article:tag" content="two">', ["one", "two"]),
        ('<meta name="news_keywords" content="p, q">', ["p", "q"]),
        ("", []),
    ],
)  # fmt: skip
def test_tags_chain(head: str, expected: list[str]) -> None:
    assert meta_of(head).tags == expected


def test_graph_and_id_references_are_resolved() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "The Site"},
            {
                "@type": "Article",
                "headline": "H",
                "author": {"@id": "#p1"},
                "image": {"@id": "#img"},
                "publisher": {"@id": "#org"},
            },
            {"@type": "Person", "@id": "#p1", "name": "Jo Park"},
            {"@type": "ImageObject", "@id": "#img", "url": "/i.jpg"},
            {"@type": "Organization", "@id": "#org", "name": "The Publisher"},
        ],
    }
    meta = meta_of(ld(graph))
    assert meta.authors == ["Jo Park"]
    assert meta.image == "https://site.example/i.jpg"
    assert meta.site_name == "The Publisher"


def test_broken_json_ld_is_skipped() -> None:
    head = '<script type="application/ld+json">{"@type": "Article", broken</script>'
    head += '<meta property="og:title" content="OG">'
    assert meta_of(head).title == "OG"


def test_canonical_url_is_made_absolute() -> None:
    meta = meta_of('<link rel="canonical" href="/a/b?x=1">')
    assert meta.canonical_url == "https://site.example/a/b?x=1"
    assert meta_of('<meta property="og:url" content="https://o.example/c">').canonical_url == (
        "https://o.example/c"
    )
