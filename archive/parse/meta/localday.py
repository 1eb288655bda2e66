"""A UTC publication stamp against the page's local day.

Pages often give their publication time in UTC (``2023-11-09T04:15:00Z``) while the page, its
URL and its readers go by local time (the evening of the 8th in New York). The instant is right
but its day, as written, is not the one the page shows; the record should carry the local one.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from archive.parse.meta.dates import date_from_url


def local_day(
    value: str,
    source: str,
    stamps: Iterable[str],
    url: str | None,
    shown: Iterable[tuple[str, str]] = (),
) -> tuple[str, str]:
    """``(value, source)``, or the page's local day when ``value`` is a UTC stamp.

    A stamp for the same instant with the page's own offset (from ``stamps``: <meta> values,
    <time> elements) keeps the instant and gives the local day; else the URL's day, when it is
    one day off the UTC day and within reach of a real UTC offset (-12 to +14 hours), is taken
    as a bare date with the source "url"; else the day a <time> element carrying this very
    instant shows in words (``shown``: (stamp, day) pairs), by the same test, with the source
    "text": ``<time datetime="2021-06-30T22:30Z">Thursday 1 July 2021</time>`` is the page
    writing its own local day. (The day shown by the headline was tried as well: it moved no
    page of the dev set, at the cost of a walk of the whole tree on most pages; the first
    <time>'s words whatever their stamp moved two pages wrong.)
    """
    stamp = _utc(value)
    if stamp is None:
        return value, source
    for other in stamps:
        moved = _parse(other)
        if moved and moved.utcoffset() and moved == stamp:
            return other, source
    url_day = date_from_url(url)
    if url_day and _one_day_off(stamp, url_day):
        return url_day, "url"
    for other, day in shown:
        if _parse(other) == stamp and _one_day_off(stamp, day):
            return day, "text"
    return value, source


def _utc(value: str) -> datetime | None:
    parsed = _parse(value) if "T" in value else None
    return parsed if parsed and parsed.utcoffset() == timedelta(0) else None


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _one_day_off(stamp: datetime, day: str) -> bool:
    local = _parse(day)
    if local is None:
        return False
    shift = (local.date() - stamp.date()).days
    hours = stamp.hour + stamp.minute / 60
    return (shift == 1 and hours >= 10) or (shift == -1 and hours < 12)
