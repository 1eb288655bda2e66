"""Publication dates: numeric forms, URL dates, lenient JSON-LD, shown dates, local days."""

import pytest

from archive.parse.meta import jsonld
from archive.parse.meta.dates import date_from_numeric, date_from_url, normalize_date, numeric_order
from archive.parse.meta.metadata import read_metadata
from archive.parse.tree.soup import parse

PROSE = "<p>" + "Words of the article body that make it a page worth reading. " * 8 + "</p>"


def _meta(head: str, body: str, url: str | None = "https://news.example/a/story"):
    html = f"<html><head>{head}</head><body>{body}{PROSE}</body></html>"
    meta = read_metadata(parse(html), url)
    return meta.published_at, meta.published_from


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("07.11.2023", None, "2023-11-07"),  # dots: day first everywhere
        ("Lokales, 30.10.23", None, "2023-10-30"),
        ("Stand: 3.2.2021 11:05 Uhr", None, "2021-02-03"),
        ("Stand: 4. 2. 2022.", None, "2022-02-04"),  # a space after each dot
        ("1. 2. 22", None, None),  # spaced with a two-digit year: a list, a score
        ("4. 2.2022", None, None),  # spaced once only: no date form
        ("2020/04/17", None, "2020-04-17"),
        ("입력 2023. 4. 28. 10:15", None, "2023-04-28"),  # Korean: year first, spaced dots
        ("2023. 4.28", None, None),  # spaced once only
        ("2021-03-16 09:12", None, "2021-03-16"),  # year first with dashes, as in CJK pages
        ("ref 12021-03-16", None, None),
        ("01/02/2022", None, None),  # ambiguous and nothing to decide it
        ("01/02/2022", "dmy", "2022-02-01"),
        ("01/02/2022", "mdy", "2022-01-02"),
        ("25/12/2021", "mdy", "2021-12-25"),  # a part above 12 settles it
        ("02-01-2022", "dmy", "2022-01-02"),
        ("01/02/22", "dmy", None),  # a slashed two-digit year is too often no date
        ("version 1.2.3.4", None, None),
        ("31.02.2020", None, None),  # no such day
        ("ISBN 978.3.12.2020", None, None),
    ],
)
def test_numeric_dates(text: str, order: str | None, day: str | None) -> None:
    assert date_from_numeric(text, order) == day


@pytest.mark.parametrize(
    ("language", "samples", "order"),
    [
        ("en-US", [], "mdy"),
        ("en", [], "mdy"),
        ("en-GB", [], "dmy"),
        ("de", [], "dmy"),
        (None, [], None),
        ("en-US", ["Posted 13/02/2022"], "dmy"),  # the page's own dates outrank its language
        (None, ["12/25/2020"], "mdy"),
    ],
)
def test_numeric_order(language: str | None, samples: list[str], order: str | None) -> None:
    assert numeric_order(language, samples) == order


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://x.example/2020/04/17/title/", "2020-04-17"),
        ("https://x.example/news/20200417-title", "2020-04-17"),
        ("https://x.example/news/20200417/", "2020-04-17"),
        ("https://web.archive.org/web/20120216182711/http://x.example/a", None),
        ("https://x.example/a?from=2020/04/17/", None),  # a query is no part of the path
        ("https://x.example/2020/13/01/a", None),
    ],
)
def test_url_dates(url: str, day: str | None) -> None:
    assert date_from_url(url) == day


def test_normalize_reads_numeric_stamps() -> None:
    assert normalize_date("11.11.2021 18:00") == "2021-11-11"
    assert normalize_date("2019-05-01T10:00:00Z") == "2019-05-01T10:00:00+00:00"


@pytest.mark.parametrize(
    "block",
    [
        '{"@type": "NewsArticle", "datePublished": "2020-01-02",}',
        '{"@type": "NewsArticle", "headline": "Two\nlines", "datePublished": "2020-01-02"}',
        '<!--\n{"@type": "NewsArticle", "datePublished": "2020-01-02"}\n-->',
        '{"@type": ["NewsArticle"], "datePublished": "2020-01-02", "about": [1, 2,],};',
        '{"@type": "NewsArticle", "datePublished": "2020-01-02"}\n    }',  # a stray brace
    ],
)
def test_almost_json_is_read(block: str) -> None:
    found = jsonld.objects([block])
    assert found and found[0]["datePublished"] == "2020-01-02"


@pytest.mark.parametrize(
    ("kind", "article"),
    [
        ("ReportageNewsArticle", True),
        ("https://schema.org/NewsArticle", True),
        ("http://schema.org/BlogPosting", True),
        (["WebPage", "BlogPosting"], True),
        ("Recipe", True),
        ("DiscussionForumPosting", True),
        ("WebSite", False),
        ("Organization", False),
    ],
)
def test_article_types(kind: object, article: bool) -> None:
    assert jsonld.is_article({"@type": kind}) is article


def test_graph_webpage_gives_the_date() -> None:
    block = (
        '{"@graph": [{"@type": "WebSite", "name": "S"}, '
        '{"@type": "WebPage", "datePublished": "2018-06-07T10:13:17+00:00"}]}'
    )
    head = f'<script type="application/ld+json">{block}</script>'
    assert _meta(head, "<h1>T</h1>") == ("2018-06-07T10:13:17+00:00", "json-ld")


def test_utc_stamp_gives_way_to_the_same_instant_in_local_time() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2023-11-09T04:15:00Z"}</script>'
        '<meta property="article:published_time" content="2023-11-08T23:15:00-05:00">'
    )
    assert _meta(head, "<h1>T</h1>") == ("2023-11-08T23:15:00-05:00", "json-ld")


