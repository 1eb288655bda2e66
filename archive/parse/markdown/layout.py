"""The body's blocks as one CommonMark document: headings, paragraphs, lists, quotes, tables,
code. Each block is written from the structure it carries (``shape``) and checked against its
text: a block whose Markdown would not read back as that text is written as escaped text, so
``markdown`` and ``text`` never disagree.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.parse.markdown.escape import code_fence, escape_text
from archive.parse.markdown.inline import InlineOptions, plain_markdown, render_inline
from archive.parse.markdown.shape import ITEM, Figure, Frame, Row
from archive.parse.text import clean_inline

if TYPE_CHECKING:  # only for the annotations: blocks imports this package's shape
    from archive.parse.blocks import Block

CELL_SEPARATOR = " | "  # as blocks.CELL_SEPARATOR: a row's text
ITEM_INDENT = 4
_HEADING_LEVELS = {"h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass
class _FigureBlock:
    """A body image as a block of the Markdown (never of the text): in its containers."""

    figure: Figure
    tag: str = "img"

    @property
    def frames(self) -> tuple[Frame, ...]:
        return self.figure.frames


def render_markdown(
    blocks: Sequence["Block"], base: str | None = None, *, links: bool = True
) -> str:
    """The Markdown of the body's ``blocks``; links resolved against ``base`` (or left out).
    Images the blocks carry (``markdown.figures``: only when asked for) stand where they
    stood, with their captions."""
    options = InlineOptions(base=base, links=links)
    started: set[int] = set()  # the list items whose marker is written
    parts: list[str] = []
    previous: Block | _FigureBlock | None = None
    previous_opened = False  # whether the previous block opened its list item
    for block in _with_figures(blocks, options):
        opens = _starts_item(block.frames, started)
        lines = _block_lines(block, options)
        first, rest = _prefixes(block.frames, started, multiline=len(lines) > 1)
        if previous is not None:
            tight = opens and previous_opened and _tight(previous, block)
            parts.append("\n" if tight else _blank_line(previous, block))
        # No line ends in a space: code blocks lost theirs in the text already.
        written = [first + lines[0], *((rest + line).rstrip() for line in lines[1:])]
        parts.append("\n".join(written))
        previous, previous_opened = block, opens
    return "".join(parts)


def _with_figures(
    blocks: Sequence["Block"], options: InlineOptions
) -> Iterator["Block | _FigureBlock"]:
    """The blocks, each with the images that stand before it and, for the last, after it
    (an image whose address leads nowhere readable is left out)."""
    for block in blocks:
        for figure in block.figures:
            if options.destination(figure.src) is not None:
                yield _FigureBlock(figure)
        yield block
        for figure in block.figures_after:
            if options.destination(figure.src) is not None:
                yield _FigureBlock(figure)


def _figure_lines(figure: Figure, options: InlineOptions) -> list[str]:
    """``![alt](URL)``, and its caption below it as a paragraph of its own."""
    image = f"![{escape_text(figure.alt)}]({options.destination(figure.src)})"
    return [image, "", plain_markdown(figure.caption)] if figure.caption else [image]


def _starts_item(frames: tuple[Frame, ...], started: set[int]) -> bool:
    return bool(frames) and frames[-1][0] == ITEM and frames[-1][1] not in started


def _prefixes(frames: tuple[Frame, ...], started: set[int], *, multiline: bool) -> tuple[str, str]:
    """The first line's prefix (a new item's marker) and the following lines'. A marker is
    padded to the item's indent where more lines of the block or another marker follow it
    (their indent is measured from where its text starts); a one-line item's is not."""
    first, rest = "", ""
    last = len(frames) - 1
    for position, (kind, ident, number, _) in enumerate(frames):
        if kind != ITEM:
            first, rest = first + "> ", rest + "> "
            continue
        marker = f"{number}. " if number is not None else "- "
        # Four spaces at least: CommonMark takes any indent from the marker's width on, and
        # Python-Markdown (Datasette's renderer) nests only at four.
        indent = " " * max(len(marker), ITEM_INDENT)
        if ident in started:
            first += indent
        else:
            padded = multiline or position < last
            first += marker + indent[len(marker) :] if padded else marker
            started.add(ident)
        rest += indent
    return first, rest


