"""Where a page puts its byline: elements marked up as one, or a short "By ..." text near
the headline; not a comment's, a readers' letter's or a picture's credit."""

import re
from collections.abc import Iterator
from itertools import islice

from bs4 import NavigableString, Tag

from archive.parse.caseblind import CaseBlind
from archive.parse.tree.measure import tags_under
from archive.parse.tree.soup import Document

# Where a byline is marked up, most telling first: (attribute, pattern) pairs.
_BYLINE_MARKS = (
    ("class", re.compile(r"byline", re.I)),
    ("itemprop", re.compile(r"(^|\s)author(\s|$)", re.I)),
    ("rel", re.compile(r"(^|\s)author(\s|$)", re.I)),
    ("class", re.compile(r"author[-_]?name", re.I)),
    ("class", re.compile(r"(^|\s)author(\s|$)", re.I)),
    # the byline's class in the site's own language ("autor", "auteur", "autore")
    ("class", re.compile(r"(^|\s)(autor|autorin|autore|auteur)(\s|$)", re.I)),
    # "post-author", "content__author", "author-link"; not a reader's name ("comment-author")
    # nor a photo's credit ("media-license-author"), nor a form's field ("input-row-author")
    (
        "class",
        re.compile(
            r"(^|\s)(?![\w-]*(comment|media|image|img|photo|foto|credit|caption|licen|input|form))"
            r"([\w-]*[-_])?authors?([-_]link|(?<=[-_]author)|(?<=[-_]authors))(\s|$)",
            re.I,
        ),
    ),
)


# A link to an author's page ("/author/ana-ruiz/", "/autor/frank_g"): a byline's name.
_AUTHOR_PAGE = re.compile(r"/(author|autor|autorin|auteur|autore|autoren|authors)/[^/?#]+/?$", re.I)


def attr_text(tag: Tag, name: str) -> str:
    value = tag.attrs.get(name)
    return " ".join(value) if isinstance(value, list) else value or ""


def byline_candidates(doc: Document) -> list[list[Tag]]:
    """Elements marked up as bylines, grouped by mark (best first), in one walk of the tree;
    links to an author's page last."""
    found: list[list[Tag]] = [[] for _ in range(len(_BYLINE_MARKS) + 1)]
    for tag in doc.nodes:
        if not isinstance(tag, Tag):
            continue
        attrs = tag.attrs
        if not attrs:
            continue
        href = attrs.get("href") if tag.name == "a" else None
        if isinstance(href, str) and "/aut" in href and _AUTHOR_PAGE.search(href):
            if len(found[-1]) < 3:
                found[-1].append(tag)  # a link to the author's page: the weakest mark
            continue
        if "class" not in attrs and "itemprop" not in attrs and "rel" not in attrs:
            continue  # none of the attributes that mark a byline
        # The values as they are (a list shows its words, never "aut" across two of them):
        # attr_text is the exact text, read below only for the few that pass.
        get = attrs.get
        lowered = f"{get('class') or ''} {get('itemprop') or ''} {get('rel') or ''}".lower()
        if "aut" not in lowered and "byline" not in lowered:
            continue  # a quick test before the patterns ("aut": author, autor, auteur)
        if tag.name == "h1":
            continue  # the headline, or a blog's name marked "vcard author": not a byline
        for rank, (attr, pattern) in enumerate(_BYLINE_MARKS):
            if len(found[rank]) < 3 and pattern.search(attr_text(tag, attr)):
                found[rank].append(tag)
                break
    return found


def lines(tag: Tag) -> list[str]:
    """The tag's text cut at its <br>s: "By Sarah Kim<br>WASHINGTON" is a name, then a place."""
    lines = [""]
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                lines.append("")
        else:
            lines[-1] += str(node)
    return lines


# Containers of readers' comments and letters: their names are no byline of the article.
_COMMENTS = re.compile(r"comment|reply|kommentar|leserbrief", re.I)
_COMMENTS_NAMED = CaseBlind(_COMMENTS)  # (tested quickly: see ``caseblind``)


def in_comments(tag: Tag) -> bool:
    for parent in tag.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "main", "article"):
            return False
        if _COMMENTS_NAMED.found(attr_text(parent, "class") + " " + attr_text(parent, "id")):
            return True
    return False


