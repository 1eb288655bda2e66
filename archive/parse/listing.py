"""Telling a list of teasers (section front, tag page, search results) from an article.

A teaser is a headline link with a short summary beside it. They are found before the
boilerplate passes run (those remove card headers), and their summary paragraphs are marked,
so that once the main content is chosen we can ask: is there running text here that is not a
teaser summary?
"""

from bs4 import Tag

from archive.parse.clean import link_density
from archive.parse.soup import Document
from archive.parse.text import reading_words

DEK_MARK = "data-archive-dek"
HEADINGS = ("h2", "h3", "h4")
# A card holds one headline and a short summary: beyond this many words it is something else.
MAX_CARD_WORDS = 100
# How many cards make a list.
MIN_CARDS = 3


def _is_headline_link(heading: Tag) -> bool:
    text = heading.get_text(" ")
    if len(text.split()) < 3:
        return False
    inside_link = heading.find_parent("a") is not None
    return inside_link or link_density(heading) >= 0.8


def _card_of(heading: Tag) -> Tag | None:
    """The nearest ancestor (three levels at most) holding a summary paragraph beside it."""
    card = heading.parent
    for _ in range(3):
        if not isinstance(card, Tag) or card.name in ("body", "main", "html"):
            return None
        if card.find("p") is not None:
            words = len(card.get_text(" ").split())
            return card if words <= MAX_CARD_WORDS else None
        card = card.parent
    return None


def mark_teasers(doc: Document) -> int:
    """Mark the summary paragraphs of teaser cards; return how many cards there are."""
    cards = 0
    seen: set[int] = set()
    for heading in doc.tags(*HEADINGS):
        if not _is_headline_link(heading):
            continue
        card = _card_of(heading)
        if card is None or id(card) in seen:
            continue
        seen.add(id(card))
        cards += 1
        for para in card.find_all("p"):
            para[DEK_MARK] = "1"
    return cards


def prose_words(nodes: list[Tag]) -> int:
    """Words of paragraph text in ``nodes`` that is neither link text nor a teaser summary."""
    words = 0
    for node in nodes:
        paras = [node] if node.name == "p" else node.find_all("p")
        for para in paras:
            if para.has_attr(DEK_MARK):
                continue
            text_words = reading_words(para.get_text(" "))
            words += round(text_words * (1 - link_density(para)))
    return words