def _tight(previous: "Block | _FigureBlock", block: "Block | _FigureBlock") -> bool:
    """Whether a new item may follow the previous one-line item on the next line: in the
    same containers, and either in the same list or one that may interrupt a paragraph (a
    bullet list or one from 1: "3. x" under a line would be read as that line's text)."""
    if previous.tag in ("pre", "tr", "img"):
        return False
    depth = len(block.frames) - 1
    if tuple(f[1] for f in block.frames[:depth]) != tuple(f[1] for f in previous.frames[:depth]):
        return False
    _, _, number, owner = block.frames[-1]
    return any(f[0] == ITEM and f[3] == owner for f in previous.frames) or number in (None, 1)


def _blank_line(previous: "Block | _FigureBlock", block: "Block | _FigureBlock") -> str:
    """A blank line between two blocks, marked as a quote's where both are in one quote (a
    new item right after a one-line item takes the next line instead: a tight list)."""
    shared = []
    for mine, theirs in zip(previous.frames, block.frames, strict=False):
        if mine[1] != theirs[1]:
            break
        shared.append(mine)
    quote = "".join("> " if frame[0] != ITEM else "  " for frame in shared).rstrip()
    return f"\n{quote}\n" if quote.endswith(">") else "\n\n"


def _block_lines(block: "Block | _FigureBlock", options: InlineOptions) -> list[str]:
    if isinstance(block, _FigureBlock):
        return _figure_lines(block.figure, options)
    if block.tag == "pre":
        fence = code_fence(block.text)
        return [fence + (block.lang or ""), *block.text.split("\n"), fence]
    if block.rows:
        return _table_lines(block, options)
    inline = _inline(block, options)
    level = _HEADING_LEVELS.get(block.tag)
    return [f"{'#' * level} {inline}" if level else inline]


def _inline(block: "Block", options: InlineOptions) -> str:
    if block.runs is None:
        return plain_markdown(block.text)
    strings, marks = block.runs
    return render_inline(strings, marks, options, block.text)


def _table_lines(block: "Block", options: InlineOptions) -> list[str]:
    """A pipe table; rows as lines of text where cells span columns or rows, or the rows'
    cell counts differ (a pipe table would lose cells), or a row would not read back."""
    rows: list[Row] = block.rows or []
    cell_options = InlineOptions(
        options.base, options.links, in_table=True, destinations=options.destinations
    )
    written = [[_cell(runs, cell_options) for runs in row.cells] for row in rows]
    texts = block.text.split("\n")
    readable = len(texts) == len(rows) and all(
        CELL_SEPARATOR.join(plain for _, plain in row if plain) == text
        for row, text in zip(written, texts, strict=False)
    )
    widths = {len(row.cells) for row in rows}
    if not readable:
        return _as_paragraphs([plain_markdown(text) for text in texts])
    if len(widths) != 1 or any(row.spans for row in rows):
        lines = [CELL_SEPARATOR.join(md for md, plain in row if plain) for row in written]
        return _as_paragraphs(lines)
    width = widths.pop()
    table = [_table_row([md for md, _ in row]) for row in written]
    return [table[0], _table_row(["---"] * width), *table[1:]]


def _cell(runs: tuple[list[str], list], options: InlineOptions) -> tuple[str, str]:
    """A cell's Markdown and its text."""
    strings, marks = runs
    return render_inline(strings, marks, options, None), clean_inline("".join(strings))


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _as_paragraphs(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.extend([line, ""] if line else [])
    return out[:-1] or [""]