def credits_a_picture(tag: Tag) -> bool:
    """An "author" that names who made a picture: inside a <figure> or a container marked as a
    licence's or a photo's credit, or holding a link so marked (``<div class="license-info">``,
    ``<a class="license-author">`` around an "author-name")."""
    if any(parent.name in ("figure", "figcaption") for parent in tag.parents):
        return True
    near = [tag.parent, tag.parent.parent if tag.parent else None]
    near += islice(tags_under(tag, ("a",)), 3)
    return any(
        isinstance(t, Tag) and _PICTURE_CREDIT_NAMED.found(attr_text(t, "class")) for t in near
    )


_PICTURE_CREDIT = re.compile(r"licen|photo|foto|image|picture", re.I)
_PICTURE_CREDIT_NAMED = CaseBlind(_PICTURE_CREDIT)


# A visible byline in running text: "By Ana Ruiz and Tom Becker".
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# The prefix may stand alone in its string, the name in a link after it ("Par <a>Jean</a>").
# So may a label ("Autor: <a>Ana Ruiz</a>", "- Redaktion: Ana Ruiz"), or "Posted by".
_BYLINE_TEXT = re.compile(
    r"^[\s\-–—|•·]*((posted|written|geschrieben|veröffentlicht)\s+)?"
    r"((by|von|por|par|door|przez)(\s+\w|\s*$)|"
    r"(autor|autorin|author|auteur|autore|redaktion|text)\s*:)",
    re.I,
)
_BYLINE_TEXT_FOUND = CaseBlind(_BYLINE_TEXT)
# A label alone in its element: the name follows in the next one.
_BARE_LABEL = re.compile(
    r"^[\s\-–—|•·]*((posted|written|geschrieben|veröffentlicht)\s+)?"
    r"(by|von|por|par|door|przez|autor|autorin|author|auteur|autore|redaktion|text)\s*:?\s*$",
    re.I,
)
# Characters of a "By ..." text read: a byline, not a paragraph.
_MAX_BYLINE = 120
_LEADING_MARKS = " \t\n-–—|•·"


def text_bylines(doc: Document) -> list[str]:
    """Short texts starting "By ..." near the headline (the first few), for a page whose
    byline is not marked up as one."""
    starts = doc.tags("h1") or doc.tags("body")
    if not starts:
        return []
    found = []
    for count, string in enumerate(_strings_after(starts[0], _BYLINE_TEXT_FOUND)):
        if count > 5:
            break
        parent = string.parent
        if isinstance(parent, Tag) and parent.name in _HEADINGS:
            continue  # a headline that starts "Von Sprachregeln ...", "Por caso de ..."
        text = parent.get_text(" ") if isinstance(parent, Tag) else str(string)
        if isinstance(parent, Tag) and _BARE_LABEL.match(text):
            text = _with_following(parent)  # "<span>By</span><span><a>Ana Ruiz</a></span>"
        elif len(text) >= _MAX_BYLINE and _opens(string):
            # a byline line opening a longer block: "Posted by Ana under <a>News</a> | Tags ..."
            text = _with_following(string)[: _MAX_BYLINE - 1]
        if len(text) < _MAX_BYLINE:
            found.append(text.lstrip(_LEADING_MARKS))
    return found


def _strings_after(start: Tag, pattern: CaseBlind) -> Iterator[NavigableString]:
    """``start.find_all_next(string=pattern.pattern)``, lazily and without bs4's matching
    machinery: the strings after ``start`` (its own included) in which ``pattern`` is found."""
    node = start.next_element
    while node is not None:
        following = node.next_element
        # (bs4's filter skips empty strings, in which no byline pattern matches anyway)
        if isinstance(node, NavigableString) and node and pattern.found(node):
            yield node
        node = following


def _opens(string: NavigableString) -> bool:
    """The string is the first text of its element, or follows only a heading there: a line
    of its own, not the end of a sentence."""
    for node in string.previous_siblings:
        if isinstance(node, Tag) and node.name in _HEADINGS:
            continue
        if (node.get_text() if isinstance(node, Tag) else str(node)).strip():
            return False
    return True


def _with_following(label: Tag | NavigableString) -> str:
    """A label's text and what follows it up to the next <br>: the name that a "By" or an
    "Autor:" standing alone in its element introduces."""
    parts = [label.get_text(" ") if isinstance(label, Tag) else str(label)]
    size = len(parts[0])
    for node in label.next_siblings:
        if isinstance(node, Tag) and node.name == "br":
            break
        text = node.get_text(" ") if isinstance(node, Tag) else str(node)
        parts.append(text)
        size += len(text)
        if size >= _MAX_BYLINE:
            break
    return " ".join(parts)
