"""The article body as text blocks, and the images with their captions.

One iterative walk (no recursion, so a document nested ten thousand deep is no danger) turns the
main-content elements into blocks: paragraphs, subheadings, list items, quotes, in reading order.
Captions and credits are not body text: they go to ``images``.
"""

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from bs4 import CData, NavigableString, Tag

from archive.parse.text import clean_inline, reading_words, sample
from archive.records import Image, Removal

# Elements that start and end a block of text.
BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "td", "th",
    "div", "section", "article", "main", "ul", "ol", "dl", "table", "tr", "figure", "header",
    "footer", "aside", "address", "center", "hr", "br", "details", "summary", "caption",
    "tbody", "thead", "tfoot", "fieldset", "nav", "hgroup",
}  # fmt: skip
# Elements whose text is never body text: captions go to images, the headline to the title.
SKIP_TAGS = {"figcaption", "h1", "img", "picture", "source", "button", "select", "option"}
HEADINGS = {"h2", "h3", "h4", "h5", "h6"}
# Class names of captions and credits ("caption", "newsCaption", "image-credit").
_CAPTION_CLASS = re.compile(r"caption|credit", re.I)


@dataclass
class Block:
    """One paragraph-like piece of the body, with how much of it is link text."""

    text: str
    tag: str
    link_chars: int = 0

    @property
    def is_heading(self) -> bool:
        return self.tag in HEADINGS


def _is_caption(tag: Tag) -> bool:
    classes = tag.get("class")
    joined = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    return bool(joined and _CAPTION_CLASS.search(joined))


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.link_chars = 0
        self.tag = "p"

    def flush(self) -> None:
        text = clean_inline("".join(self.buffer))
        if text:
            self.blocks.append(Block(text, self.tag, min(self.link_chars, len(text))))
        self.buffer.clear()
        self.link_chars = 0

    def walk(self, root: Tag) -> None:
        stack: list[tuple[object, bool, int]] = [(root, False, 0)]
        while stack:
            node, leaving, in_link = stack.pop()
            if isinstance(node, NavigableString):
                if type(node) in (NavigableString, CData):
                    self.buffer.append(str(node))
                    if in_link:
                        self.link_chars += len(node.strip())
                continue
            if not isinstance(node, Tag):
                continue
            name = node.name
            if leaving:
                if name in BLOCK_TAGS:
                    self.flush()
                continue
            if name in SKIP_TAGS or _is_caption(node):
                continue
            if name in BLOCK_TAGS:
                self.flush()
                self.tag = name
            stack.append((node, True, in_link))
            child_link = in_link + (name == "a")
            stack.extend((child, False, child_link) for child in reversed(node.contents))


def body_blocks(nodes: list[Tag]) -> list[Block]:
    """The blocks of the main-content elements, in reading order, chrome lines dropped."""
    walker = _Walker()
    for node in nodes:
        walker.walk(node)
        walker.flush()
    return trim_chrome(walker.blocks)


# Lines that are only share buttons ("Share this on WhatsApp", "Facebook Twitter Email").
SHARE_LINE = re.compile(
    r"^(?=.*\b(share|tweet|whatsapp|facebook|twitter|pinterest|linkedin|compartilh\w*|teilen)\b)"
    r"(?:(?:share|shares|tweet|pin|email|e-mail|print|whatsapp|facebook|twitter|linkedin|"
    r"pinterest|reddit|telegram|flipboard|messenger|sms|copy link|compartilhar|compartilhe|"
    r"teilen|partager|condividi|comparte|compartir|pint|baixar|this( story| article)?|on|via)"
    r"[\s:|/·•,.-]*)+$",
    re.I,
)
# Lines that only say when the article was published or updated.
DATE_LINE = re.compile(
    r"^(updated|published|posted|last updated|last modified|atualizado|publicado|"
    r"actualizado|aktualisiert|veröffentlicht|mis à jour|publié)\b",
    re.I,
)
# A year and a clock time on one line: "22 de janeiro de 2018 às 0:13", "10:22 AM / May 2019".
_DATE_OR_TIME = re.compile(
    r"\b(19|20)\d{2}\b.*\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}:\d{2}\b.*\b(19|20)\d{2}\b"
)
SHORT_LINE = 12


