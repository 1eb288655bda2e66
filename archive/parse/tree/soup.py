"""Turning input into a BeautifulSoup tree: the only place one is built.

Bytes are decoded here (BOM, then a ``<meta charset>`` in the first few kilobytes, then UTF-8,
then Windows-1252), because BeautifulSoup's own charset sniffing costs more than the parse.
Before the tree is built, the markup is pruned of what never holds article text (scripts,
styles, SVG, comments, templates), and JSON-LD blocks are kept aside for the metadata.
"""

import codecs
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, PageElement, Tag

from archive.errors import NotHTMLError
from archive.parse.tree.build import FastLXMLBuilder
from archive.parse.tree.measure import Sizes
from archive.parse.tree.prefilter import cut_chrome
from archive.records import Removal

# Pages past this many characters (after pruning) are cut: nobody writes an article that long,
# and the tree would cost seconds and hundreds of megabytes.
MAX_CHARS = 3_000_000
# Binary formats that are sometimes served where a page was expected.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "a RIFF media file"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TAG = re.compile(r"<\s*(?:!doctype|html|head|body|p|div|title|meta|article|span|a)\b", re.I)
# Elements pruned from the markup with all they hold.
_PRUNED = ("script", "style", "svg", "noscript", "template", "math", "select", "iframe")
# Block-level tags: whitespace beside them never separates words, so it can go before parsing
# (it would be a third of the tree's nodes). Whitespace between inline tags stays.
BLOCK_TAGS = frozenset({
    "div", "p", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "aside", "header",
    "footer", "nav", "main", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "meta", "link", "title", "head", "body", "html", "br", "hr",
    "form", "figure", "figcaption", "blockquote", "option",
})  # fmt: skip
_GAP = re.compile(r">\s+<")


def alternation(words: Iterable[str]) -> str:
    """A pattern for exactly these words, as a tree of their letters ("h(?:1|ead(?:er)?)"):
    the regular expression engine tries the alternatives of a plain "a|b|c" one after the
    other, at every place it looks, where this tries only the branch of the next letter."""
    words = list(words)
    if len(words) == 1:
        return re.escape(words[0])
    branches: dict[str, list[str]] = {}
    for word in words:
        branches.setdefault(word[:1], []).append(word[1:])
    parts = []
    for head, tails in sorted(branches.items()):
        if not head:
            continue
        longer = [tail for tail in tails if tail]
        if not longer:
            parts.append(re.escape(head))
            continue
        optional = "?" if "" in tails else ""
        parts.append(f"{re.escape(head)}(?:{alternation(longer)}){optional}")
    return "|".join(parts)


_PRUNE_OPEN = re.compile(rf"<({alternation(_PRUNED)})\b|<!--", re.I)
# An opening or closing tag whose whole name (ASCII letters and digits) is a block tag's, in any
# case: one match instead of reading the name, lower-casing it and looking it up.
# re.ASCII keeps IGNORECASE to ASCII letters, as the names are ([a-zA-Z][a-zA-Z0-9]*).
_BLOCK_NAMES = rf"</?(?:{alternation(BLOCK_TAGS)})(?![a-zA-Z0-9])"
_BLOCK_TAG = re.compile(_BLOCK_NAMES, re.I | re.A)
# A gap right before a block tag (most gaps: markup indented between blocks), all found by one
# pattern; \s stays Unicode as in _GAP, only the name is matched ASCII and case-blind.
_GAP_BEFORE_BLOCK = re.compile(rf">\s+(?=(?ai:{_BLOCK_NAMES}))")
# <link> elements other than the canonical one (stylesheets, preloads, icons).
_LINKS = re.compile(r"<link\b(?![^>]*canonical)[^>]*>", re.I)
# The closing tag of each pruned element, found without lower-casing the whole page.
_CLOSERS = {name: re.compile(rf"</{name}\s*>", re.I) for name in _PRUNED}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_JSON_LD = re.compile(r"""type\s*=\s*["']?application/ld\+json""", re.I)


# Tags the passes look up by name, indexed as the tree is built.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
INDEXED = {
    "html", "body", "title", "meta", "link", "h1", "h2", "h3", "h4", "time", "p", "pre", "td",
    "blockquote", "div", "section", "article", "main", "font", "center", "figure",
}  # fmt: skip


@dataclass
class Document:
    """A parsed page: the tree, every node in document order, tags by name, and JSON-LD."""

    soup: BeautifulSoup
    json_ld: list[str]
    nodes: list[PageElement] = field(default_factory=list)
    by_name: dict[str, list[Tag]] = field(default_factory=dict)
    # Chrome containers cut from the markup before parsing (see ``prefilter``).
    removed: list[Removal] = field(default_factory=list)
    # The text under each tag as parsed: None once anything is removed from the tree.
    sizes: Sizes | None = None
    # The teaser cards ``listing.mark_teasers`` found, in document order.
    cards: list[Tag] = field(default_factory=list)

    def dispose(self) -> None:
        """Break the tree's reference cycles (every child points at its parent and back), so
        that it is freed at once by reference counting instead of waiting for a garbage
        collection to find it. The document is unusable afterwards."""
        for node in self.nodes:
            node.__dict__.clear()
        self.soup.__dict__.clear()
        self.nodes = []
        self.by_name = {}
        self.sizes = None
        self.cards = []

    def body(self) -> Tag | None:
        """The page's <body>: ``soup.body``, read from the index instead of searched for."""
        found = self.tags("body")
        return found[0] if found else None

    def tags(self, *names: str) -> list[Tag]:
        """Indexed tags with these names, leaving out removed ones: in document order for one
        name, name by name for several."""
        return [t for name in names for t in self.by_name.get(name, ()) if not is_gone(t)]


