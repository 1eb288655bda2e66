"""The article body as text blocks, and the images with their captions.

One iterative walk (no recursion, so a document nested ten thousand deep is no danger) turns the
main-content elements into blocks: paragraphs, subheadings, list items, quotes, in reading order.
Captions and credits are not body text: they go to ``images``.
"""

import functools
import re
from dataclasses import dataclass
from itertools import repeat

from bs4 import CData, NavigableString, Tag

from archive.parse.text import clean_inline, reading_words, sample
from archive.records import Image, Removal
from archive.urls import resolve_url

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

    @functools.cached_property
    def words(self) -> int:
        """Whitespace-separated words (counted once: the chrome-line checks ask repeatedly)."""
        return len(self.text.split())


def _is_caption(tag: Tag) -> bool:
    classes = tag.get("class")
    joined = " ".join(classes) if isinstance(classes, list) else str(classes or "")
    return bool(joined and _CAPTION_CLASS.search(joined))


# Inside a row of a data table, none of these: a row whose cells hold them is page layout.
_LAYOUT_IN_CELL = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "pre")
CELL_SEPARATOR = " | "
_LINE_END_SPACE = re.compile(r"[ \t\r\f\v]+$", re.M)


def code_text(pre: Tag) -> str:
    """A code block's text with its line breaks and indentation: trailing spaces and blank
    lines at either end dropped, tabs and inner spacing kept."""
    text = _LINE_END_SPACE.sub("", pre.get_text().replace("\r\n", "\n").replace("\u00a0", " "))
    return text.strip("\n")


def row_text(row: Tag) -> tuple[str, int] | None:
    """A data table's row as one line, its cells apart; None for a row of layout cells.
    Also the characters of link text in it."""
    cells = row.find_all(("td", "th"), recursive=False)
    if not cells or row.find(_LAYOUT_IN_CELL) is not None:
        return None
    texts = [clean_inline(cell.get_text(" ")) for cell in cells]
    links = sum(len(clean_inline(a.get_text(" "))) for a in row.find_all("a"))
    return CELL_SEPARATOR.join(t for t in texts if t), links


class _Walker:
    def __init__(self, captions: bool = False) -> None:
        self.captions = captions
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.link_chars = 0
        self.tag = "p"

    def flush(self) -> None:
        if not self.buffer:  # a block tag right after another: nothing to make a block of
            self.link_chars = 0
            return
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
            if leaving:  # only block tags are marked for leaving
                self.flush()
                continue
            name = node.name
            # Captions are skipped, unless this walk takes them as text (and never the rest).
            if (name in SKIP_TAGS or ("class" in node.attrs and _is_caption(node))) and not (
                self.captions and name not in _NEVER_TEXT
            ):
                continue
            if name in _WHOLE and self.whole(node):
                continue
            if name in BLOCK_TAGS:
                self.flush()
                self.tag = name
                stack.append((node, True, in_link))
            child_link = in_link + (name == "a")
            stack.extend(zip(reversed(node.contents), repeat(False), repeat(child_link)))

    def whole(self, node: Tag) -> bool:
        """A code block or a data table's row as one block of its own; False to walk it."""
        if node.name == "pre":
            text, links = code_text(node), 0
        else:
            row = row_text(node)
            if row is None:
                return False
            text, links = row
        self.flush()
        if text.strip():
            self.blocks.append(Block(text, node.name, min(links, len(text))))
        return True


_WHOLE = frozenset({"pre", "tr"})


_NEVER_TEXT = SKIP_TAGS - {"figcaption"}


def body_blocks(nodes: list[Tag], captions: bool = False) -> list[Block]:
    """The blocks of the main-content elements, in reading order (see ``lines.trim_chrome``)."""
    walker = _Walker(captions)
    for node in nodes:
        walker.walk(node)
        walker.flush()
    return _rows_joined(walker.blocks)


def _rows_joined(blocks: list[Block]) -> list[Block]:
    """Consecutive rows of a data table as one block, a row a line."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if block.tag == "tr" and previous is not None and previous.tag == "tr":
            previous.text += "\n" + block.text
            previous.link_chars += block.link_chars
            previous.__dict__.pop("words", None)  # the cached word count is stale
        else:
            joined.append(block)
    return joined


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
            return resolve_url(base, src)
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
