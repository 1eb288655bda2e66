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

from archive.parse.caseblind import CaseBlind
from archive.parse.classwords import own_classes
from archive.parse.markdown.figures import attach_figures, figure_of
from archive.parse.markdown.shape import (
    CLOSE,
    INLINE_KINDS,
    ITEM,
    QUOTE,
    Figure,
    Frame,
    Mark,
    Row,
    Runs,
    code_language,
    href_of,
    image_address,
    row_shape,
)
from archive.parse.text import clean_inline, reading_words, sample
from archive.parse.tree.measure import stripped_strings, tag_text, tags_under
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
_CAPTION_CLASS_NAMES = CaseBlind(_CAPTION_CLASS)  # (tested quickly: see ``caseblind``)


@dataclass
class Block:
    """One paragraph-like piece of the body, with how much of it is link text, and the
    structure its Markdown is written from (``archive.parse.markdown.shape``): the lists and
    quotes it is in, its inline spans (when it has any), a table's rows, a code language."""

    text: str
    tag: str
    link_chars: int = 0
    frames: tuple[Frame, ...] = ()
    runs: Runs | None = None
    rows: list[Row] | None = None
    lang: str | None = None
    # Body images, only when asked for (``markdown.figures``): before this block, after it.
    figures: tuple[Figure, ...] = ()
    figures_after: tuple[Figure, ...] = ()

    @property
    def is_heading(self) -> bool:
        return self.tag in HEADINGS

    @functools.cached_property
    def words(self) -> int:
        """Words as a reader counts them, so a paragraph of Chinese is no "short line" (counted
        once: the chrome-line checks ask repeatedly)."""
        return reading_words(self.text)


def _is_caption(tag: Tag) -> bool:
    joined = own_classes(tag)
    return bool(joined) and _CAPTION_CLASS_NAMES.found(joined)


# Inside a row of a data table, none of these: a row whose cells hold them is page layout.
LAYOUT_IN_CELL = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "pre")
CELL_SEPARATOR = " | "
_LINE_END_SPACE = re.compile(r"[ \t\r\f\v]+$", re.M)


# The classes highlighters give the line numbers they write into a listing's own lines
# (Pygments' "linenos", Chroma's "ln", highlight.js's line-number plugin): not the code.
_LINE_NUMBER_CLASSES = frozenset({"linenos", "lineno", "ln", "line-number", "hljs-ln-n"})


def _is_line_number(tag: Tag) -> bool:
    classes = tag.get("class")
    if not classes:
        return False
    words = classes if isinstance(classes, list) else str(classes).split()
    return not _LINE_NUMBER_CLASSES.isdisjoint(words)


def _listing_text(pre: Tag) -> str:
    """``pre``'s text without the line numbers written into its lines."""
    numbers = pre.find_all(_is_line_number)
    if not numbers:
        return pre.get_text()
    skipped = {id(s) for tag in numbers for s in tag.find_all(string=True)}
    return "".join(s for s in pre.find_all(string=True) if id(s) not in skipped)


def code_text(pre: Tag) -> str:
    """A code block's text with its line breaks and indentation: trailing spaces and blank
    lines at either end dropped, tabs and inner spacing kept."""
    text = _listing_text(pre).replace("\r\n", "\n").replace("\u00a0", " ")
    return _LINE_END_SPACE.sub("", text).strip("\n")


def is_line_numbers(text: str) -> bool:
    """True for a code listing's gutter: its line numbers one a line, counting up by one
    (highlighters set them in a cell or block of their own beside the code)."""
    lines = text.split()
    if len(lines) < 2 or not all(line.isdigit() for line in lines):
        return False
    first = int(lines[0])
    return all(int(line) == first + i for i, line in enumerate(lines))


def row_text(row: Tag, cells: list[Tag]) -> tuple[str, int]:
    """A data table's row as one line, its ``cells`` apart, and the characters of link text
    in it."""
    texts = [clean_inline(tag_text(cell, " ")) for cell in cells]
    links = sum(len(clean_inline(tag_text(a, " "))) for a in tags_under(row, ("a",)))
    return CELL_SEPARATOR.join(t for t in texts if t), links


