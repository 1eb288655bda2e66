import pytest

from archive.parse.dates import date_from_url, normalize_date


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
