"""The last chance before a refusal: a body held in JSON-LD ``articleBody`` or in a
client-side template, read only when the page says it is one article."""

import json
import time

import pytest

from archive.errors import NotAnArticleError
from archive.extract import extract_article
from archive.parse.embedded import held_back, paragraphs
from archive.parse.listing import is_one_article
from archive.parse.meta.metadata import read_metadata
from archive.parse.tree.soup import parse

BODY = (
    "The harbour board voted on Thursday to dredge the inner basin before the summer, "
    "after two fishing boats ran aground there in February. Work starts in May and should "
    "take six weeks; moorings will move to the outer quay while it lasts."
)
SHELL = '<div id="app">Loading</div><footer><a href="/privacy">Privacy</a></footer>'


def _ld(kind: str, body: object, headline: str = "Harbour basin to be dredged") -> str:
    data = {"@context": "https://schema.org", "@type": kind, "headline": headline}
    data["articleBody"] = body
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _page(head: str = "", body: str = SHELL, title: str = "Harbour basin to be dredged") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("One.\n\nTwo.\n\nThree.", ["One.", "Two.", "Three."]),
        ("One.\nTwo.", ["One.", "Two."]),
        ("It ended on Monday.The mayor spoke.", ["It ended on Monday.", "The mayor spoke."]),
        ("The U.S.A. and the U.K. agreed.", ["The U.S.A. and the U.K. agreed."]),
        ("<p>One &amp; two.</p><p>Three.</p>", ["One & two.", "Three."]),
        ("Line one<br/>line two", ["Line one", "line two"]),
        ("  \n\n  ", []),
    ],
)
def test_a_body_string_splits_into_its_paragraphs(body: str, expected: list[str]) -> None:
    assert paragraphs(body) == expected


def test_templates_are_put_in_place_and_placeholders_dropped() -> None:
    page = (
        "<body><div>before</div>"
        '<script type="text/template" id="post"><article><p>Post text.</p></article></script>'
        "<script type='text/x-template'>{{name}}</script><template><p>Held.</p></template>"
        "<script>var x = '<p>code</p>';</script></body>"
    )
    assert list(held_back(page)) == [
        "<body><div>before</div><article><p>Post text.</p></article><p>Held.</p>"
        "<script>var x = '<p>code</p>';</script></body>"
    ]
    assert list(held_back("<body><script>var a = 1;</script></body>")) == []


def test_noscript_fallbacks_come_second_and_alone() -> None:
    # Templates and the <noscript> fallback often hold the same body: never both at once.
    page = (
        "<body><script type='text/template'><p>Post.</p></script>"
        "<noscript><article><p>Post.</p></article></noscript>"
        "<noscript>Turn on JavaScript.</noscript></body>"
    )
    assert list(held_back(page)) == [
        "<body><p>Post.</p><noscript><article><p>Post.</p></article></noscript>"
        "<noscript>Turn on JavaScript.</noscript></body>",
        "<body><script type='text/template'><p>Post.</p></script>"
        "<article><p>Post.</p></article></body>",
    ]


def test_unclosed_templates_cost_one_scan() -> None:
    page = ('<script type="text/template"><p>x' + "<noscript><p>y") * 10_000
    started = time.perf_counter()
    assert list(held_back(page)) == []
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("head", "url", "one"),
    [
        ('<meta property="og:type" content="article">', "https://x.example/a", True),
        ("", "https://x.example/2021/03/mending-a-wall.html", True),
        ("", "https://x.example/2021/03/14/notes", True),
        ("", "https://x.example/2021/03/", False),
        ("", "https://x.example/2021/03/page/2", False),  # a month's archive, paged
        ("", "https://x.example/2021/03/page-2", False),
        ("", "https://x.example/topics/harbour", False),
        ('<meta property="og:type" content="website">', "https://x.example/", False),
    ],
)
def test_evidence_of_one_article(head: str, url: str, one: bool) -> None:
    doc = parse(_page(head))
    assert is_one_article(doc, read_metadata(doc, url), url) is one


def test_a_script_rendered_article_is_read_from_its_json_ld_body() -> None:
    record = extract_article(_page(_ld("NewsArticle", BODY)), "https://x.example/harbour")
    assert record.text == BODY
    assert record.markdown == BODY
    assert record.title == "Harbour basin to be dredged"


def test_a_json_ld_body_given_as_a_list_is_its_paragraphs() -> None:
    parts = ["Dredging: what changes at the inner basin.", BODY]
    record = extract_article(_page(_ld("BlogPosting", parts)), "https://x.example/harbour")
    assert record.text == "\n\n".join(parts)


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("WebPage", BODY),  # no article type, no headline, no dated address: no evidence
        ("NewsArticle", "Dredging starts in May."),  # too short even for a brief
    ],
)
def test_the_refusal_stands_without_evidence_or_words(kind: str, body: str) -> None:
    with pytest.raises(NotAnArticleError):
        extract_article(_page(_ld(kind, body), title="Harbour"), "https://x.example/harbour")


def test_a_front_listing_its_stories_in_json_ld_stays_refused() -> None:
    stories = _ld("NewsArticle", BODY) + _ld("NewsArticle", BODY.replace("May", "June"))
    head = '<meta property="og:type" content="article">' + stories
    with pytest.raises(NotAnArticleError):
        extract_article(_page(head, title="Harbour"), "https://x.example/harbour")


def test_a_front_with_a_template_stays_refused() -> None:
    template = f'<script type="text/template"><article><p>{BODY}</p></article></script>'
    with pytest.raises(NotAnArticleError):
        extract_article(_page(body=SHELL + template, title="Harbour"), "https://x.example/")


def test_pixels_and_tag_manager_frames_hold_no_body() -> None:
    page = (
        "<body><noscript><iframe src='https://tags.example/ns.html'></iframe></noscript>"
        "<noscript><img src='https://pixel.example/t.gif' alt=''></noscript><p>Front.</p></body>"
    )
    assert list(held_back(page)) == []
