"""The standfirst (lede, intro, perex) that many sites set apart from the body.

It often sits in the article's header, beside the headline, in a container of its own classed
"lead", "intro" or "standfirst": the boilerplate passes remove headers, and the body finder
scores it too low to join the body. So it is looked for before the passes run, by its class
words, and put back at the head of the body when the body comes after it and lacks it.
"""

import functools
import re
from dataclasses import dataclass

from bs4 import NavigableString, Tag

from archive.parse.classwords import own_classes
from archive.parse.clean import link_density
from archive.parse.listing import DEK_MARK
from archive.parse.text import SENTENCE_ENDS, clean_inline
from archive.parse.tree.measure import tag_text
from archive.parse.tree.soup import Document, is_gone

# Class and id words that name a standfirst, in the languages the body finder meets most.
LEDE_WORDS = frozenset({
    "lead", "lede", "leadin", "intro", "introduction", "standfirst", "perex", "dek", "deck",
    "excerpt", "abstract", "teaser", "summary", "vorspann", "chapeau", "chapo", "sapo",
    "entradilla", "bajada", "sottotitolo", "occhiello", "sommario", "resumen", "resumo",
})  # fmt: skip
# A standfirst is a sentence or a short paragraph: less is a label, more is a body.
MIN_CHARS = 40
MAX_CHARS = 1200
MAX_LINK_SHARE = 0.3
_SPLIT = re.compile(r"[^a-z0-9]+")
_SUBHEADINGS = ("h2", "h3", "h4")
MIN_HEADING_LEDE = 180
_BLOCKS = ("h1", "h2", "h3", "h4", "ul", "ol", "table", "figure", "article")


@dataclass(frozen=True)
class Lede:
    element_id: int
    text: str


@functools.lru_cache(maxsize=16384)
def _names_a_lede(names: str) -> bool:
    return not LEDE_WORDS.isdisjoint(_SPLIT.split(names.lower()))


def _plain_text(tag: Tag) -> str | None:
    """The text of an element without block children and of at most about MAX_CHARS."""
    parts = []
    size = 0
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name in _BLOCKS:
                return None
        elif type(node) is NavigableString:
            parts.append(str(node))
            size += len(node)
            if size > 2 * MAX_CHARS:
                return None
    return clean_inline(" ".join(parts))


def _lede_text(tag: Tag, cards: bool) -> str | None:
    """The element's text if it reads as a standfirst, else None."""
    text = _plain_text(tag)
    if text is None or not MIN_CHARS <= len(text) <= MAX_CHARS:
        return None
    for element in (tag, *tag.parents):
        if element.name == "a" or (cards and DEK_MARK in element.attrs):
            return None  # inside a link, or a teaser card's summary
    return None if link_density(tag) > MAX_LINK_SHARE else text


def find_ledes(doc: Document, cards: bool) -> list[Lede]:
    """Elements classed as a standfirst, before any pass removes them. ``cards``: whether the
    page has teaser cards (whose summaries are no standfirst)."""
    found = []
    names_a_lede = _names_a_lede  # cached: a page repeats its few class strings
    for name in ("p", "div"):
        for tag in doc.by_name.get(name, ()):
            attrs = tag.attrs  # class and id are one string each (classes are not split)
            if not attrs:
                continue
            classes, ident = own_classes(tag), attrs.get("id")
            if not (
                (classes and names_a_lede(str(classes))) or (ident and names_a_lede(str(ident)))
            ):
                continue
            text = None if is_gone(tag) else _lede_text(tag, cards)
            if text is not None:
                found.append(Lede(id(tag), text))
    for tag in doc.tags(*_SUBHEADINGS):
        # A "heading" of whole sentences under the headline is a standfirst set in bold type.
        raw = tag_text(tag, " ")
        if len(raw) < MIN_HEADING_LEDE:
            continue  # cleaning only shortens it: most headings stop here
        text = clean_inline(raw)
        if len(text) >= MIN_HEADING_LEDE and text.endswith(SENTENCE_ENDS):
            found.append(Lede(id(tag), text))
    return found


