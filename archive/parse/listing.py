"""Telling a list of teasers (section front, tag page, search results) from an article.

A teaser is a headline link with a short summary beside it. Cards are found before the
boilerplate passes run (those remove card headers) and marked, so that once the main content is
chosen we can ask: is there running text here that is not in a teaser card?
"""

import re
from urllib.parse import urljoin, urlsplit

from bs4 import Tag

from archive.parse.clean import link_density
from archive.parse.meta.dates import date_from_url
from archive.parse.meta.metadata import Metadata
from archive.parse.text import reading_words, sample
from archive.parse.tree.measure import tag_text, tags_under
from archive.parse.tree.soup import Document, is_gone
from archive.records import Removal

DEK_MARK = "data-archive-dek"
HEADINGS = ("h2", "h3", "h4")
# A card holds one headline and a short summary: beyond this many words it is something else.
MAX_CARD_WORDS = 100
# How many cards make a list.
MIN_CARDS = 3
# A card's summary: at least this many words besides the headline.
MIN_SUMMARY_WORDS = 4


def _is_headline_link(heading: Tag) -> bool:
    text = tag_text(heading, " ")
    if reading_words(text) < 3:
        return False
    parent = heading.parent
    inside_link = parent is not None and parent.name == "a"
    return inside_link or link_density(heading) >= 0.8


def _card_of(heading: Tag) -> Tag | None:
    """The nearest ancestor (three levels at most) holding a summary beside the headline."""
    headline_words = reading_words(tag_text(heading, " "))
    card = heading.parent
    for _ in range(3):
        if card is None or card.name in ("body", "main", "html", "[document]"):
            return None
        words = reading_words(tag_text(card, " "))
        if words > MAX_CARD_WORDS:
            return None
        if words - headline_words >= MIN_SUMMARY_WORDS:
            return card
        card = card.parent
    return None


def mark_teasers(doc: Document) -> int:
    """Mark the teaser cards (headline link and summary); return how many there are."""
    cards = 0
    for heading in doc.tags(*HEADINGS):
        if not _is_headline_link(heading):
            continue
        card = _card_of(heading)
        if card is None or card.has_attr(DEK_MARK):
            continue
        card[DEK_MARK] = "1"
        doc.cards.append(card)
        cards += 1
    return cards


def teaser_words(nodes: list[Tag]) -> int:
    """Running words (link text discounted) of the teaser cards inside ``nodes``."""
    words = 0
    for node in nodes:
        cards = [node] if node.has_attr(DEK_MARK) else _marked_cards(node)
        for card in cards:
            text_words = reading_words(card.get_text(" "))
            words += round(text_words * (1 - link_density(card)))
    return words


def _marked_cards(node: Tag) -> list[Tag]:
    """``node.find_all(True, {DEK_MARK: "1"})``, without bs4's matching machinery."""
    return [tag for tag in tags_under(node) if tag.attrs.get(DEK_MARK) == "1"]


_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*[.):]")


def listicle_sections(cards: list[Tag]) -> set[int]:
    """The cards that are a listicle's numbered sections ("1. ...", "2. ...", in order, at
    least MIN_CARDS of them): each a heading and a few lines under it, like a teaser, but the
    article itself. A card opens with its headline, so its first string carries the number."""
    numbered: list[tuple[int, Tag]] = []
    for card in cards:
        if card.__dict__.get("_decomposed"):
            continue
        match = _NUMBERED.match(next(card.stripped_strings, ""))
        if match:
            numbered.append((int(match.group(1)), card))
    numbers = [number for number, _ in numbered]
    if len(numbered) < MIN_CARDS or numbers != sorted(numbers) or len(set(numbers)) < len(numbers):
        return set()
    return {id(card) for _, card in numbered}


def drop_teasers(nodes: list[Tag], cards: list[Tag]) -> list[Removal]:
    """Remove the teaser cards inside ``nodes`` (not a node that is itself one, nor a
    listicle's numbered sections): once a page is known to be an article, cards beside its
    body are related stories, not its text."""
    inside = {id(node) for node in nodes}
    beside = [
        card
        for card in cards
        if not card.__dict__.get("_decomposed")
        and id(card) not in inside
        and any(id(parent) in inside for parent in card.parents)
    ]
    if not beside:
        return []
    sections = listicle_sections(cards)
    removed = []
    for card in beside:
        if id(card) in sections or card.__dict__.get("_decomposed"):
            continue
        removed.append(Removal(kind="related box", sample=sample(card.get_text(" "))))
        card.decompose()
    return removed


# A headline names one story in a sentence-like phrase: a front's heading names a section or a
# topic ("Business", "Tag: cycling", "Search results for:") in fewer words.
HEADLINE_WORDS = 4
# A post's address: a year and month folder, then a slug of words ("/2021/03/mending-a-wall").
# Fronts and archives stop at the folder ("/2021/03/") or page it ("/2021/03/page/2").
_DATED_SLUG = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/[^/?#]*[^\W\d_]-[^\W\d_]")


def shows_headline(doc: Document, title: str | None, url: str | None = None) -> bool:
    """True when the page's first <h1> is its title, a headline of HEADLINE_WORDS words or
    more, and no link (but to the page itself, as a blog's permalink headline is): a page
    that heads one story (a press release, a brief on a company or party site that declares
    no type) even when teaser cards fill the rest of it."""
    if not title:
        return False
    for h1 in doc.by_name.get("h1", ()):
        if is_gone(h1):
            continue
        text = " ".join(h1.get_text(" ").split())
        return (
            reading_words(text) >= HEADLINE_WORDS
            and text.casefold() == title.casefold()
            and _links_home(h1, url)
        )
    return False


def _links_home(h1: Tag, url: str | None) -> bool:
    """True when the heading links nowhere, or only to the page's own address."""
    links = h1.find_all("a")
    outer = h1.find_parent("a")
    if outer is not None:
        links.append(outer)
    return all(_same_page(link.get("href"), url) for link in links)


def _same_page(href: object, url: str | None) -> bool:
    if not isinstance(href, str) or not url:
        return False
    target, page = urlsplit(urljoin(url, href.strip())), urlsplit(url)
    path = target.path.rstrip("/")
    return bool(path) and (target.netloc, path) == (page.netloc, page.path.rstrip("/"))


def is_one_article(doc: Document, meta: Metadata, url: str | None) -> bool:
    """True when the page gives evidence that it holds one article: it declares an article
    type (JSON-LD or ``og:type``), heads itself with its title, or dates its address (a day in
    it, or a year and month folder before a slug). A front, a tag or a search page gives none."""
    address = url or meta.canonical_url
    return (
        meta.is_article_type
        or shows_headline(doc, meta.title, address)
        or date_from_url(address) is not None
        or (address is not None and _DATED_SLUG.search(address) is not None)
    )