def test_utc_stamp_gives_way_to_the_day_the_url_shows() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T04:15:00Z">'
    url = "https://news.example/2023/11/08/story/"
    assert _meta(head, "<h1>T</h1>", url) == ("2023-11-08", "url")


def test_utc_stamp_stays_when_the_days_agree_or_are_too_far_apart() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T15:00:00Z">'
    url = "https://news.example/2023/11/08/story/"  # 15:00 UTC is the 9th at any offset
    assert _meta(head, "<h1>T</h1>", url) == ("2023-11-09T15:00:00+00:00", "meta")


def test_time_by_the_headline_beats_the_first_time_in_an_aside() -> None:
    body = (
        '<aside><time datetime="2022-06-19">19 June</time></aside>'
        '<h1>T</h1><p>By A. Writer, <time datetime="2022-05-14">14 May 2022</time></p>'
    )
    assert _meta("", body, None) == ("2022-05-14", "time")


def test_dates_in_comments_are_left_out() -> None:
    body = '<h1>T</h1><div class="comments"><p>15.05.2022</p><span class="date">15.05.2022'
    assert _meta("", body, None) == (None, None)


def test_marked_dates_in_teasers_are_left_out() -> None:
    teaser = '<div class="related-teaser"><span class="date">16.05.2022</span></div>'
    body = "<h1>T</h1>" + "<p>filler</p>" * 60 + teaser + '<span class="date">12.05.2022</span>'
    assert _meta("", body, None) == ("2022-05-12", "text")


def test_month_name_date_in_plain_text_by_the_headline() -> None:
    body = "<h1>T</h1><p>Veröffentlicht am 3. März 2021 von der Redaktion</p>"
    assert _meta('<meta name="x" content="y">', body, None) == ("2021-03-03", "text")


def test_month_name_date_far_from_the_headline_is_not_taken() -> None:
    body = "<h1>T</h1>" + "<p>filler</p>" * 60 + "<p>Gegründet am 3. März 1999</p>"
    assert _meta("", body, None) == (None, None)


def test_url_date_beats_a_date_shown_far_away() -> None:
    body = "<h1>T</h1>" + "<p>filler</p>" * 60 + '<span class="date">01.01.2019</span>'
    url = "https://news.example/2020/04/17/story"
    assert _meta("", body, url) == ("2020-04-17", "url")


def test_update_date_ranks_after_the_publication_date() -> None:
    body = (
        '<h1>T</h1><span class="date-updated">10.05.2022</span><span class="date">09.05.2022</span>'
    )
    assert _meta("", body, None) == ("2022-05-09", "text")


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ('<span class="date">06.01.2022</span>', ("2022-01-06T08:29:34", "meta")),
        ('<span class="date">04.01.2022</span>', ("2022-01-04", "json-ld")),
        ("", ("2022-01-04", "json-ld")),  # no witness: the first source stands
    ],
)
def test_json_ld_date_contradicted_by_meta_and_the_page(shown: str, expected: tuple) -> None:
    head = (
        '<script type="application/ld+json">{"@type": "Article", '
        '"datePublished": "2022-01-04"}</script>'
        '<meta property="article:published_time" content="2022-01-06T08:29:34">'
    )
    assert _meta(head, f"<h1>T</h1>{shown}") == expected


def test_last_resort_is_the_first_numeric_date_anywhere() -> None:
    body = (
        "<h1>T</h1>" + "<p>filler</p>" * 60 + "<p>Gegründet am 3. März 1999</p>"
        '<div class="comments"><p>Kommentar vom 02.02.2020</p></div>'
        "<p>Stand: 19.12.2019 - 12:14 Uhr</p>"
    )
    assert _meta("", body, None) == ("2019-12-19", "text")


_SHOWN_TIME = (
    '<h1>T</h1><div class="article-meta"><time datetime="2022-03-08">8.3.2022</time></div>'
)


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # A generic name ("date", Dublin Core's date) gives way to the day the page shows...
        ('<meta name="dcterms.date" content="2022-03-02">', _SHOWN_TIME, ("2022-03-08", "time")),
        ('<meta name="date" content="2022-03-02">', _SHOWN_TIME, ("2022-03-08", "time")),
        # ... not when the page shows the same day, or none.
        (
            '<meta name="dc.date" content="2022-03-08T09:00">',
            _SHOWN_TIME,
            ("2022-03-08T09:00:00", "meta"),
        ),
        ('<meta name="dc.date" content="2022-03-02">', "<h1>T</h1>", ("2022-03-02", "meta")),
        # A name that says publication keeps its date over the page's.
        (
            '<meta property="article:published_time" content="2022-03-02">',
            _SHOWN_TIME,
            ("2022-03-02", "meta"),
        ),
    ],
)
def test_generic_meta_date_against_the_shown_day(head: str, body: str, expected: tuple) -> None:
    assert _meta(head, body, None) == expected


def _dated(html_lang: str, head: str) -> str | None:
    html = (
        f'<html lang="{html_lang}"><head>{head}</head><body><h1>T</h1>'
        f'<span class="date">03/04/2022</span>{PROSE}</body></html>'
    )
    return read_metadata(parse(html), None).published_at


@pytest.mark.parametrize(
    ("html_lang", "head", "day"),
    [
        ("en-AU", "", "2022-04-03"),  # the region of the page's lang decides the order
        ("en", '<meta property="og:locale" content="en_GB">', "2022-04-03"),
        ("en", '<meta property="og:locale" content="en_US">', "2022-03-04"),
        ("en", "", "2022-03-04"),  # no region anywhere: English as the US writes it
        ("en", '<meta property="og:locale" content="fr_FR">', "2022-03-04"),  # another language's
    ],
)
def test_numeric_order_from_the_language_tags_region(html_lang: str, head: str, day: str) -> None:
    assert _dated(html_lang, head) == day
