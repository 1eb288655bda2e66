# ruff: noqa: E501  (inline HTML test cases read best on one line each)
"""The front door: records, typed errors, and bounded time on nasty input."""

import contextlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import EXTRACTOR_VERSION, extract_article
from archive.errors import ExtractionError, NotAnArticleError, NotHTMLError

PARA = "<p>" + "The council met on Tuesday, and the vote was close. " * 6 + "</p>"
ARTICLE = (
    '<html lang="en-US"><head><title>A title</title>'
    '<link rel="canonical" href="https://news.example/story"></head>'
    f"<body><article><h1>A title</h1>{PARA * 3}</article></body></html>"
)


def test_extractor_version_is_a_string() -> None:
    assert isinstance(EXTRACTOR_VERSION, str) and EXTRACTOR_VERSION


def test_url_is_the_address_given_else_the_canonical_url() -> None:
    given_url = "https://news.example/story?utm_source=x"
    assert extract_article(ARTICLE, given_url).url == given_url
    assert extract_article(ARTICLE).url == "https://news.example/story"
    assert extract_article(ARTICLE).canonical_url == "https://news.example/story"


def test_bytes_and_text_give_the_same_record() -> None:
    assert extract_article(ARTICLE.encode("utf-8")) == extract_article(ARTICLE)


def test_word_count_counts_the_words_of_text() -> None:
    record = extract_article(ARTICLE)
    assert record.word_count == len(record.text.split()) == 3 * 6 * 10
    assert record.text.count("\n\n") == 2
    assert record.language == "en"