# A data table's cell holds a value, a name, a short note: a cell with more text than this (in
# characters), or with a blank line made of <br>s, is a layout cell that holds running text.
LAYOUT_CELL_CHARS = 400


def data_cells(row: Tag) -> list[Tag] | None:
    """A data table's row's cells; None for a row of layout cells."""
    cells = [cell for cell in row.contents if type(cell) is Tag and cell.name in ("td", "th")]
    if not cells or next(tags_under(row, LAYOUT_IN_CELL), None) is not None:
        return None
    if any(_holds_running_text(cell) for cell in cells):
        return None
    return cells


def _holds_running_text(cell: Tag) -> bool:
    if len(tag_text(cell)) > LAYOUT_CELL_CHARS:
        return True
    for br in tags_under(cell, ("br",)):
        following = br.next_sibling
        while isinstance(following, NavigableString) and not following.strip():
            following = following.next_sibling
        if isinstance(following, Tag) and following.name == "br":
            return True  # "<br><br>": a paragraph break
    return False


class _Walker:
    def __init__(self, captions: bool = False, images: bool = False) -> None:
        self.captions = captions
        self.images = images
        # Images met (with images on): (the index of the block each stands before, figure),
        # and those met inside a paragraph, to stand after it.
        self.figures: list[tuple[int, Figure]] = []
        self.pending: list[Figure] = []
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.link_chars = 0
        self.tag = "p"
        # For the Markdown: the list items and quotes around, each open list's items so far
        # (None for an unordered one), the inline spans open and the marks of this block.
        self.frames: tuple[Frame, ...] = ()
        self.lists: list[tuple[int, list[int] | None]] = []
        self.spans: list[tuple[str, str | None]] = []
        self.marks: list[Mark] = []

    def flush(self) -> None:
        if not self.buffer:  # a block tag right after another: nothing to make a block of
            self.link_chars = 0
            self.marks = self._reopened()
            return
        text = clean_inline("".join(self.buffer))
        if text:
            runs = (self.buffer.copy(), self.marks) if self.marks else None
            links = min(self.link_chars, len(text))
            self.blocks.append(Block(text, self.tag, links, self.frames, runs))
        self.buffer.clear()
        self.link_chars = 0
        self.marks = self._reopened()
        if self.pending:
            self.figures.extend((len(self.blocks), figure) for figure in self.pending)
            self.pending.clear()

    def _reopened(self) -> list[Mark]:
        """A span still open goes on in the next block (a link around a heading and text)."""
        return [(0, kind, href) for kind, href in self.spans] if self.spans else []

    def enter(self, node: Tag, name: str) -> None:
        """Keep the containers a block's Markdown needs: lists, their items, quotes."""
        if name in ("ul", "ol"):
            self.lists.append((id(node), [_list_start(node) - 1] if name == "ol" else None))
        elif name == "li":
            owner, counter = self.lists[-1] if self.lists else (0, None)
            number = None
            if counter is not None:
                counter[0] += 1
                number = counter[0]
            self.frames += ((ITEM, id(node), number, owner),)
        elif name == "blockquote":
            self.frames += ((QUOTE, id(node), None, 0),)

    def leave(self, name: str) -> None:
        if name in HEADINGS:
            # Text after a heading, in the heading's parent (a page that writes its body
            # straight into <body> or a <div> between <br>s), is no longer the heading.
            self.tag = "p"
        if name in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
        elif name in ("li", "blockquote") and self.frames:
            self.frames = self.frames[:-1]

    def open_span(self, node: Tag, kind: str) -> None:
        href = href_of(node) if kind == "a" else None
        self.marks.append((len(self.buffer), kind, href))
        self.spans.append((kind, href))

    def close_span(self) -> None:
        self.marks.append((len(self.buffer), CLOSE, None))
        if self.spans:
            self.spans.pop()

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
            if leaving:  # block tags and inline spans are marked for leaving
                if node.name in BLOCK_TAGS:
                    self.flush()
                    self.leave(node.name)
                else:
                    self.close_span()
                continue
            name = node.name
            if self.images and name in ("img", "picture"):
                self.image(node)
                continue
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
                self.enter(node, name)
                stack.append((node, True, in_link))
            elif name in INLINE_KINDS:
                self.open_span(node, INLINE_KINDS[name])
                stack.append((node, True, in_link))
            child_link = in_link + (name == "a")
            stack.extend(zip(reversed(node.contents), repeat(False), repeat(child_link)))

    def image(self, node: Tag) -> None:
        figure = figure_of(
            node, self.frames, captions_are_text=self.captions, is_caption=_is_caption
        )
        if figure is None:
            return
        if "".join(self.buffer).strip():  # inside a paragraph: it stands after it
            self.pending.append(figure)
        else:
            self.figures.append((len(self.blocks), figure))

    def whole(self, node: Tag) -> bool:
        """A code block or a data table's row as one block of its own; False to walk it."""
        rows, lang = None, None
        if node.name == "pre":
            text, links, lang = code_text(node), 0, code_language(node)
            if is_line_numbers(text):
                return True  # a listing's gutter: its code stands in the next cell
        else:
            cells = data_cells(node)
            if cells is None:
                return False
            text, links = row_text(node, cells)
            rows = [row_shape(node, cells)]
        self.flush()
        if text.strip():
            block = Block(text, node.name, min(links, len(text)), self.frames, rows=rows)
            block.lang = lang
            self.blocks.append(block)
        return True


