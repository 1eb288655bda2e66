"""The parser's front door: ``extract_article(html, url) -> ArticleRecord``.

The steps, each in its own module of ``archive.parse``: build the tree (``soup``), read the
metadata (``metadata``), strip boilerplate (``clean``), find the main content (``content``),
turn it into text blocks and images (``blocks``), drop chrome lines (``lines``), and decide
whether it is an article at all (``listing`` and the running-word count). The blocks give both
``text`` and ``markdown`` (``markdown.layout``), so the two forms of the body cannot disagree.
"""

import dataclasses
import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from os import PathLike

from bs4 import Tag

from archive.errors import NotAnArticleError
from archive.parse.blocks import Block, body_blocks, collect_images, running_words
from archive.parse.clean import clean, link_density
from archive.parse.content import main_content
from archive.parse.embedded import ARTICLE_BODY_KEY, held_back, ld_article_body
from archive.parse.lede import Lede, find_ledes, lede_before
from archive.parse.lines import trim_chrome
from archive.parse.listing import (
    drop_teasers,
    is_one_article,
    mark_teasers,
    teaser_words,
)
from archive.parse.markdown.figures import keep_figures
from archive.parse.markdown.layout import render_markdown
from archive.parse.meta.guessdate import GUESS, guessed_day
from archive.parse.meta.language import detect_language
from archive.parse.meta.metadata import Metadata, read_metadata
from archive.parse.siterules import apply_fields, rule_body, strip
from archive.parse.text import join_paragraphs, normalize, reading_words, visible
from archive.parse.tree.soup import Document, decode, is_gone, parse
from archive.records import ArticleRecord, Image, Removal
from archive.rules import Rule, builtin_rules, load_rules, matching_rules
from archive.urls import resolve_url

log = logging.getLogger(__name__)

# Bump whenever a change to the parser can change a record, so that storage can tell
# "the page changed" from "our parser changed".
EXTRACTOR_VERSION = "9"
# Fewer words than this of running text that is not link text, and the page is no article.
MIN_ARTICLE_WORDS = 50
# ... unless the page has a title, or is not mostly links: then a brief of this many words is
# one (short news items, blog posts, press releases, notes run to 30-60 words).
MIN_BRIEF_WORDS = 20
# A page whose text (chrome passes done) is at least this share link text is a page of links:
# short running text on it, with no title to head it, is a caption or a blurb, not a brief.
LINK_PAGE_SHARE = 0.5
# This many teaser cards (headline link and summary) with no other prose make a teaser list.
MIN_CARDS = 3


@dataclass(frozen=True)
class ExtractOptions:
    """How to extract. ``rules_paths``: the user's rules files or folders (``*.toml``), tried
    before the shipped ones; ``builtin_rules``: False to use only the user's rules.

    A bad rules file raises ``archive.rules.RulesError`` naming the file and the problem.
    ``links``: False writes the Markdown body without links (their text stays).
    ``images``: True writes the body's images into the Markdown where they stand, each with
    its figure's caption below it (``text`` is the same either way).
    """

    rules_paths: Sequence[str | PathLike[str]] = ()
    builtin_rules: bool = True
    links: bool = True
    images: bool = False

    def rules(self) -> tuple[Rule, ...]:
        """The user's rules, then the shipped ones (files are read once, then cached)."""
        mine = load_rules(self.rules_paths) if self.rules_paths else ()
        return mine + builtin_rules() if self.builtin_rules else mine


DEFAULT_OPTIONS = ExtractOptions()


def _image_scope(nodes: list[Tag]) -> Tag:
    """Where an article's figures live: its <article> element, else the content's parent."""
    first = nodes[0]
    article = first if first.name == "article" else _ancestor(first, "article")
    if isinstance(article, Tag):
        return article
    parent = first.parent
    if isinstance(parent, Tag) and parent.name not in ("body", "html", "[document]"):
        return parent
    return first


def _ancestor(tag: Tag, name: str) -> Tag | None:
    """``tag.find_parent(name)``, without bs4's matching machinery."""
    return next((parent for parent in tag.parents if parent.name == name), None)