def trim_chrome(blocks: list[Block]) -> list[Block]:
    """Drop share-button lines, "Updated at ..." lines, short date-and-time lines before the
    body's first sentence, and headings and short lines of links after its last."""
    kept = [b for b in blocks if not _is_chrome_line(b)]
    start = 0
    while start < len(kept) and _is_lead_chrome(kept[start]):
        start += 1
    kept = kept[start:]
    # Headings with nothing under them and short lines of links ("Our standards: ...",
    # "Read more") that close the body are chrome, not the article's last words.
    while kept and (kept[-1].is_heading or _is_link_line(kept[-1])):
        kept.pop()
    return kept


def _is_chrome_line(block: Block) -> bool:
    return (
        _is_share_line(block)
        or _is_date_line(block)
        or _is_noise_line(block)
        or _is_teaser_link(block)
        or _is_call_to_action(block)
    )


def _is_teaser_link(block: Block) -> bool:
    """A paragraph that is one link and nothing else ("Column: Another story ...")."""
    return (
        block.tag in ("p", "div")
        and block.link_chars > 0.95 * len(block.text)
        and _words(block) < 20
    )


# Calls to action that end or interrupt a body ("Like this story? Share it with a friend!").
CALL_TO_ACTION = re.compile(
    r"^(like this (story|article)\?.*|share (it|this)( story| article)? with .*|"
    r"tell us what you think.*|(leave|post|add|write) a comment.*|\d* ?comments?|"
    r"(click|tap) here to .*|follow us on .*|sign up (for|to) .*newsletter.*)$",
    re.I,
)


def _is_call_to_action(block: Block) -> bool:
    return _words(block) <= SHORT_LINE and bool(CALL_TO_ACTION.match(block.text))


def _words(block: Block) -> int:
    return len(block.text.split())


def _is_share_line(block: Block) -> bool:
    return _words(block) <= SHORT_LINE and bool(SHARE_LINE.match(block.text))


# Lines left by galleries and embeds.
NOISE_LINE = re.compile(
    r"^((image|photo|picture|slide|foto|bild)\s*\d+\s*(of|/|von|de|di)\s*\d+|"
    r"this (slideshow|video|content|embed) requires javascript\.?|"
    r"(click|tap) (here )?to (enlarge|expand|play)\.?)$",
    re.I,
)


def _is_noise_line(block: Block) -> bool:
    return bool(NOISE_LINE.match(block.text))


def _is_date_line(block: Block) -> bool:
    return _words(block) <= SHORT_LINE and bool(DATE_LINE.match(block.text))


def _is_lead_chrome(block: Block) -> bool:
    if block.is_heading or _words(block) >= SHORT_LINE:
        return False
    return bool(_DATE_OR_TIME.search(block.text))


def _is_link_line(block: Block) -> bool:
    return block.link_chars > 0.5 * len(block.text) and _words(block) < 25


def running_words(blocks: list[Block]) -> int:
    """Words of running text that is not link text: the "is this an article" measure."""
    words = 0
    for block in blocks:
        if block.is_heading or not block.text:
            continue
        share = 1 - block.link_chars / len(block.text)
        words += round(reading_words(block.text) * share)
    return words


def _image_src(img: Tag, base: str | None) -> str | None:
    for attr in ("src", "data-src", "data-lazy-src", "data-original", "data-srcset", "srcset"):
        value = img.get(attr)
        if isinstance(value, str) and value.strip() and not value.startswith("data:"):
            src = value.strip().split(",")[0].split()[0] if "srcset" in attr else value.strip()
            return urljoin(base, src) if base else src
    return None


def collect_images(scope: Tag, base: str | None) -> tuple[list[Image], list[Removal]]:
    """The figures in ``scope`` with their whole captions, and the captions as removals."""
    images: list[Image] = []
    removed: list[Removal] = []
    seen: set[str] = set()
    for figure in scope.find_all("figure"):
        img = figure.find("img")
        src = _image_src(img, base) if isinstance(img, Tag) else None
        caption_tag = figure.find("figcaption") or figure.find(_is_caption)
        caption = None
        if isinstance(caption_tag, Tag):
            parts = [clean_inline(s) for s in caption_tag.stripped_strings]
            caption = " ".join(p for p in parts if p) or None
        if caption:
            removed.append(Removal(kind="caption", sample=sample(caption)))
        if src and src not in seen:
            seen.add(src)
            images.append(Image(src=src, caption=caption))
    return images, removed
