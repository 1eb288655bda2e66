"""Dates as the page gives them: ISO 8601, offsets kept, never padded with invented parts."""

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

_DATE_ONLY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
# ISO-like stamps: a date, then optionally a time and a zone, with "T" or a space between.
_ISO = re.compile(
    r"(\d{4}-\d{2}-\d{2})"
    r"(?:[T ](\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?",
    re.I,
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|\b)")
# "/20200417-title" or "/20200417/": eight digits alone in a path segment, before a word or
# slash (a 14-digit archive timestamp or a longer ID does not match).
_URL_COMPACT = re.compile(
    r"/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=[-_/.]|$)(?![-_/.]?\d)"
)
# Numeric dates: "07.11.2023", "30.10.23", "4. 2. 2022" (a space after each dot, as German
# and Czech typography sets it; year first in Korean, "2023. 4. 28."), "01/02/2022",
# "2020/04/17", "2021-03-16" (in text, as Chinese
# and Japanese sites write it), "02-01-2022". The
# lookarounds keep them from being cut out of longer numbers, versions or IP addresses.
_NUMERIC = re.compile(
    r"(?<![\w.,/-])(?:((?:19|20)\d{2})(\.\s|[./-])(\d{1,2})\2(\d{1,2})|"
    r"(\d{1,2})(\.\s|[./-])(\d{1,2})\6((?:19|20)\d{2}|\d{2}))(?![\d/-]|[.,]\d)"
)


def _zone(raw: str | None) -> str:
    if not raw:
        return ""
    if raw.upper() in ("Z", "UTC", "GMT"):
        return "+00:00"
    return raw if ":" in raw else f"{raw[:3]}:{raw[3:]}"


def _valid(stamp: str) -> str | None:
    try:
        datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return stamp


def normalize_date(value: object) -> str | None:
    """An ISO 8601 string as precise as ``value``: ``Z`` becomes ``+00:00``; no time stays none.

    Accepts ISO-like stamps and RFC 2822 dates ("Tue, 09 Oct 2018 14:05:00 GMT"); anything else
    gives None.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    raw = value.strip()
    if _DATE_ONLY.match(raw):
        return _valid(raw)
    match = _ISO.search(raw)
    if match:
        day, time, zone = match.groups()
        if not time:
            return _valid(day)
        time = time.replace(",", ".")
        if len(time.split(":")[0]) == 1:
            time = "0" + time
        if time.count(":") == 1:
            time += ":00"
        return _valid(f"{day}T{time}{_zone(zone)}")
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return date_from_numeric(raw, order=None)
    return parsed.isoformat()


def date_from_url(url: str | None) -> str | None:
    """A date written into an article URL (``/2019/05/12/``, ``/20190512-``), as a bare date."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    match = _URL_DATE.search(path) or _URL_COMPACT.search(path)
    return _valid("-".join(match.groups())) if match else None


def numeric_order(language: str | None, samples: list[str]) -> str | None:
    """Whether this page writes "01/02/2022" day first ("dmy") or month first ("mdy").

    Decided by the page's own unambiguous dates first (a "25/12/2021" anywhere settles it),
    then by its language: US English writes the month first, every other language and English
    elsewhere the day. None when neither tells (no language, no telling date).
    """
    for text in samples:
        for match in _NUMERIC.finditer(text):
            first, sep, second = match.group(5), match.group(6), match.group(7)
            if first and not sep.startswith("."):
                if int(first) > 12 >= int(second):
                    return "dmy"
                if int(second) > 12 >= int(first):
                    return "mdy"
    if not language:
        return None
    lang, _, region = language.lower().replace("_", "-").partition("-")
    if lang == "en" and region in ("", "us", "ph", "ca"):
        return "mdy"
    return "dmy"