def _check_article(
    blocks: list[Block],
    nodes: list[Tag],
    cards: int,
    url: str | None,
    meta: Metadata,
    doc: Document,
) -> None:
    """Raise NotAnArticleError for a teaser list or too little running text.

    A brief is an article too: with a title, or on a page that is not mostly links,
    MIN_BRIEF_WORDS of running text will do. Among teaser cards (a front, or an article with
    big related-story blocks) it will do only when the page gives evidence of being one
    article (``listing.is_one_article``: an article type, where fronts say "website"; its
    title as its headline; a dated address).
    """
    words = running_words(blocks)
    least = MIN_BRIEF_WORDS if meta.title or not _mostly_links(doc) else MIN_ARTICLE_WORDS
    if cards >= MIN_CARDS and words - teaser_words(nodes) < _least_among_cards(meta, doc, url):
        raise NotAnArticleError(
            f"not an article: a list of {cards} teasers (headline links with short summaries)",
            subject=url,
        )
    if words < least:
        raise NotAnArticleError(
            f"not an article: only {words} words of running text that is not links",
            subject=url,
        )


def _mostly_links(doc: Document) -> bool:
    """True when most of the page's remaining text is link text (a page of links).

    Shortness alone is no evidence against an article: a bare page of one paragraph, with
    no title or metadata at all, is a note. Only a page that is mostly links is refused for
    short running text that a title would have let through.
    """
    body = doc.body()
    return body is not None and link_density(body) >= LINK_PAGE_SHARE


