"""The article's title: the one the page agrees on, without the site's or section's suffix.

JSON-LD headlines are often an SEO variant written for search engines, and carry HTML entities
that no browser would show (JSON-LD is not HTML, so nothing unescapes them). The headline the
reader sees is the ``<h1>``; when ``og:title`` says the same, that is the title. Otherwise the
first title the metadata gives, with what follows the headline cut off: " | Sport",
" - Site", " | DW | 28.04.2023".
"""

import html
import re
import unicodedata

from archive.parse.text import clean_inline

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " // ")
# A suffix that is a date: "28.04.2023", "2023-04-28", "28/04/2023".
_DATE_SUFFIX = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
_DOMAIN = re.compile(r"[\w-]+(\.[\w-]+)*\.[a-z]{2,}", re.I)
# A section name after " | " is a word or three; the headline before it is longer.
_SECTION_WORDS = 3
# ... or, in scripts written without spaces, this many characters.
_SECTION_CHARS = 16


def unescape(text: str) -> str:
    """HTML entities decoded, twice at most (pages escape "&amp;quot;" twice as well)."""
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return text


def comparable(text: str) -> str:
    """Text for comparing two titles: case, spacing, quotes and end punctuation aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\"'“”„‘’«»]", "", text)
    return " ".join(text.split()).strip(" .:!?")


def best_title(
    headline: str | None, og_title: str | None, others: list[str | None], h1: str | None,
    page_title: str | None, site: str | None,
) -> str | None:  # fmt: skip
    """The title: the h1 when og:title says the same, else the first of the JSON-LD headline,
    og:title, other title tags, the h1 and the <title>."""
    # <meta> values escaped twice ("&amp;#039;") still hold entities once parsed
    og_title = unescape(og_title) if og_title else None
    others = [unescape(o) if o else None for o in others]
    og = strip_suffix(og_title, site, h1) if og_title else None
    if og and h1 and comparable(og) == comparable(h1):
        return h1
    other = next((o for o in others if o), None)
    if headline and og_title and _cut_short(headline, og_title):
        headline = None  # "... campo profughi Bureij, almen…": og:title has it whole
    found = headline or og_title or other or h1 or page_title
    return strip_suffix(found, site, h1) if found else None


def _cut_short(text: str, whole: str) -> bool:
    """``text`` ends in an ellipsis where ``whole`` goes on: a headline cut to a length."""
    stem = text.rstrip().removesuffix("…").removesuffix("...").rstrip()
    return len(stem) < len(text.rstrip()) and len(whole) > len(stem) and whole.startswith(stem)


def strip_suffix(text: str, site: str | None, h1: str | None) -> str:
    """The title without the site, section or date that follows it."""
    text = clean_inline(text)
    if h1:
        for sep in _SEPARATORS:
            head = text.split(sep, 1)[0]
            if sep in text and comparable(head) == comparable(h1):
                return head.strip()
    # A section stands after " | "; after another separator only where the site's name
    # followed it with the same one (" – Culture – Site").
    section_seps = {" | "}
    while True:
        cut = _without_last_part(text, site, section_seps)
        if cut is None:
            return text
        text, sep = cut
        section_seps.add(sep)


def _without_last_part(
    text: str, site: str | None, section_seps: set[str]
) -> tuple[str, str] | None:
    """The title without its last part, and the separator cut at; None if nothing to cut."""
    for sep in _SEPARATORS:
        if sep not in text:
            continue
        head, _, tail = text.rpartition(sep)
        head, tail = head.strip(), tail.strip()
        if not head:
            return None
        if _names_site(tail, site) or _DATE_SUFFIX.fullmatch(tail):
            return head, sep
        long_head = len(head.split()) > _SECTION_WORDS or len(head) >= _SECTION_CHARS
        # after a dash a section is a word or two: three may be a byline ("- By Ana Ruiz")
        words = _SECTION_WORDS if sep == " | " else _SECTION_WORDS - 1
        if sep in section_seps and len(tail.split()) <= words and long_head:
            return head, sep
    return None


def _names_site(part: str, site: str | None) -> bool:
    if _DOMAIN.fullmatch(part):
        return True
    if not site:
        return False
    part, site = comparable(part), comparable(site)
    return part == site or (min(len(part), len(site)) > 3 and (site in part or part in site))