def date_from_numeric(text: str, order: str | None) -> str | None:
    """The first numeric date in ``text`` as a bare ISO date.

    Year first ("2020/04/17") and dotted dates ("07.11.2023", "30.10.23": day first wherever
    dots are used) need no ``order``; "01/02/2022" and "02-01-2022" are read in ``order``
    ("dmy" or "mdy") and skipped without one, unless a part above 12 settles them.
    """
    for match in _NUMERIC.finditer(text):
        if match.group(1):
            found = _ymd(match.group(1), match.group(3), match.group(4))
        else:
            found = _day_month(
                match.group(5), match.group(6), match.group(7), match.group(8), order
            )
        if found:
            return found
    return None


def _day_month(a: str, sep: str, b: str, year: str, order: str | None) -> str | None:
    if len(year) == 2:
        if sep != ".":
            return None  # "01/02/22" (or "1. 2. 22") is too often a fraction, a score, a list
        year = f"20{year}"
    first, second = int(a), int(b)
    if sep.startswith(".") or order == "dmy" or first > 12 >= second:
        return _ymd(year, b, a)
    if order == "mdy" or second > 12 >= first:
        return _ymd(year, a, b)
    return None


def _ymd(year: str, month: str, day: str) -> str | None:
    return _valid(f"{year}-{int(month):02d}-{int(day):02d}")


# Month names in the languages pages most often write them: English, French, German, Spanish,
# Portuguese, Italian, Dutch, Scandinavian, Indonesian, Romanian and Turkish; Polish, Czech,
# Russian and Ukrainian in the genitive and Finnish in the partitive, as dates write them.
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january janvier januar enero janeiro gennaio januari stycznia ianuarie ocak "
            "ledna января січня tammikuuta",
            "feb february février februar febrero fevereiro febbraio februari lutego februarie "
            "şubat února февраля лютого helmikuuta",
            "mar march mars märz marzo março maart marca maret martie mart března марта березня "
            "maaliskuuta",
            "apr april avril abril aprile kwietnia aprilie nisan dubna апреля квітня huhtikuuta",
            "may mai mayo maio maggio mei maja maj mayıs května мая травня toukokuuta",
            "jun june juin juni junio junho giugno czerwca iunie haziran června июня червня "
            "kesäkuuta",
            "jul july juillet juli julio julho luglio lipca iulie temmuz července июля липня "
            "heinäkuuta",
            "aug august août agosto augustus sierpnia augusti agustus ağustos srpna августа "
            "серпня elokuuta",
            "sep sept september septembre septiembre setembro settembre września septembrie "
            "eylül září сентября вересня syyskuuta",
            "oct october octobre oktober octubre outubro ottobre października octombrie ekim "
            "října октября жовтня lokakuuta",
            "nov november novembre noviembre novembro listopada noiembrie kasım listopadu ноября "
            "листопада marraskuuta",
            "dec december décembre dezember diciembre dezembro dicembre grudnia desember "
            "decembrie aralık prosince декабря грудня joulukuuta",
        ),
        start=1,
    )
    for name in names.split()
}
# "November 19, 2019", "Nov. 19 2019", "19 November 2019", "19. November 2019", "19 de
# novembro de 2019": a day, a month name and a four-digit year.
_MONTH_FIRST = re.compile(
    r"\b([^\W\d_]{3,11})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b"
)
_DAY_FIRST = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?([^\W\d_]{3,11})\.?,?\s+(?:de\s+)?((?:19|20)\d{2})\b"
)


# Chinese and Japanese "2023年4月28日", Korean "2023년 4월 28일".
_CJK_DATE = re.compile(r"((?:19|20)\d{2})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")


def date_from_text(text: str) -> str | None:
    """A bare date written out in words ("Published November 19, 2019"), never a time."""
    cjk = _CJK_DATE.search(text) if "年" in text or "년" in text else None
    if cjk:
        return _ymd(*cjk.groups())
    for pattern, order in ((_MONTH_FIRST, "mdy"), (_DAY_FIRST, "dmy")):
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = _MONTHS.get(parts["m"].lower())
            if month:
                found = _valid(f"{parts['y']}-{month:02d}-{int(parts['d']):02d}")
                if found:
                    return found
    return None