_WHOLE = frozenset({"pre", "tr"})


def _list_start(node: Tag) -> int:
    start = node.get("start")
    try:
        return int(str(start).strip()) if start is not None else 1
    except ValueError:
        return 1


_NEVER_TEXT = SKIP_TAGS - {"figcaption"}


def body_blocks(nodes: list[Tag], captions: bool = False, images: bool = False) -> list[Block]:
    """The blocks of the main-content elements, in reading order (see ``lines.trim_chrome``);
    ``images``: the body's images ride on them, for the Markdown (``markdown.figures``)."""
    walker = _Walker(captions, images)
    for node in nodes:
        walker.walk(node)
        walker.flush()
    attach_figures(walker.blocks, walker.figures)
    return _rows_joined(walker.blocks)


def _rows_joined(blocks: list[Block]) -> list[Block]:
    """Consecutive rows of a data table as one block, a row a line."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if block.tag == "tr" and previous is not None and previous.tag == "tr":
            previous.text += "\n" + block.text
            previous.link_chars += block.link_chars
            if previous.rows is not None and block.rows is not None:
                previous.rows = previous.rows + block.rows
            previous.figures_after += block.figures + block.figures_after
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
    src = image_address(img)
    return resolve_url(base, src) if src else None


def collect_images(scope: Tag, base: str | None) -> tuple[list[Image], list[Removal]]:
    """The figures in ``scope`` with their whole captions, and the captions as removals."""
    images: list[Image] = []
    removed: list[Removal] = []
    seen: set[str] = set()
    for figure in list(tags_under(scope, ("figure",))):
        img = next(tags_under(figure, ("img",)), None)
        src = _image_src(img, base) if isinstance(img, Tag) else None
        caption_tag = next(tags_under(figure, ("figcaption",)), None) or next(
            (tag for tag in tags_under(figure) if _is_caption(tag)), None
        )
        caption = None
        if isinstance(caption_tag, Tag):
            parts = [clean_inline(s) for s in stripped_strings(caption_tag)]
            caption = " ".join(p for p in parts if p) or None
        if caption:
            removed.append(Removal(kind="caption", sample=sample(caption)))
        if src and src not in seen:
            seen.add(src)
            images.append(Image(src=src, caption=caption))
    return images, removed
