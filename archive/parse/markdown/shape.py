"""The structure a body block carries beside its text, for its Markdown.

The walker of ``archive.parse.blocks`` records it as it goes: the containers a block sits in
(list items and quotes: ``Frame``), its inline spans (strings and ``Mark``), a data table's
cells (``Row``) and a code block's language. Only plain data: the tree is gone once the
record is made.
"""

import re
from dataclasses import dataclass

from bs4 import CData, NavigableString, Tag

# Elements that make an inline span, by the kind of span they make.
INLINE_KINDS = {
    "em": "em", "i": "em", "strong": "strong", "b": "strong", "a": "a",
    "code": "code", "kbd": "code", "samp": "code", "tt": "code",
}  # fmt: skip
CLOSE = "/"
# (index of the string it stands before, kind or CLOSE, the link's href)
Mark = tuple[int, str, str | None]
Runs = tuple[list[str], list[Mark]]
# ("li", element id, the item's number in an ordered list or None, its list's element id),
# or ("q", element id, None, 0)
Frame = tuple[str, int, int | None, int]
ITEM, QUOTE = "li", "q"

# "language-python", "lang-js", "highlight-python" (Sphinx), "highlight-source-python" (GitHub).
_LANGUAGE = re.compile(r"(?:^|\s)(?:lang|language|highlight(?:-source)?)-([\w+#.-]+)", re.I)
# A language's name as an attribute gives it (no spaces, nothing a fence's info line reads).
_BARE_LANGUAGE = re.compile(r"[\w+#.-]{1,30}")
# On a wrapper only the highlighter's names: "lang-de" there is the reader's language.
_WRAPPER_LANGUAGE = re.compile(r"(?:^|\s)highlight(?:-source)?-([\w+#.-]+)", re.I)
# Attributes an image's address may be in: lazy loaders keep it out of ``src``.
IMAGE_ADDRESS_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-srcset", "srcset")


@dataclass
class Row:
    """A data table's row: each cell's runs (empty cells kept), and whether a cell spans more
    than one column or row (then the table cannot be a pipe table)."""

    cells: list[Runs]
    spans: bool = False
    header: bool = False


@dataclass(frozen=True)
class Figure:
    """A body image where it stands (for the Markdown with images): its address as the page
    gives it, its alt text, its figure's caption (on the figure's last image), and the
    containers it is in."""

    src: str
    alt: str
    caption: str | None
    frames: tuple[Frame, ...]


def href_of(tag: Tag) -> str | None:
    href = tag.get("href")
    return href if isinstance(href, str) else None


def cell_runs(cell: Tag) -> Runs:
    """A cell's strings and marks, its strings apart by one space as ``get_text(" ")`` has
    them (a data table's row text is made so)."""
    strings: list[str] = []
    marks: list[Mark] = []
    stack: list[tuple[object, bool]] = [(child, False) for child in reversed(cell.contents)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            marks.append((len(strings), CLOSE, None))
        elif isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):
                if strings:
                    strings.append(" ")
                strings.append(str(node))
        elif isinstance(node, Tag):
            kind = INLINE_KINDS.get(node.name)
            if kind:
                marks.append((len(strings), kind, href_of(node) if kind == "a" else None))
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
    return strings, marks


def row_shape(row: Tag, cells: list[Tag]) -> Row:
    spans = any(_span(cell, "colspan") or _span(cell, "rowspan") for cell in cells)
    header = all(cell.name == "th" for cell in cells)
    return Row([cell_runs(cell) for cell in cells], spans, header)


def _span(cell: Tag, name: str) -> bool:
    value = cell.get(name)
    try:
        return int(str(value).strip()) > 1 if value is not None else False
    except ValueError:
        return False


def image_address(img: Tag) -> str | None:
    """The address an ``<img>`` shows, as the page gives it (the first of a ``srcset``);
    None for none or an inline ``data:`` image."""
    for attr in IMAGE_ADDRESS_ATTRS:
        value = img.get(attr)
        if isinstance(value, str) and value.strip() and not value.startswith("data:"):
            return value.strip().split(",")[0].split()[0] if "srcset" in attr else value.strip()
    return None


def code_language(pre: Tag) -> str | None:
    """The language a code block names in its class (``language-x``, ``lang-x``,
    ``highlight-x``), on the ``<pre>``, on the ``<code>`` in it, or on the two elements
    around it (Sphinx and GitHub name it on a wrapper: ``div.highlight-python > div > pre``);
    else in a ``data-lang`` or ``data-language`` attribute of the ``<pre>`` or ``<code>``."""
    code = pre.find("code")
    return _class_language(pre, code) or _attribute_language(pre, code)


def _attribute_language(pre: Tag, code: object) -> str | None:
    for tag in (pre, code):
        if not isinstance(tag, Tag):
            continue
        for name in ("data-lang", "data-language"):
            value = tag.get(name)
            found = _BARE_LANGUAGE.fullmatch(value.strip()) if isinstance(value, str) else None
            if found:
                return found.group().lower()
    return None


def _class_language(pre: Tag, code: object) -> str | None:
    parent = pre.parent
    grandparent = parent.parent if isinstance(parent, Tag) else None
    for tag, pattern in ((pre, _LANGUAGE), (code, _LANGUAGE), (parent, _WRAPPER_LANGUAGE),
                         (grandparent, _WRAPPER_LANGUAGE)):  # fmt: skip
        if not isinstance(tag, Tag):
            continue
        classes = tag.get("class")
        joined = " ".join(classes) if isinstance(classes, list) else str(classes or "")
        found = pattern.search(joined)
        if found:
            return found.group(1).lower()
    return None
