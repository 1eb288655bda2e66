"""Dates the page shows: ``<time>`` elements, elements marked as dates, dates beside the headline.

A page shows many dates: its own, and those of teasers, comments, sidebars and the footer's
copyright. The page's own date sits by its headline or byline, so every shown date is kept
with its place in the document, and the one nearest those wins. Dates inside containers
marked as comments, sidebars or teasers are left out; dates marked as updates rank last.
"""

import re
from dataclasses import dataclass

from bs4 import NavigableString, Tag

from archive.parse.caseblind import CaseBlind
from archive.parse.classwords import own_classes
from archive.parse.meta.dates import (
    date_from_numeric,
    date_from_text,
    normalize_date,
    numeric_order,
)
from archive.parse.meta.titles import comparable
from archive.parse.tree.soup import Document

# Class, id or itemprop of an element that shows a date.
_DATE_MARK = re.compile(r"date|time|publish|posted|submitted|datum|fecha|data-pub|meta-info", re.I)
# ... unless it says the date is of something else than the page's publication.
_NOT_PUBLISHED = re.compile(r"modif|update|changed|aktualisiert|reading|runtime|timeline", re.I)
_AUTHOR_MARK = re.compile(r"author|byline|autor", re.I)
_ANY_MARK = re.compile(f"{_DATE_MARK.pattern}|{_AUTHOR_MARK.pattern}", re.I)
# Containers whose dates belong to other things than the page's own article.
_OTHER_THINGS = re.compile(
    r"comment|sidebar|related|teaser|recommend|popular|"
    r"trending|promo(?!ted)|newsletter|reply|kommentar|ticker",
    re.I,
)
# Of those, the ones whose dates are never the article's even in short texts beside the
# headline: readers' comments, a news ticker running above it. (All of _OTHER_THINGS there
# lost five right days on half A of the dev set.)
_COMMENTS = re.compile(r"comment|reply|kommentar|ticker", re.I)
# The same patterns tested quickly on class and id strings (see ``caseblind``).
_DATE_MARKED = CaseBlind(_DATE_MARK)
_NOT_PUBLISHED_MARKED = CaseBlind(_NOT_PUBLISHED)
_AUTHOR_MARKED = CaseBlind(_AUTHOR_MARK)
_ANY_MARKED = CaseBlind(_ANY_MARK)
_OTHER_THINGS_MARKED = CaseBlind(_OTHER_THINGS)
_COMMENTS_MARKED = CaseBlind(_COMMENTS)
# Nodes (tags and strings) from the headline or byline within which a date counts as theirs.
NEAR = 40
# Shown dates looked at: the page's own is among the first; a long archive list is not read.
_MAX_SHOWN = 40
# Longest text read for a date: a date element holds a date and a few words, not a paragraph.
_MAX_TEXT = 120


@dataclass(frozen=True)
class Shown:
    """One date the page shows: the ISO value, "time" or "text", and where it stands."""

    value: str
    source: str
    position: int
    marked: bool  # inside a <time> or an element marked as a date
    update: bool  # marked as a modification date


@dataclass
class ShownDates:
    """The page's shown dates in document order, and where its headline and byline stand."""

    dates: list[Shown]
    anchors: list[int]

    def distance(self, shown: Shown) -> int | None:
        if not self.anchors:
            return None
        return min(abs(shown.position - anchor) for anchor in self.anchors)

    def near(self) -> Shown | None:
        """The shown date nearest the headline or byline (marked dates first, updates last)."""
        ranked = []
        for shown in self.dates:
            distance = self.distance(shown)
            if distance is not None and distance <= NEAR:
                ranked.append((shown.update, not shown.marked, distance, shown.position, shown))
        return min(ranked, key=lambda r: r[:4])[4] if ranked else None

    def first(self) -> Shown | None:
        """The first shown date that is marked and not an update, else the first of any."""
        marked = [s for s in self.dates if s.marked and not s.update]
        candidates = marked or self.dates
        return candidates[0] if candidates else None

    def same_day(self, day: str) -> Shown | None:
        """A <time> stamp of this day: richer than a date in words of the same day."""
        return next((s for s in self.dates if s.source == "time" and s.value[:10] == day), None)


def _marks(tag: Tag) -> str:
    """Class, id and itemprop in one string (each a plain string in our trees)."""
    attrs = tag.attrs
    parts = (own_classes(tag), attrs.get("id"), attrs.get("itemprop"))
    return " ".join(p if isinstance(p, str) else " ".join(p) for p in parts if p)


def _in_comments(tag: Tag) -> bool:
    """Inside (or itself) a container of readers' comments or a news ticker."""
    for parent in [tag, *tag.parents]:
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "main", "article"):
            return False
        if _COMMENTS_MARKED.found(_marks(parent)):
            return True
    return False


def _in_other_thing(tag: Tag) -> bool:
    """Inside a comment, a sidebar, a teaser..."""
    for parent in tag.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "main", "article"):
            return False
        if parent.name == "aside" or _OTHER_THINGS_MARKED.found(_marks(parent)):
            return True
    return False