def test_word_count_of_chinese_counts_characters_in_pairs() -> None:
    """Chinese puts no spaces between words: its word count is not its count of paragraphs."""
    sentence = "经过半年的装修，老街上的这家书店于周六重新开业，店里的书架和座位都换了新的。"
    html = f"<html><head><title>老街书店重新开业</title></head><body><article>{('<p>' + sentence + '</p>') * 3}</article></body></html>"
    record = extract_article(html)
    assert record.text.count("\n\n") == 2
    # 35 characters besides its three marks: 17 words a paragraph (pairs, rounded down)
    assert record.word_count == 3 * ((len(sentence) - 3) // 2)


@pytest.mark.parametrize(
    ("html", "error", "reason"),
    [
        (b"", NotHTMLError, "empty document"),
        (b"%PDF-1.5\n%\xe2\xe3", NotHTMLError, "PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), NotHTMLError, "PNG"),
        (bytes(range(256)) * 20, NotHTMLError, "binary"),
        ("plain text with no markup", NotHTMLError, "no HTML tags"),
        ("<html><body></body></html>", NotAnArticleError, "not an article"),
        ("<html><body><p>Too short to be an article.</p></body></html>", NotAnArticleError, "words"),
        (
            "<html><body>" + "<p><a href='/x'>" + "link words " * 30 + "</a></p>" * 5 + "</body></html>",
            NotAnArticleError,
            "not links",
        ),
        ("<html><body>" + "<script>x()</script>" * 100 + "</body></html>", NotAnArticleError, "not an article"),
    ],
)  # fmt: skip
def test_typed_errors_say_why(html: str | bytes, error: type, reason: str) -> None:
    with pytest.raises(error) as caught:
        extract_article(html, "https://x.example/p")
    assert reason in caught.value.reason
    assert caught.value.url == "https://x.example/p" or isinstance(caught.value, NotHTMLError)


NASTY = {
    "deep-divs": "<html><body>"
    + "<div>" * 10_000
    + PARA * 2
    + "</div>" * 10_000
    + "</body></html>",
    "deep-unclosed": "<html><body>" + "<div><span>" * 10_000 + PARA * 2,
    "deep-inline": "<body><p>" + "<b>" * 10_000 + "word " * 100 + "</p>",
    "deep-tables": "<table>" * 5_000 + PARA * 2,
    # Each nested container is judged as chrome, and each measures its text: once, not 10,000
    # times over; the markup pass that cuts chrome must not search for each one's end.
    "deep-asides-kept": "<body>" + "<aside><h1>x</h1>" * 10_000 + PARA * 3 + "</aside>" * 10_000,
    "deep-navs-unclosed": "<body>" + "<nav>" * 10_000 + PARA * 3,
    "deep-footers": "<body>" + "<footer><a href='/x'>x</a>" * 10_000 + "</footer>" * 10_000,
    "unclosed-tags": "<html><body><div><p>" + "word " * 80 + "<p><div><span><a href='/x'>",
    "unclosed-script": "<html><body>" + PARA + "<script>" * 5_000,
    "conflicting-charsets": '<meta charset="utf-8"><meta charset="koi8-r">' + PARA * 2,
    "null-bytes": "<html><body>" + PARA.replace("vote", "vo\x00te") * 2 + "</body></html>",
}


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_input_ends_in_a_record_or_a_typed_error_quickly(name: str) -> None:
    start = time.perf_counter()
    try:
        record = extract_article(NASTY[name], "https://x.example/n")
        assert record.word_count > 0
    except ExtractionError as error:
        assert error.reason
    assert time.perf_counter() - start < 10


def test_a_twenty_megabyte_page_is_cut_and_parsed_in_bounded_time() -> None:
    page = "<html><body><article>" + PARA * (20_000_000 // len(PARA)) + "</article></body></html>"
    start = time.perf_counter()
    record = extract_article(page, "https://x.example/big")
    assert time.perf_counter() - start < 30
    assert 0 < record.word_count < 1_000_000


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_give_a_record_or_a_typed_error(data: bytes) -> None:
    with contextlib.suppress(ExtractionError):
        extract_article(data)


TAGS = st.sampled_from(
    ["div", "p", "span", "a", "article", "h2", "li", "ul", "table", "td", "figure"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            TAGS.map(lambda t: f"<{t}>"), TAGS.map(lambda t: f"</{t}>"), st.text(max_size=40)
        ),
        max_size=200,
    )
)
def test_any_tag_soup_gives_a_record_or_a_typed_error(parts: list[str]) -> None:
    with contextlib.suppress(ExtractionError):
        extract_article("<html><body>" + "".join(parts))


def test_an_article_written_in_divs_beside_teaser_cards_is_still_an_article() -> None:
    card = "<article><h3><a href='/s'>Another headline of several words</a></h3><p>A short summary of it.</p></article>"
    body = (
        "<div class='zn-body__paragraph'>"
        + "The council met on Tuesday, and the vote was close. " * 4
        + "</div>"
    )
    page = f"<html><body><div class='story'>{body * 6}</div><div class='more'>{card * 5}</div></body></html>"
    record = extract_article(page, "https://x.example/story")
    assert record.word_count == 6 * 4 * 10
    assert "Another headline" not in record.text


@pytest.mark.parametrize(
    ("head", "link"),
    [
        (
            "<base href='https://static.example/docs/v2/'>",
            "https://static.example/docs/v2/guide/a.html",
        ),
        ("<base href='/v3/'>", "https://news.example/v3/guide/a.html"),  # relative to the page
        ("<base target='_blank'>", "https://news.example/story/guide/a.html"),  # no href: the page
        ("<base href='javascript:void(0)'>", "https://news.example/story/guide/a.html"),
    ],
)
def test_relative_links_resolve_against_the_base_href(head: str, link: str) -> None:
    """As a browser does: a page's <base href> is where its relative links lead from."""
    para = "<p>A paragraph of the story, with <a href='guide/a.html'>a relative link</a> in it and words enough to count.</p>"
    html = f"<html><head><title>T</title>{head}</head><body><article>{para * 3}</article></body></html>"
    record = extract_article(html, "https://news.example/story/")
    assert f"]({link})" in record.markdown


NOTE = (
    "The visitor car park behind the chapel is closed from Monday until the resurfacing is"
    " finished, probably by the end of the month. Please park on Mill Lane instead."
)


@pytest.mark.parametrize(
    "body",
    [
        f"<p>{NOTE}</p>",  # one paragraph, no title, no metadata at all
        NOTE.replace(", ", "<br>"),  # lines straight into <body>
        f"<h2>Car park closed</h2>{NOTE.replace('. ', '.<br>')}",
        "<ul>" + "".join(f"<li>{line}</li>" for line in NOTE.split(", ")) + "</ul>",
        f"<table><tr><td>{NOTE}</td></tr></table>",
        f"<dl><dt>Car park</dt><dd>{NOTE}</dd></dl>",
    ],
)
def test_a_short_page_of_prose_is_a_note_not_a_refusal(body: str) -> None:
    record = extract_article(f"<html><body>{body}</body></html>", "https://x.example/notice")
    assert record.text.startswith(("The visitor", "Car park"))
    assert record.text.endswith("Please park on Mill Lane instead.")


def test_a_short_blurb_on_a_page_of_links_is_refused() -> None:
    links = "".join(
        f"<li><a href='/c{i}'>Walking club number {i} of the county</a></li>" for i in range(12)
    )
    page = f"<html><body><p>{NOTE}</p><ul>{links}</ul></body></html>"
    with pytest.raises(NotAnArticleError, match="words of running text"):
        extract_article(page, "https://x.example/links")


CARDS = "".join(
    f"<div><h3><a href='/p{i}'>Another story from the garden, part {i}</a></h3>"
    "<p>A short summary of this other story, with a few words more.</p></div>"
    for i in range(5)
)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://blog.example/2019/05/apple-trees/", False),  # a dated post among its cards
        ("https://blog.example/2019/05/14/apple-trees", False),
        ("https://blog.example/2019/05/", True),  # the month's archive: a list
        ("https://blog.example/garden/", True),
    ],
)
def test_a_dated_address_makes_a_brief_among_teasers_an_article(url: str, refused: bool) -> None:
    page = f"<html><head><title>Apple trees</title></head><body><main><p>{NOTE}</p>{CARDS}</main></body></html>"
    if refused:
        with pytest.raises(NotAnArticleError, match="teasers"):
            extract_article(page, url)
    else:
        assert extract_article(page, url).text == NOTE
