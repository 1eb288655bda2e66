"""The last evidence for a publication date: htmldate's search, where our cascade finds none."""

import pytest

from archive.errors import NotAnArticleError
from archive.extract import extract_article
from archive.parse.meta.guessdate import GUESS, guessed_day
from tests.httpserver import LoopbackServer, Route

URL = "http://127.0.0.2/news/budget-vote"
PROSE = " ".join(
    ["The council voted on the new budget after a long debate about roads and schools."] * 6
)


def _page(extra: str = "", body: str = f"<p>{PROSE}</p>") -> str:
    return (
        "<html><head><title>Budget vote</title></head><body><article><h1>Budget vote</h1>"
        f"{body}{extra}</article></body></html>"
    )


def test_a_date_inside_running_text_is_guessed_and_says_so() -> None:
    # A date in the middle of a long paragraph is no date line: our cascade leaves it.
    sentence = (
        "<p>The meeting of 16 March 2021 lasted hours and ended late in the evening with a "
        "vote of seven to two, after which the mayor spoke to the press.</p>"
    )
    record = extract_article(_page(sentence), URL)
    assert (record.published_at, record.published_from) == ("2021-03-16", GUESS)


def test_our_own_evidence_comes_first() -> None:
    page = _page('<meta itemprop="datePublished" content="2020-05-04">')
    page = page.replace(
        "<head>", '<head><meta property="article:published_time" content="2020-05-04">'
    )
    record = extract_article(page + "<p>Written 16 March 2021 in town.</p>", URL)
    assert (record.published_at, record.published_from) == ("2020-05-04", "meta")


def test_a_bare_year_is_no_day() -> None:
    # "since 2012" would come back from htmldate as 2012-01-01.
    record = extract_article(_page(f"<p>{PROSE} She has drawn maps since 2012.</p>"), URL)
    assert record.published_at is None
    assert record.published_from is None


def test_a_page_with_no_date_at_all_keeps_none() -> None:
    record = extract_article(_page(), URL)
    assert record.published_at is None


def test_a_refused_page_keeps_the_guessed_day() -> None:
    page = (
        "<html><head><title>Links</title></head><body><p>Seen on 16 March 2021 at the fair:"
        " <a href='/a'>one</a> <a href='/b'>two</a></p></body></html>"
    )
    with pytest.raises(NotAnArticleError) as refused:
        extract_article(page, URL)
    assert refused.value.metadata.get("published_at") == "2021-03-16"
    assert refused.value.metadata.get("published_from") == GUESS


def test_a_page_that_is_only_a_url_is_never_fetched() -> None:
    # htmldate downloads a string that looks like a URL; we hand it a parsed tree instead.
    page = b"<html><body><p>Published 2021-03-16 by the council.</p></body></html>"
    with LoopbackServer({"/page": Route(page)}, host="127.0.0.2") as server:
        assert guessed_day(server.url("/page"), None) is None
        assert server.seen() == []
