"""Where a page puts its byline: elements marked up as one, or a short "By ..." text near
the headline; not a comment's, a readers' letter's or a picture's credit."""

import re

from bs4 import Tag

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
            r"([\w-]*[-_])?author([-_]link|(?<=[-_]author))(\s|$)",
            re.I,
        ),
    ),
)


def attr_text(tag: Tag, name: str) -> str:
    value = tag.attrs.get(name)
    return " ".join(value) if isinstance(value, list) else value or ""


def byline_candidates(doc: Document) -> list[list[Tag]]:
    """Elements marked up as bylines, grouped by mark (best first), in one walk of the tree."""
    found: list[list[Tag]] = [[] for _ in _BYLINE_MARKS]
    for tag in doc.nodes:
        if not isinstance(tag, Tag):
            continue
        attrs = tag.attrs
        if not attrs or ("class" not in attrs and "itemprop" not in attrs and "rel" not in attrs):
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


def in_comments(tag: Tag) -> bool:
    for parent in tag.parents:
        if not isinstance(parent, Tag) or parent.name in ("body", "html", "main", "article"):
            return False
        if _COMMENTS.search(attr_text(parent, "class") + " " + attr_text(parent, "id")):
            return True
    return False


def credits_a_picture(tag: Tag) -> bool:
    """An "author" that names who made a picture: inside a <figure> or a container marked as a
    licence's or a photo's credit, or holding a link so marked (``<div class="license-info">``,
    ``<a class="license-author">`` around an "author-name")."""
    if tag.find_parent(("figure", "figcaption")) is not None:
        return True
    near = [tag.parent, tag.parent.parent if tag.parent else None]
    near += tag.find_all("a", limit=3)
    return any(isinstance(t, Tag) and _PICTURE_CREDIT.search(attr_text(t, "class")) for t in near)


_PICTURE_CREDIT = re.compile(r"licen|photo|foto|image|picture", re.I)


# A visible byline in running text: "By Ana Ruiz and Tom Becker".
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# The prefix may stand alone in its string, the name in a link after it ("Par <a>Jean</a>").
_BYLINE_TEXT = re.compile(r"^\s*(by|von|por|par|door|przez)(\s+\w|\s*$)", re.I)


def text_bylines(doc: Document) -> list[str]:
    """Short texts starting "By ..." near the headline (the first few), for a page whose
    byline is not marked up as one."""
    starts = doc.tags("h1") or doc.tags("body")
    if not starts:
        return []
    found = []
    for count, string in enumerate(starts[0].find_all_next(string=_BYLINE_TEXT)):
        if count > 5:
            break
        parent = string.parent
        if isinstance(parent, Tag) and parent.name in _HEADINGS:
            continue  # a headline that starts "Von Sprachregeln ...", "Por caso de ..."
        text = parent.get_text(" ") if isinstance(parent, Tag) else str(string)
        if len(text) < 120:
            found.append(text)
    return found
