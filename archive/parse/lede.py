"""The standfirst (lede, intro, perex) that many sites set apart from the body.

It often sits in the article's header, beside the headline, in a container of its own classed
"lead", "intro" or "standfirst": the boilerplate passes remove headers, and the body finder
scores it too low to join the body. So it is looked for before the passes run, by its class
words, and put back at the head of the body when the body comes after it and lacks it.
"""

import functools
import re
from dataclasses import dataclass

from bs4 import Tag

from archive.parse.clean import link_density
from archive.parse.listing import DEK_MARK
from archive.parse.soup import Document
from archive.parse.text import clean_inline

# Class and id words that name a standfirst, in the languages the body finder meets most.
LEDE_WORDS = frozenset({
    "lead", "lede", "leadin", "intro", "introduction", "standfirst", "perex", "dek", "deck",
    "excerpt", "abstract", "teaser", "summary", "vorspann", "chapeau", "chapo", "sapo",
    "entradilla", "bajada", "sottotitolo", "occhiello",
})  # fmt: skip
# A standfirst is a sentence or a short paragraph: less is a label, more is a body.
MIN_CHARS = 40
MAX_CHARS = 1200
MAX_LINK_SHARE = 0.3
_SPLIT = re.compile(r"[^a-z0-9]+")
_BLOCKS = ("h1", "h2", "h3", "h4", "ul", "ol", "table", "figure", "article")


@dataclass(frozen=True)
class Lede:
    element_id: int
    text: str


@functools.lru_cache(maxsize=4096)
def _names_a_lede(names: str) -> bool:
    return not LEDE_WORDS.isdisjoint(_SPLIT.split(names.lower()))


def _names(tag: Tag) -> str:
    classes = tag.attrs.get("class")
    ident = tag.attrs.get("id")
    return f"{classes if isinstance(classes, str) else ' '.join(classes or [])} {ident or ''}"


def _lede_text(tag: Tag) -> str | None:
    """The element's text if it reads as a standfirst, else None."""
    if tag.has_attr(DEK_MARK) or tag.find_parent(attrs={DEK_MARK: "1"}) is not None:
        return None  # a teaser card's summary
    if tag.find_parent("a") is not None or tag.find(_BLOCKS) is not None:
        return None
    text = clean_inline(tag.get_text(" "))
    if not MIN_CHARS <= len(text) <= MAX_CHARS or link_density(tag) > MAX_LINK_SHARE:
        return None
    return text


def find_ledes(doc: Document) -> list[Lede]:
    """Elements classed as a standfirst, in document order, before any pass removes them."""
    found = []
    for tag in doc.tags("p", "div"):
        if tag.attrs and _names_a_lede(_names(tag)):
            text = _lede_text(tag)
            if text is not None:
                found.append(Lede(id(tag), text))
    return found


def lede_before(doc: Document, ledes: list[Lede], first: Tag, body: str) -> str | None:
    """The text of the last standfirst that comes before ``first`` (and after the page's
    headline, when it has one before ``first``), unless the body text holds it already."""
    if not ledes:
        return None
    wanted = {lede.element_id for lede in ledes}
    position: dict[int, int] = {}
    headline = -1
    for index, node in enumerate(doc.nodes):
        if node is first:
            break
        if id(node) in wanted:
            position[id(node)] = index
        elif headline < 0 and isinstance(node, Tag) and node.name == "h1":
            headline = index
    before = [lede for lede in ledes if position.get(lede.element_id, -1) > headline]
    if not before:
        return None
    last = max(before, key=lambda lede: position[lede.element_id])
    return None if " ".join(last.text.split()) in " ".join(body.split()) else last.text
