"""The article's title: the one the page agrees on, without the site's or section's suffix.

JSON-LD headlines are often an SEO variant written for search engines, and carry HTML entities
that no browser would show (JSON-LD is not HTML, so nothing unescapes them). The headline the
reader sees is the ``<h1>``; when ``og:title`` says the same, that is the title, and so it is
when the page has one h1 that reads as a headline and the metadata words the title otherwise
(hand-read pages credit the headline shown). Otherwise the first title the metadata gives,
with what follows the headline cut off: " | Sport", " - Site", " | DW | 28.04.2023".
"""

import html
import re
import unicodedata
from dataclasses import dataclass

from archive.parse.text import clean_inline

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " › ", " ‹ ", " // ")
# A bar without spaces ("見出し|サイト名", usual in scripts written without spaces) is cut only
# before the site's name: inside a headline it may be anything.
_BARE_BAR = "|"
# Between the site's name and the headline only ("L'Écho du Bocage : La halle ..."): a colon
# inside a headline is common ("Brexit: ..."), so it is cut only where the site stands.
_SITE_SEPARATORS = (*_SEPARATORS, " : ")
# A part names the site by its host when its letters are the host's name and at most this many
# more ("A Birding Notebook" for birdingnotebook.example).
_HOST_SLACK = 4
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


_QUOTES = re.compile(r"[\"'“”„‘’«»]")


def comparable(text: str) -> str:
    """Text for comparing two titles: case, spacing, quotes and end punctuation aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _QUOTES.sub("", text)
    return " ".join(text.split()).strip(" .:!?")


def best_title(
    headline: str | None, og_title: str | None, others: list[str | None], h1: str | None,
    page_title: str | None, site: str | None, host: str | None = None,
    h2: str | None = None, h1_count: int = 1,
) -> str | None:  # fmt: skip
    """The title: the h1 when og:title says the same; the page's only h1 when it reads as a
    headline and the metadata words the title otherwise (``_shown_headline``); else the first
    of the JSON-LD headline, og:title, other title tags, the h1 and the <title>. An h1 that is
    the site's name (a blog theme's header) is no title; nor is the site's name before the
    headline in the <title>. ``h2``, the first <h2> of a page without <h1>, only tells where a
    title's suffix starts; ``h1_count`` is the number of <h1> on the page."""
    site_names = SiteNames(site, host_key(host))
    if h1 and page_title and _header_in_title(h1, page_title):
        # "Headline : Blog Name | Motto" under the blog's name as <h1>: the <title> says
        # more, and the headline is what stands before the name
        page_title = _before_part(page_title, h1)
        h1 = None
    # <meta> values escaped twice ("&amp;#039;") still hold entities once parsed
    og_title = unescape(og_title) if og_title else None
    others = [unescape(o) if o else None for o in others]
    og = strip_suffix(og_title, site, h1, site_names) if og_title else None
    if og and h1 and comparable(og) == comparable(h1):
        return h1
    other = next((o for o in others if o), None)
    if headline and og_title and _cut_short(headline, og_title):
        headline = None  # "... campo profughi Bureij, almen…": og:title has it whole
    if h1 and site_names.named_by(h1) and page_title:
        h1 = None  # the site's name in the header: the <title> says more
    metadata_title = headline or og or other
    # "Medienmitteilung der Direktion : Headline" as h1, "Headline" as <title>, og:title a
    # section's name: the <title> is the headline, the h1 adds a label
    inner = _title_inside_h1(h1, page_title, site, site_names)
    if inner and h1 and not (metadata_title and comparable(metadata_title) in comparable(h1)):
        return inner
    if (
        h1
        and h1_count == 1
        and metadata_title
        and _shown_headline(h1, metadata_title, page_title, site_names)
    ):
        return h1  # what the reader sees, where the metadata gives another wording
    found = headline or og_title or other or h1 or page_title
    if not found:
        return None
    found = _without_site_prefix(clean_inline(found), site_names)
    return strip_suffix(found, site, h1 or h2, site_names)


def _title_inside_h1(
    h1: str | None, page_title: str | None, site: str | None, names: "SiteNames"
) -> str | None:
    """The <title> (its suffix cut) when the h1 adds a label before it: the headline."""
    if not h1 or not page_title:
        return None
    inner = strip_suffix(page_title, site, None, names)
    shown, wanted = comparable(h1), comparable(inner)
    if len(inner.split()) >= _HEADLINE_WORDS and wanted != shown and shown.endswith(wanted):
        return inner
    return None


def _shown_headline(
    h1: str, metadata_title: str, page_title: str | None, names: "SiteNames"
) -> bool:
    """The page's only h1 reads as a headline (a few words, not the site's name) and does not
    hold the metadata's title: a headline worded for the page, where og:title and JSON-LD
    carry a variant written for sharing or search. An h1 that holds the metadata's title adds
    a kicker or a label to it ("Auftragshoch : Headline", "Sendung: Headline | Video"), and
    the metadata's title is the cleaner. A <title> that holds both the h1 and the metadata's
    title ("Notes from the Allotment: Rain garden") joins the site's name and the headline:
    that h1 is the site's name."""
    shown = comparable(h1)
    if names.named_by(h1):
        return False
    wanted = comparable(strip_suffix(metadata_title, None, None, names))
    whole = comparable(page_title or "")
    if shown in whole and wanted in whole and len(whole) >= len(shown) + len(wanted):
        return False
    if len(h1.split()) < _HEADLINE_WORDS and not (
        len(shown) >= _HEADLINE_CHARS and " " not in shown
    ):
        return False  # a section's label ("Aktuelles", "Navigation und Service")
    return wanted not in shown