def is_gone(tag: PageElement) -> bool:
    """True once a node (or an ancestor) was decomposed.

    Read from the instance dict: ``Tag.decomposed`` falls back on ``Tag.__getattr__``, which
    searches the whole subtree for a child tag of that name.
    """
    return bool(tag.__dict__.get("_decomposed"))


def decode(data: bytes) -> str:
    """Decode page bytes, or raise NotHTMLError for binary data."""
    if not data.strip():
        raise NotHTMLError("empty document")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise NotHTMLError(f"not HTML: {what}")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16", errors="replace")
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass  # an unknown charset name: fall through to the guesses
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def check_html(text: str) -> None:
    """Raise NotHTMLError for text that is empty, binary, or holds no HTML tag at all."""
    head = text[:8192]
    if not head.strip():
        raise NotHTMLError("empty document")
    controls = len(_CONTROL.findall(head))
    if controls > len(head) // 20 or head.count("\ufffd") > len(head) // 10:
        raise NotHTMLError("not HTML: binary data")
    if head.lstrip().startswith("%PDF"):
        raise NotHTMLError("not HTML: a PDF document")
    if not _TAG.search(text, 0, 200_000):  # (endpos, not a slice: no copy of the page)
        raise NotHTMLError("not HTML: no HTML tags")


def prune(text: str) -> tuple[str, list[str]]:
    """Drop scripts, styles, SVG and comments from the markup; return it and the JSON-LD texts.

    A linear scan with ``str.find`` rather than one big regular expression, so that a page full
    of unclosed ``<script`` tags cannot make it quadratic.
    """
    out: list[str] = []
    json_ld: list[str] = []
    pos = 0
    while True:
        match = _PRUNE_OPEN.search(text, pos)
        if not match:
            break
        out.append(text[pos : match.start()])
        if match.group(0) == "<!--":
            end = text.find("-->", match.end())
            pos = len(text) if end < 0 else end + 3
            continue
        name = match.group(1).lower()
        open_end = text.find(">", match.end())
        if open_end > 0 and text[open_end - 1] == "/" and name not in ("script", "style"):
            # A self-closed <svg/> or <iframe/> holds nothing: dropping up to the next
            # closing tag would take the text between them.
            pos = open_end + 1
            continue
        close = _CLOSERS[name].search(text, match.end())
        if close is None or open_end < 0:
            pos = len(text)
            break
        if name == "script" and _JSON_LD.search(text, match.end(), open_end):
            json_ld.append(text[open_end + 1 : close.start()])
        pos = close.end()
    out.append(text[pos:])
    return squeeze("".join(out)), json_ld


def squeeze(markup: str) -> str:
    """Drop whitespace beside block tags and non-canonical <link>s: fewer nodes to build.

    The gaps before a block tag go in one substitution; each other gap of whitespace between
    two tags is then looked at once (a literal search, then the name of the tag before it),
    which is several times cheaper than a regular expression trying every tag.
    """
    markup = _GAP_BEFORE_BLOCK.sub(">", _LINKS.sub("", markup))
    out: list[str] = []
    pos = 0
    block_tag = _BLOCK_TAG.match
    for gap in _GAP.finditer(markup):
        # The tag before the gap starts at the last "<" before it.
        if block_tag(markup, markup.rfind("<", 0, gap.start())):
            out.append(markup[pos : gap.start() + 1])
            pos = gap.end() - 1
    out.append(markup[pos:])
    return "".join(out)


def parse(html: str | bytes, *, cut: bool = True) -> Document:
    """Decode, check, prune and parse a page into a Document; raise NotHTMLError if not HTML.

    ``cut``: also cut short chrome containers outside the article before parsing (off when a
    site rule applies, so that its selectors see the whole page).
    """
    text = decode(html) if isinstance(html, bytes) else html
    check_html(text)
    pruned, json_ld = prune(text)
    removed: list[Removal] = []
    if cut:
        pruned, removed = cut_chrome(pruned)
    if len(pruned) > MAX_CHARS:
        pruned = pruned[:MAX_CHARS]
    # An XHTML page's "<?xml ...?>" declaration means nothing to the HTML parser, and makes
    # BeautifulSoup warn that XML is parsed as HTML (an error where warnings are errors).
    pruned = _XML_DECLARATION.sub("", pruned, count=1)
    # Class attributes stay one string: splitting every tag's classes costs 4% of the parse,
    # and the passes split only the few they look at.
    # Attributes go into plain dicts: bs4's own attribute dict checks every value in Python,
    # which cost a fifth of the tree build; lxml only ever hands over strings.
    builder = _builder()
    soup = BeautifulSoup(pruned, builder=builder)
    nodes, by_name, sizes = builder.take()
    if not by_name.get("body") and not by_name.get("html"):
        raise NotHTMLError("not HTML: no document could be parsed")
    return Document(
        soup=soup, json_ld=json_ld, nodes=nodes, by_name=by_name, removed=removed, sizes=sizes
    )


_BUILDERS = threading.local()


def _builder() -> FastLXMLBuilder:
    """This thread's tree builder, made once and used for every page: what it keeps (the tag
    templates, the lxml parser) is the same for every page and costs a tenth of a millisecond
    to make again (a parse never runs inside another on one thread)."""
    builder = getattr(_BUILDERS, "builder", None)
    if builder is None:
        builder = _BUILDERS.builder = FastLXMLBuilder(
            index=INDEXED, multi_valued_attributes=None, attribute_dict_class=dict
        )
    return builder