def lede_before(doc: Document, ledes: list[Lede], first: Tag, body: str) -> str | None:
    """The standfirst's text to head the body with, unless the body text holds it already.

    That is the last classed standfirst that comes before ``first`` (and after the page's
    headline, when it has one before ``first``); failing that, one at the head of ``first``
    that the boilerplate passes removed with the article's header (``_removed_at_head``);
    failing that, the paragraphs of running text between the headline and ``first``
    (``_loose_standfirst``)."""
    last = _classed_standfirst(doc, ledes, first) if ledes else None
    if last is None and not any(not is_gone(h1) for h1 in doc.by_name.get("h1", ())):
        return None  # no headline: no loose standfirst either
    text = last.text if last is not None else _loose_standfirst(first)
    if text is None:
        return None
    return None if " ".join(text.split()) in " ".join(body.split()) else text


def _classed_standfirst(doc: Document, ledes: list[Lede], first: Tag) -> Lede | None:
    wanted = {lede.element_id for lede in ledes}
    position: dict[int, int] = {}
    headline = -1
    start = -1
    for index, node in enumerate(doc.nodes):
        if node is first:
            start = index
            break
        if id(node) in wanted:
            position[id(node)] = index
        elif headline < 0 and isinstance(node, Tag) and node.name == "h1":
            headline = index
    before = [lede for lede in ledes if position.get(lede.element_id, -1) > headline]
    if before:
        return max(before, key=lambda lede: position[lede.element_id])
    return _removed_at_head(doc, ledes, wanted, start) if start >= 0 else None


# Between the headline and the body, a standfirst without a class: at most this many paragraphs
# (the nearest to the body), each a sentence or more of running text (LOOSE_CHARS characters or
# more, ending as a sentence does), looked for this many elements back from the body at most.
LOOSE_PARAGRAPHS = 8
LOOSE_CHARS = 80
LOOSE_REACH = 200


def _loose_standfirst(first: Tag) -> str | None:
    """The paragraphs of running text between the page's headline (<h1>) and the body: an
    introduction set in the article's header or a "stage" beside the headline, without a
    class that names it, which the body finder leaves out as it stands apart from the body.
    None without a headline before the body (a page's sidebar is no standfirst)."""
    paragraphs: list[Tag] = []
    for count, element in enumerate(first.previous_elements):
        if count >= LOOSE_REACH:
            return None
        if isinstance(element, Tag):
            if element.name == "h1":
                break
            if element.name == "p":
                paragraphs.append(element)
    else:
        return None
    texts = []
    for paragraph in reversed(paragraphs[:LOOSE_PARAGRAPHS]):
        text = _lede_text(paragraph, cards=True)
        if (
            text is not None
            and len(text) >= LOOSE_CHARS
            and text.endswith(SENTENCE_ENDS)
            and paragraph.find_parent("figure") is None
        ):
            texts.append(text)
    return "\n\n".join(texts) or None


# How far into the body (in nodes) a standfirst removed with its header is looked for.
HEAD_NODES = 400


def _removed_at_head(doc: Document, ledes: list[Lede], wanted: set[int], start: int) -> Lede | None:
    """A standfirst inside the body element that the passes removed (with the <header> or the
    block classed "header" it sits in beside the headline and byline), before the body's first
    paragraph that is kept: the head of the article, not chrome."""
    by_id = {lede.element_id: lede for lede in ledes}
    first = doc.nodes[start]
    end = first._last_descendant() if isinstance(first, Tag) else first  # the body's last live node
    for node in doc.nodes[start + 1 : start + HEAD_NODES]:
        if node is end:
            break
        if not isinstance(node, Tag):
            continue
        if is_gone(node):
            if id(node) in wanted:
                return by_id[id(node)]
        elif node.name == "p":
            return None  # the body's text has begun: a standfirst after it is no head
    return None