# An h1 of fewer words is too often a label to outrank the metadata's title ...
_HEADLINE_WORDS = 4
# ... unless it is written without spaces (Japanese, Chinese) and this long.
_HEADLINE_CHARS = 12


def _title_parts(title: str) -> list[tuple[str, str]]:
    """(separator, part) of a <title> cut at every separator, the first part with ""."""
    parts = [("", clean_inline(title))]
    for sep in _SITE_SEPARATORS:
        parts = [
            (before if i == 0 else sep, piece)
            for before, text in parts
            for i, piece in enumerate(text.split(sep))
        ]
    return parts


def _header_in_title(h1: str, title: str) -> bool:
    """The h1 is a later part of the <title>, shorter than what stands before it: the site's
    header ("Krimi-Archiv" over "Das Musikvideo : Krimi-Archiv | Motto"), not the headline
    ("Site | The long headline" has its headline last, and longer than the site's name)."""
    parts = _title_parts(title)
    key = comparable(h1)
    for index, (_, part) in enumerate(parts[1:], 1):
        if comparable(part) == key:
            before = " ".join(p for _, p in parts[:index])
            return len(before.split()) > len(h1.split())
    return False


def _before_part(title: str, part: str) -> str:
    """The <title> up to the separator that stands before ``part``."""
    parts = _title_parts(title)
    key = comparable(part)
    for index, (_, piece) in enumerate(parts[1:], 1):
        if comparable(piece) == key:
            return "".join(sep + p for sep, p in parts[:index]).strip()
    return title


@dataclass(frozen=True)
class SiteNames:
    """What names the site: its name (og:site_name ...) and its host's name."""

    site: str | None
    host: str | None  # the host's longest name, letters only (``host_key``)

    def named_by(self, part: str) -> bool:
        if _names_site(part, self.site):
            return True
        if not self.host:
            return False
        letters = _letters(part)
        if not letters:
            return False
        if letters == self.host:
            return True
        shorter, longer = sorted((letters, self.host), key=len)
        # A short host name ("news") is inside too many headlines ("Good News") to tell.
        return len(shorter) >= 6 and shorter in longer and len(longer) - len(shorter) <= _HOST_SLACK


def host_key(host: str | None) -> str | None:
    """The host's longest name without www and the top-level domain, letters only."""
    labels = (host or "").lower().removeprefix("www.").split(".")[:-1]
    key = max((_letters(label) for label in labels), key=len, default="")
    return key if len(key) >= 4 else None


def _letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _without_site_prefix(text: str, names: SiteNames) -> str:
    """``text`` without the site's name standing before it ("Prairie Gazette - Headline")."""
    for sep in _SITE_SEPARATORS:
        head, found, rest = text.partition(sep)
        if found and len(rest.split()) >= 3 and names.named_by(head):
            return rest.strip()
    return text


def _cut_short(text: str, whole: str) -> bool:
    """``text`` ends in an ellipsis where ``whole`` goes on: a headline cut to a length."""
    stem = text.rstrip().removesuffix("…").removesuffix("...").rstrip()
    return len(stem) < len(text.rstrip()) and len(whole) > len(stem) and whole.startswith(stem)


def strip_suffix(
    text: str, site: str | None, h1: str | None, names: "SiteNames | None" = None
) -> str:
    """The title without the site, section or date that follows it."""
    names = names or SiteNames(site, None)
    text = clean_inline(text)
    if h1:
        for sep in (*_SEPARATORS, _BARE_BAR):
            head = text.split(sep, 1)[0]
            if sep in text and comparable(head) == comparable(h1):
                return head.strip()
    if _BARE_BAR in text:
        head, _, tail = text.rpartition(_BARE_BAR)
        if head.strip() and tail.strip() and names.named_by(tail.strip()):
            text = head.strip()
    # A section stands after " | "; after another separator only where the site's name
    # followed it with the same one (" – Culture – Site").
    section_seps = {" | "}
    while True:
        cut = _without_last_part(text, names, section_seps)
        if cut is None:
            return text
        text, sep = cut
        section_seps.add(sep)


def _without_last_part(
    text: str, names: "SiteNames", section_seps: set[str]
) -> tuple[str, str] | None:
    """The title without its last part, and the separator cut at; None if nothing to cut."""
    for sep in _SEPARATORS:
        if sep not in text:
            continue
        head, _, tail = text.rpartition(sep)
        head, tail = head.strip(), tail.strip()
        if not head:
            return None
        if names.named_by(tail) or _DATE_SUFFIX.fullmatch(tail):
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