def _raw_candidates(
    doc: Document, title: str | None
) -> tuple[list[tuple[int, Tag, str]], list[int]]:
    """(position, tag, marks) of <time> and date-marked elements; headline/byline positions.

    One walk of the tree, the page's costliest part of reading metadata: a tag without any
    of the three attributes costs a dict lookup, one with them a single regex search. The
    headline is the first <h1>, else the first <h2> that says the page's title.
    """
    found: list[tuple[int, Tag, str]] = []
    headline: int | None = None
    byline: int | None = None
    any_mark = _ANY_MARKED.found
    for position, node in enumerate(doc.nodes):
        if type(node) is not Tag:
            continue
        name = node.name
        if name == "h1":
            headline = position if headline is None else headline
            continue
        if name == "h2" and headline is None and title and _is_title(node, title):
            headline = position
            continue
        attrs = node.attrs
        if not attrs and name != "time":
            continue
        marks = _marks(node)
        if name != "time" and not any_mark(marks):
            continue
        if name == "time" or _DATE_MARKED.found(marks):
            found.append((position, node, marks))
            if len(found) >= _MAX_SHOWN and headline is not None:
                break
        elif byline is None and _AUTHOR_MARKED.found(marks):
            byline = position
    # The headline is the anchor; the first byline only on a page without one (bylines
    # repeat in teasers and comments, the page's headline does not).
    anchor = headline if headline is not None else byline
    return found[:_MAX_SHOWN], [] if anchor is None else [anchor]


def _strings_near(doc: Document, anchors: list[int]) -> list[tuple[int, str]]:
    """Short strings within NEAR nodes of the headline or byline."""
    found: list[tuple[int, str]] = []
    for anchor in anchors[:2]:
        for position in range(max(anchor - NEAR, 0), min(anchor + NEAR, len(doc.nodes))):
            node = doc.nodes[position]
            if type(node) is NavigableString and 6 <= len(node) < _MAX_TEXT:
                found.append((position, str(node)))
    return found


def shown_dates(doc: Document, language: str | None, title: str | None = None) -> ShownDates:
    """Every date the page shows outside comments, sidebars and teasers, in document order."""
    raw, anchors = _raw_candidates(doc, title)
    texts = [(pos, tag, marks, _short_text(doc, tag)) for pos, tag, marks in raw]
    nearby = _strings_near(doc, anchors)
    order = numeric_order(language, [t for *_, t in texts])
    dates: list[Shown] = []
    for position, tag, marks, text in texts:
        value = _tag_date(tag, text, order)
        if value and not _in_other_thing(tag):
            source = "time" if tag.name == "time" else "text"
            update = _NOT_PUBLISHED_MARKED.found(marks)
            dates.append(Shown(value, source, position, True, update))
    for position, text in nearby:
        value = date_from_text(text) or date_from_numeric(text, order)
        parent = doc.nodes[position].parent
        if value and isinstance(parent, Tag) and not _in_comments(parent):
            dates.append(Shown(value, "text", position, False, False))
    dates.sort(key=lambda s: s.position)
    return ShownDates(dates, anchors)


def _is_title(tag: Tag, title: str) -> bool:
    text = tag.get_text(" ") if len(tag.contents) < 5 else ""
    return bool(text) and comparable(text) == comparable(title)


def _short_text(doc: Document, tag: Tag) -> str:
    """The tag's text when it is short enough to be a date line, else "" (unread)."""
    if doc.sizes is not None and doc.sizes.of(tag)[0] >= _MAX_TEXT:
        return ""
    text = tag.get_text(" ")
    return text if len(text) < _MAX_TEXT else ""


def _tag_date(tag: Tag, text: str, order: str | None) -> str | None:
    for attr in ("datetime", "content", "title"):
        value = tag.attrs.get(attr)
        found = normalize_date(value) if isinstance(value, str) else None
        if found:
            return found
    label = _PUBLISHED_LABEL.search(text)
    if label:  # "Updated: 14-02-2023 | Published: 03-02-2023": the date after the label
        after = text[label.end() :]
        found = date_from_text(after) or date_from_numeric(after, order)
        if found:
            return found
    return date_from_text(text) or date_from_numeric(text, order)


# A label that says the date after it is the publication's, in a line that shows several.
_PUBLISHED_LABEL = re.compile(
    r"published|publié|veröffentlicht|erschienen|publicado|pubblicato|प्रकाशित|公開|发布", re.I
)


def first_written(doc: Document, language: str | None) -> str | None:
    """The first numeric date in any short text of the page, outside comments, sidebars and
    teasers: the last resort, read in one pass over the page's strings (only on a page that
    nothing else dated; a string without a digit costs one scan of its characters). Dates in
    words count only by the headline: far from it, they are too often about something else
    (on half A of the dev set they moved no page right and one wrong)."""
    order = numeric_order(language, [])
    for node in doc.nodes:
        if type(node) is not NavigableString or not 6 <= len(node) < _MAX_TEXT:
            continue
        text = str(node)
        if not any(c.isdigit() for c in text):
            continue
        value = date_from_numeric(text, order)
        parent = node.parent
        if value and isinstance(parent, Tag) and not _in_other_thing(parent):
            return value
    return None
