import pytest

from archive.parse.meta.dates import date_from_text, date_from_url, normalize_date
from archive.parse.meta.metadata import read_metadata
from archive.parse.tree.soup import parse


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-10-09T14:05:00Z", "2018-10-09T14:05:00+00:00"),
        ("2018-10-09T14:05:00+02:00", "2018-10-09T14:05:00+02:00"),
        ("2018-10-09T14:05:00-0400", "2018-10-09T14:05:00-04:00"),
        ("2018-10-09 14:05", "2018-10-09T14:05:00"),
        ("2018-10-09T14:05:00.123Z", "2018-10-09T14:05:00.123+00:00"),
        ("2018-10-09", "2018-10-09"),
        ("  2018-10-09  ", "2018-10-09"),
        ("Tue, 09 Oct 2018 14:05:00 GMT", "2018-10-09T14:05:00+00:00"),
        ("Published 2018-10-09T14:05:00Z by staff", "2018-10-09T14:05:00+00:00"),
        ("2018-13-45", None),
        ("yesterday", None),
        ("", None),
        (None, None),
        (20181009, None),
    ],
)
def test_normalize_date_keeps_the_page_precision(raw: object, expected: str | None) -> None:
    assert normalize_date(raw) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2019/05/12/story/", "2019-05-12"),
        ("https://x.example/news/2019-05-12-story", "2019-05-12"),
        ("https://x.example/2019/13/40/story/", None),
        ("https://x.example/story-123", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: str | None) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published November 19, 2019 at 9:22 am", "2019-11-19"),
        ("Nov. 9 2019", "2019-11-09"),
        ("19 November 2019", "2019-11-19"),
        ("Updated: 3rd March 2019", "2019-03-03"),
        ("07. Oktober 2019, 16:30 Uhr", "2019-10-07"),
        ("22 de janeiro de 2018 às 0:13", "2018-01-22"),
        # Month names of more languages, in the case dates write them.
        ("28 апреля 2023 г., 10:15", "2023-04-28"),
        ("28 квітня 2023", "2023-04-28"),
        ("28. dubna 2023", "2023-04-28"),
        ("28 Nisan 2023 Cuma", "2023-04-28"),
        ("15. maaliskuuta 2021", "2021-03-15"),
        ("12 Agustus 2020", "2020-08-12"),
        ("3 decembrie 2021", "2021-12-03"),
        ("den 7 augusti 2019", "2019-08-07"),
        # Chinese, Japanese and Korean dates.
        ("2023年4月28日 10:15", "2023-04-28"),
        ("発売日: 2018 年 8 月 16 日", "2018-08-16"),
        ("2023년 4월 28일 오전 10:15", "2023-04-28"),
        ("2023年2月30日", None),
        ("2023年4月", None),
        ("February 30, 2019", None),
        ("Chapter 12 2019", None),
        ("no date here", None),
    ],
)
def test_date_from_text_reads_written_out_dates(text: str, expected: str | None) -> None:
    assert date_from_text(text) == expected


def test_published_at_falls_back_on_a_visible_date() -> None:
    doc = parse(
        '<html><body><h1>T</h1><span class="post-date">Posted May 4, 2019</span></body></html>'
    )
    assert read_metadata(doc, None).published_at == "2019-05-04"


def test_a_date_element_gives_its_title_stamp_over_its_words() -> None:
    # hAtom and Blogger write the full stamp into the title of the element that shows the day
    doc = parse(
        '<html><body><h1>T</h1><abbr class="published" title="2016-12-23T05:11:00-05:00">'
        "5:11 AM</abbr></body></html>"
    )
    meta = read_metadata(doc, None)
    assert (meta.published_at, meta.published_from) == ("2016-12-23T05:11:00-05:00", "text")