def _least_among_cards(meta: Metadata, doc: Document, url: str | None) -> int:
    """The running words a page among teaser cards needs to be an article."""
    if meta.title and is_one_article(doc, meta, url):
        return MIN_BRIEF_WORDS
    return MIN_ARTICLE_WORDS


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a page is extracted.

    A page's tree is tens of thousands of objects, all in reference cycles (parent and child
    point at each other). Built with the collector on, the growing tree is traversed again and
    again by the collections its own allocations trigger, and promoted to the older generations
    whose collections cost the most: a tenth of the mean time, and the worst pages' spikes.
    Paused, the finished page's garbage is freed by one collection after it. The collector is
    turned back on only if it was on (another thread, or the host, may have paused it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def extract_article(
    html: str | bytes, url: str | None = None, *, options: ExtractOptions = DEFAULT_OPTIONS
) -> ArticleRecord:
    """Parse one page into a clean article record; raise an ExtractionError subclass if none.

    Raises NotHTMLError for input that is not an HTML document, and NotAnArticleError for a
    page that holds no article (a section front, a list of teasers, a page of links).
    """
    with _gc_paused():
        try:
            record = _extract(html, url, options)
        except NotAnArticleError as refusal:
            _guess_refused_date(refusal, html, url)
            raise
    if record.published_at:
        return record
    day = guessed_day(_text_of(html), url)
    return replace(record, published_at=day, published_from=GUESS) if day else record


def _guess_refused_date(refusal: NotAnArticleError, html: str | bytes, url: str | None) -> None:
    """A refused page's metadata gets htmldate's day too when ours found none: the archive
    keeps what a refused page is (its title and date)."""
    meta = getattr(refusal, "metadata", None)
    if meta is None or meta.get("published_at"):
        return
    day = guessed_day(_text_of(html), url)
    if day:
        meta.update(published_at=day, published_from=GUESS)


def _text_of(html: str | bytes) -> str:
    """The page as text (decoded as ``parse`` decodes it)."""
    return html if isinstance(html, str) else decode(html)


def _extract(html: str | bytes, url: str | None, options: ExtractOptions) -> ArticleRecord:
    rules = options.rules()
    try:
        return _tries(html, url, rules, options)
    except NotAnArticleError:
        record = _last_chance(html, url, rules, options)
        if record is None:
            raise
        return record


def _tries(
    html: str | bytes, url: str | None, rules: tuple[Rule, ...], options: ExtractOptions
) -> ArticleRecord:
    """The page through the passes, then (refused) once more through the gentle ones."""
    doc = parse(html, cut=not matching_rules(rules, url))
    try:
        return _from_document(doc, url, rules, options=options)
    except NotAnArticleError as refusal:
        # The passes may have taken the article for chrome (a body in an <aside>, in blocks
        # classed "sidebar" or "header"): try once more with only the gentle ones.
        return _second_try(html, url, rules, refusal, options)
    finally:
        doc.dispose()  # the record holds plain strings only: the tree can go at once


def _second_try(
    html: str | bytes,
    url: str | None,
    rules: tuple[Rule, ...],
    refusal: NotAnArticleError,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> ArticleRecord:
    """The page again with the gentle passes; the first refusal stands if it is still none."""
    doc = parse(html, cut=False)
    try:
        return _from_document(doc, url, rules, gentle=True, options=options)
    except NotAnArticleError:
        raise refusal from None
    finally:
        doc.dispose()


def _last_chance(
    html: str | bytes, url: str | None, rules: tuple[Rule, ...], options: ExtractOptions
) -> ArticleRecord | None:
    """A refused page that says it is one article, with its body outside the visible markup
    (``parse.embedded``): the JSON-LD ``articleBody`` when it is a brief or more, else the
    HTML it holds back (its templates, then its <noscript> fallbacks) through the normal
    extraction. None: the refusal stands.

    Most refused pages (fronts, tag pages) carry neither: two scans of the text tell, before
    the page is parsed a third time for its evidence.
    """
    text = _text_of(html)
    unwrapped_pages = list(held_back(text))
    if not unwrapped_pages and ARTICLE_BODY_KEY not in text:
        return None
    doc = parse(text, cut=False)
    try:
        meta = read_metadata(doc, url)
        if not is_one_article(doc, meta, url):
            return None
        applied = matching_rules(rules, url or meta.canonical_url)
        if applied:
            meta = apply_fields(doc, applied, meta)
        blocks = [Block(part, "p") for part in ld_article_body(doc)]
        if running_words(blocks) >= MIN_BRIEF_WORDS:
            return _record_of_blocks(blocks, meta, url, applied, options)
    finally:
        doc.dispose()
    for unwrapped in unwrapped_pages:
        try:
            return _tries(unwrapped, url, rules, options)
        except NotAnArticleError:
            continue
    return None


def _record_of_blocks(
    blocks: list[Block],
    meta: Metadata,
    url: str | None,
    applied: list[Rule],
    options: ExtractOptions,
) -> ArticleRecord:
    """A record whose body is plain paragraphs read outside the page's markup."""
    text = normalize(join_paragraphs([b.text for b in blocks]))
    markdown = normalize(render_markdown(blocks, url or meta.canonical_url, links=options.links))
    record = _record(meta, url, text, [], [], applied)
    return _visible_record(replace(record, markdown=markdown))


def _from_document(
    doc: Document,
    url: str | None,
    rules: tuple[Rule, ...],
    gentle: bool = False,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> ArticleRecord:
    meta = read_metadata(doc, url)
    applied = matching_rules(rules, url or meta.canonical_url)
    if applied:
        meta = apply_fields(doc, applied, meta)
    try:
        return _article(doc, url, meta, applied, gentle, options)
    except NotAnArticleError as error:
        # A refused page still says what it is: its title and dates go with the refusal.
        error.metadata = refused_metadata(meta)
        raise


def refused_metadata(meta: Metadata) -> dict[str, object]:
    """The fields of ``meta`` a page gave (no empty ones), as a refusal carries them."""
    fields = asdict(meta)
    fields.pop("is_article_type", None)
    # Through ``visible`` as a record's fields are: a refusal's title reaches the archive too.
    return {
        name: [_visible_item(v) for v in value] if isinstance(value, list) else _visible_item(value)
        for name, value in fields.items()
        if value not in (None, "", [])
    }


def _article(
    doc: Document,
    url: str | None,
    meta: Metadata,
    applied: list[Rule],
    gentle: bool,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> ArticleRecord:
    nodes, removed = _content(doc, applied, gentle)
    if not nodes:
        raise NotAnArticleError("not an article: no running text found", subject=url)
    blocks, trimmed = _blocks(doc, nodes, removed.ledes, gentle, options.images, meta.title)
    _check_article(blocks, nodes, removed.cards, url, meta, doc)
    if removed.cards:
        dropped = drop_teasers(nodes, doc.cards)
        if dropped:
            blocks, trimmed = _blocks(doc, nodes, removed.ledes, gentle, options.images, meta.title)
            trimmed += dropped
    base = link_base(doc, url or meta.canonical_url)
    images, captions = collect_images(_image_scope(nodes), base)
    text = normalize(join_paragraphs([b.text for b in blocks]))
    # The same blocks, with their structure: the Markdown cannot say more or less than text.
    markdown = normalize(render_markdown(blocks, base, links=options.links))
    record = _record(meta, url, text, images, removed.items + captions + trimmed, applied)
    return _visible_record(replace(record, markdown=markdown))


def _blocks(
    doc: Document,
    nodes: list[Tag],
    ledes: list[Lede],
    captions: bool,
    images: bool = False,
    title: str | None = None,
) -> tuple[list[Block], list]:
    """The body's text blocks (chrome lines trimmed), headed by its standfirst if one was set
    apart; and the lines trimmed. ``captions``: captions are body text (the second try: a
    photo post's captions are its text); ``images``: the body's images ride on the blocks."""
    walked = body_blocks(nodes, captions, images)
    blocks, trimmed = trim_chrome(walked, title)
    if images:
        keep_figures(walked, blocks)
    lede = lede_before(doc, ledes, nodes[0], " ".join(b.text for b in blocks))
    if lede:  # one paragraph or more, each a block of its own
        blocks[:0] = [Block(part, "p") for part in lede.split("\n\n")]
    return blocks, trimmed


def link_base(doc: Document, page_url: str | None) -> str | None:
    """The address the page's relative links and images resolve against: its ``<base href>``
    (itself relative to the page) when it declares one, as a browser resolves them, else the
    page's own URL."""
    root = doc.soup.find("html", recursive=False)
    head = root.find("head", recursive=False) if isinstance(root, Tag) else None
    tag = head.find("base", href=True) if isinstance(head, Tag) else None  # the first counts
    href = tag.get("href") if isinstance(tag, Tag) else None
    if isinstance(href, str) and href.strip():
        resolved = resolve_url(page_url, href.strip())
        if resolved and resolved.startswith(("http://", "https://")):
            return resolved
    return page_url


@dataclass
class _Removed:
    items: list[Removal]
    cards: int
    ledes: list[Lede]


def _content(doc: Document, applied: list[Rule], gentle: bool) -> tuple[list[Tag], _Removed]:
    """Strip boilerplate (the rules' selectors, then the generic passes) and find the body."""
    removed = doc.removed + (strip(doc, applied) if applied else [])
    cards = mark_teasers(doc)
    ledes = find_ledes(doc, cards > 0)
    body = rule_body(doc, applied) if applied else []
    removed += clean(doc, protected=body, gentle=gentle)
    nodes = [tag for tag in body if not is_gone(tag)] or main_content(doc, list_items=gentle)
    return nodes, _Removed(removed, cards, ledes)


def _record(
    meta: Metadata,
    url: str | None,
    text: str,
    images: list,
    removed: list[Removal],
    applied: list[Rule],
) -> ArticleRecord:
    return ArticleRecord(
        url=url or meta.canonical_url or "",
        canonical_url=meta.canonical_url,
        title=meta.title,
        authors=meta.authors,
        published_at=meta.published_at,
        modified_at=meta.modified_at,
        site_name=meta.site_name,
        language=meta.language or detect_language(text),
        description=meta.description,
        image=meta.image,
        tags=meta.tags,
        images=images,
        text=text,
        word_count=reading_words(text),  # CJK characters in pairs: no spaces between words
        removed=removed,
        published_from=meta.published_from,
        modified_from=meta.modified_from,
        authors_from=meta.authors_from,
        rules=[rule.name for rule in applied],
        extractor_version=EXTRACTOR_VERSION,
    )


def _visible_record(record: ArticleRecord) -> ArticleRecord:
    """The record with every text field through ``text.visible``: whichever path a value took
    (JSON-LD, a meta tag, a site rule, the body), no control, zero-width or bidi character
    reaches the archive or, from it, a terminal. (0.1 ms, 1.3% of a golden page's median
    extraction time; the record itself when nothing changes.)"""
    changes: dict[str, object] = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, str):
            cleaned: object = visible(value)
        elif isinstance(value, list):
            cleaned = [_visible_item(item) for item in value]
        else:
            continue
        if cleaned != value:
            changes[field.name] = cleaned
    return dataclasses.replace(record, **changes) if changes else record  # type: ignore[arg-type]


def _visible_item(item: object) -> object:
    if isinstance(item, str):
        return visible(item)
    if isinstance(item, Image):
        caption = visible(item.caption) if item.caption is not None else None
        src = visible(item.src)
        return item if (src, caption) == (item.src, item.caption) else Image(src, caption)
    if isinstance(item, Removal):
        sample = visible(item.sample)
        return item if sample == item.sample else Removal(item.kind, sample)
    return item
