# ruff: noqa: E501  (inline HTML test cases read best on one line each)
"""Each record says where its dates and authors came from."""

import json

import pytest

from archive.extract import extract_article

BODY = "<p>" + "The council met on Tuesday, and the vote was close. " * 8 + "</p>"


def _page(head: str = "", top: str = "") -> str:
    return (
        f"<html><head><title>Vote</title>{head}</head><body><article><h1>Vote</h1>{top}"
        f"{BODY * 3}</article></body></html>"
    )


def _ld(**fields: object) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", **fields}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


@pytest.mark.parametrize(
    ("html", "url", "published", "source"),
    [
        (_page(_ld(datePublished="2019-05-01T10:00:00Z")), None, "2019-05-01T10:00:00+00:00", "json-ld"),
        (_page('<meta property="article:published_time" content="2019-05-02">'), None, "2019-05-02", "meta"),
        (_page(top='<time datetime="2019-05-03T08:00:00+02:00">May 3</time>'), None, "2019-05-03T08:00:00+02:00", "time"),
        (_page(), "https://news.example/2019/05/04/vote/", "2019-05-04", "url"),
        (_page(top='<span class="post-date">May 5, 2019</span>'), None, "2019-05-05", "text"),
        (_page(), "https://news.example/vote", None, None),
    ],
)  # fmt: skip
def test_published_from(
    html: str, url: str | None, published: str | None, source: str | None
) -> None:
    record = extract_article(html, url)
    assert (record.published_at, record.published_from) == (published, source)


@pytest.mark.parametrize(
    ("head", "modified", "source"),
    [
        (_ld(dateModified="2019-06-01T09:00:00Z"), "2019-06-01T09:00:00+00:00", "json-ld"),
        ('<meta property="article:modified_time" content="2019-06-02">', "2019-06-02", "meta"),
        ("", None, None),
    ],
)
def test_modified_from(head: str, modified: str | None, source: str | None) -> None:
    record = extract_article(_page(head))
    assert (record.modified_at, record.modified_from) == (modified, source)


@pytest.mark.parametrize(
    ("head", "top", "names", "source"),
    [
        (_ld(author={"@type": "Person", "name": "Ana Ruiz"}), "", ["Ana Ruiz"], "json-ld"),
        ('<meta name="author" content="Ana Ruiz">', "", ["Ana Ruiz"], "meta"),
        ("", '<div class="byline">By Ana Ruiz, Senior Editor</div>', ["Ana Ruiz"], "byline"),
        ("", "<p>By Ana Ruiz and Tom Becker</p>", ["Ana Ruiz", "Tom Becker"], "text"),
        ("", "", [], None),
    ],
)
def test_authors_from(head: str, top: str, names: list[str], source: str | None) -> None:
    record = extract_article(_page(head, top))
    assert (record.authors, record.authors_from) == (names, source)


def test_the_site_named_as_author_is_no_author_and_the_next_source_answers() -> None:
    head = (
        '<meta property="og:site_name" content="Town Post">'
        + _ld(author={"@type": "Organization", "name": "Town Post"})
        + '<meta name="author" content="Town Post">'
    )
    record = extract_article(_page(head, '<p class="byline">By Jane Doe, Senior Editor</p>'))
    assert (record.authors, record.authors_from) == (["Jane Doe"], "byline")


def test_records_carry_the_extractor_version_and_the_sources_in_to_dict() -> None:
    data = extract_article(_page(_ld(datePublished="2019-05-01"))).to_dict()
    assert data["extractor_version"] == "9"
    assert data["published_from"] == "json-ld"
    assert data["rules"] == []
