"""How much of a page's structure each extractor's Markdown keeps: table cells, list items and
code lines.

The measure, the same for every extractor:

- The page's own units, read from its source HTML: each table cell (``<td>``, ``<th>``: its
  text; a row whose cells hold paragraphs, lists, headings or tables is page layout, not
  data, and gives none; nor does a ``<pre>`` that holds tables or lists: it is layout, not
  code, and the cells and items in it are preformatted text), each list item (``<li>``: its
  own text, nested lists left out) and each non-blank line of a code block (``<pre>``: the
  line as it is, indentation kept, trailing spaces dropped).
- Which of them are the article's, judged on each unit's words, or for a cell on its whole
  row's: on AEB, those whose words are a whole line of the ground-truth body, or a run of at
  least five whole words in it (a menu's "News" or "About" is a word of many bodies, not a
  list of theirs); on the dev set (which holds a few snippets per page, not a body) those
  that are one of the page's wanted snippets, or occur in one in at least five words, or
  contain one in at most ``MAX_UNIT_WORDS`` words (a list item that holds a whole page is
  layout). The others are boilerplate on
  AEB; on the dev set only those that contain or occur in an unwanted snippet are, and the
  rest are not counted. Only pages with at least one unit of the article are measured.
- The units of a Markdown: the cells of its table lines (``|`` apart, escaped ``\\|`` not a
  separator; a delimiter row is none), the text of its list items (the line of a ``-``, ``*``,
  ``+``, ``1.`` or ``1)`` marker) and the lines inside its fenced code blocks (the fence's own
  indentation taken off). Cells and items compare by their words (lower case, markup and
  punctuation ignored), code lines as they are.
- A unit is kept when the Markdown holds it as a unit of the same kind: each of the
  Markdown's units matches one of the page's at most (a page that repeats a cell ten times
  needs it ten times). "kept" counts the article's units kept, "leaked" the boilerplate units
  kept as structure.

Ours is ``extract_article(html, url).markdown``; trafilatura's is ``trafilatura.extract(html,
url=url, output_format="markdown", include_tables=True, include_formatting=True,
include_comments=False)``: its Markdown with tables and formatting, comments left out as
the upstream benchmark runs it.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

KINDS = ("cells", "items", "code")
_WORDS = re.compile(r"\w+")
_ITEM = re.compile(r"^(\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+)(.*)$")
# A link's or image's destination: its words are no text of the page.
_DESTINATION = re.compile(r"\]\((?:<[^>]*>|[^()\s]*(?:\([^()]*\)[^()\s]*)*)(?:\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})")
_PIPE = re.compile(r"(?<!\\)\|")
_DELIMITER_CELL = re.compile(r"^\s*:?-{3,}:?\s*$")
_NESTED_LISTS = {"ul", "ol", "dl"}
_LAYOUT_IN_CELL = ("p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "pre")
_LAYOUT_IN_PRE = ("table", "ul", "ol")
MAX_UNIT_WORDS = 80
MIN_RUN_WORDS = 5

# A relevance test: True for the article's unit, False for boilerplate, None for unknown.
Relevance = Callable[[str], bool | None]
MarkdownFn = Callable[[str, str], str]


def words(text: str) -> str:
    """The text's words, lower case, one space apart: markup and punctuation ignored."""
    return " ".join(_WORDS.findall(text.lower().replace("_", " ")))


def _markdown_words(text: str) -> str:
    """A Markdown unit's words, link destinations left out."""
    return words(_DESTINATION.sub("]", text)) if "](" in text else words(text)


@dataclass
class Units:
    """A page's or a Markdown's units, by kind: cells and items as words, code lines as is.
    A page's are ``(unit, context)``: what its relevance is judged on (a cell's row)."""

    cells: list = field(default_factory=list)
    items: list = field(default_factory=list)
    code: list = field(default_factory=list)

    def of(self, kind: str) -> list:
        return getattr(self, kind)


def page_units(html: str) -> Units:
    """The source's table cells, list items and code lines (see the module)."""
    units = Units()
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return units
    layout_pres = [
        pre for pre in root.iter("pre") if next(pre.iter(*_LAYOUT_IN_PRE), None) is not None
    ]
    skipped = {id(e) for pre in layout_pres for e in pre.iter()}
    for element in root.iter("tr", "li", "pre"):
        if id(element) in skipped:
            continue
        if element.tag == "pre":
            text = element.text_content().replace("\r\n", "\n").replace("\u00a0", " ")
            lines = [line.rstrip() for line in text.split("\n") if line.strip()]
            units.code.extend((line, line) for line in lines)
        elif element.tag == "li":
            item = words(_own_text(element))
            if item:
                units.items.append((item, item))
        elif not any(True for _ in element.iter(*_LAYOUT_IN_CELL)):
            cells = [words(cell.text_content()) for cell in element if cell.tag in ("td", "th")]
            row = " ".join(cell for cell in cells if cell)
            units.cells.extend((cell, row) for cell in cells if cell)
    return units


def _own_text(item: etree._Element) -> str:
    """A list item's text without the lists nested in it."""
    parts = [item.text or ""]
    for child in item:
        if child.tag not in _NESTED_LISTS and isinstance(child.tag, str):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return " ".join(parts)


def markdown_units(markdown: str) -> Units:
    """The cells of table lines, the text of list items (with the lines that continue the
    item: indented to its text) and the lines of fenced code."""
    reader = _MarkdownReader()
    for line in markdown.split("\n"):
        reader.line(line)
    reader.end_item()
    return reader.units


class _MarkdownReader:
    def __init__(self) -> None:
        self.units = Units()
        self.fence: tuple[str, str] | None = None  # (indentation, fence) of open code
        self.item_parts: list[str] = []
        self.item_indent = 0

    def end_item(self) -> None:
        if self.item_parts:
            self.units.items.append(_markdown_words(" ".join(self.item_parts)))
            self.item_parts.clear()

    def line(self, line: str) -> None:
        opening = _FENCE.match(line)
        if self.fence is not None:
            indent, fence = self.fence
            if opening and opening.group(2)[0] == fence[0] and len(opening.group(2)) >= len(fence):
                self.fence = None
            elif line.strip():
                self.units.code.append(line.removeprefix(indent).rstrip())
            return
        item = _ITEM.match(line)
        if item:  # a fence may open on an item's line: "1. ```"
            opening = _FENCE.match(" " * len(item.group(1)) + item.group(2))
        if opening:
            self.end_item()
            self.fence = (opening.group(1), opening.group(2))
        elif item:
            self.end_item()
            self.item_parts.append(item.group(2))
            self.item_indent = len(item.group(1))
        elif self._goes_on(line):
            self.item_parts.append(line.strip())
        elif line.strip():
            self.end_item()
            if _PIPE.search(line):
                _add_cells(self.units, line)

    def _goes_on(self, line: str) -> bool:
        """Whether ``line`` goes on with the open item's text (indented to it)."""
        indent = len(line) - len(line.lstrip())
        return bool(self.item_parts and line.strip() and indent >= self.item_indent) and (
            "|" not in line
        )


def _add_cells(units: Units, line: str) -> None:
    row = line.strip()
    cells = _PIPE.split(row.strip("|") if row.startswith("|") else row)
    if not all(_DELIMITER_CELL.match(cell) for cell in cells):
        units.cells.extend(key for key in map(_markdown_words, cells) if key)


@dataclass
class Tally:
    """Per kind: the article's units in the sources, and per extractor those kept and the
    boilerplate units kept."""

    pages: int = 0
    source: Counter[str] = field(default_factory=Counter)
    kept: dict[str, Counter[str]] = field(default_factory=dict)
    leaked: dict[str, Counter[str]] = field(default_factory=dict)

    def add_page(self, source: Units, relevance: Relevance, markdowns: dict[str, Units]) -> None:
        judged = {kind: [(u, relevance(c)) for u, c in source.of(kind)] for kind in KINDS}
        if not any(rel for kind in KINDS for _, rel in judged[kind]):
            return
        self.pages += 1
        for kind in KINDS:
            self.source[kind] += sum(1 for _, rel in judged[kind] if rel)
        for name, units in markdowns.items():
            kept, leaked = (
                self.kept.setdefault(name, Counter()),
                self.leaked.setdefault(name, Counter()),
            )
            for kind in KINDS:
                available = Counter(units.of(kind))
                for unit, rel in judged[kind]:
                    if rel is None or available[unit] <= 0:
                        continue
                    available[unit] -= 1
                    (kept if rel else leaked)[kind] += 1


def ground_truth_relevance(truth: str) -> Relevance:
    """AEB: a unit is the article's when its words are a whole line of the ground-truth body,
    or a run of at least ``MIN_RUN_WORDS`` whole words in it."""
    body = f" {words(truth)} "
    lines = {words(line) for line in truth.split("\n")}

    def relevant(unit: str) -> bool:
        key = words(unit)
        if not key:
            return False
        return key in lines or (key.count(" ") + 1 >= MIN_RUN_WORDS and f" {key} " in body)

    return relevant


def snippet_relevance(wanted: Iterable[str], unwanted: Iterable[str]) -> Relevance:
    """Dev set: the article's when a unit contains a wanted snippet or occurs in one,
    boilerplate when so for an unwanted one, else unknown."""
    good = [f" {words(s)} " for s in wanted if words(s)]
    bad = [f" {words(s)} " for s in unwanted if words(s)]

    def relevant(unit: str) -> bool | None:
        key = f" {words(unit)} "
        if not key.strip():
            return None
        count = key.count(" ") - 1
        long, short = count >= MIN_RUN_WORDS, count <= MAX_UNIT_WORDS
        for snippets, verdict in ((good, True), (bad, False)):
            if any(key == s or (long and key in s) or (short and s in key) for s in snippets):
                return verdict
        return None

    return relevant


def measure(
    pages: Iterable[tuple[str, str, Relevance]], extractors: dict[str, MarkdownFn]
) -> Tally:
    """Each (html, url, relevance) page through each extractor's Markdown, tallied."""
    tally = Tally()
    for html, url, relevance in pages:
        source = page_units(html)
        if not any(relevance(c) for kind in KINDS for _, c in source.of(kind)):
            continue  # no unit of the article: no extractor need run
        markdowns = {name: markdown_units(make(html, url)) for name, make in extractors.items()}
        tally.add_page(source, relevance, markdowns)
    return tally


def format_tally(title: str, tally: Tally) -> str:
    """One table: the article's units in the sources, then each extractor's kept and leaked."""
    header = f"{'':<14}" + "".join(
        f"{kind:>20}" for kind in ("table cells", "list items", "code lines")
    )
    rows = [
        title,
        header,
        f"{'in the pages':<14}" + "".join(f"{tally.source[k]:>20}" for k in KINDS),
    ]
    for name in tally.kept:
        cells = []
        for kind in KINDS:
            total = tally.source[kind]
            share = f"{tally.kept[name][kind] / total:.0%}" if total else "-"
            cells.append(f"{tally.kept[name][kind]:>7} {share:>4} +{tally.leaked[name][kind]:<5}")
        rows.append(f"{name:<14}" + "".join(f"{cell:>20}" for cell in cells))
    rows.append("(kept, share of the pages' units, +leaked: boilerplate units kept as structure)")
    return "\n".join(rows)


def to_json(tally: Tally) -> dict:
    return {
        "pages": tally.pages,
        "source": dict(tally.source),
        "kept": {name: dict(counts) for name, counts in tally.kept.items()},
        "leaked": {name: dict(counts) for name, counts in tally.leaked.items()},
    }


def markdown_extractors(names: Iterable[str]) -> dict[str, MarkdownFn]:
    """The Markdown of ours and of trafilatura, for those of ``names`` that run (trafilatura
    once, whichever of its settings was chosen); one that cannot be imported is left out."""
    chosen: dict[str, MarkdownFn] = {}
    names = list(names)
    if "ours" in names:
        chosen["ours"] = _ours_markdown
    if any(name.startswith("trafilatura") for name in names):
        try:
            import trafilatura
        except ImportError:
            return chosen

        def trafilatura_markdown(html: str, url: str) -> str:
            return (
                trafilatura.extract(
                    html,
                    url=url,
                    output_format="markdown",
                    include_tables=True,
                    include_formatting=True,
                    include_comments=False,
                )
                or ""
            )

        chosen["trafilatura"] = trafilatura_markdown
    return chosen


def _ours_markdown(html: str, url: str) -> str:
    from archive.errors import ArchiveError
    from archive.extract import extract_article

    try:
        return extract_article(html, url).markdown
    except ArchiveError:
        return ""


def report(names: Iterable[str], aeb: list, dev: list, out: dict) -> None:
    """Print the table of each set (AEB pages as ``(id, url, truth, html)``, dev pages as
    ``DevPage``) for ours and trafilatura among ``names``; their figures go into ``out``."""
    extractors = markdown_extractors(names)
    if not extractors:
        return
    sets = [
        ("AEB", ((html, url, ground_truth_relevance(truth)) for _, url, truth, html in aeb)),
        ("dev set", ((p.html, p.url, snippet_relevance(p.wanted, p.unwanted)) for p in dev)),
    ]
    for label, pages in sets:
        if (label == "AEB" and not aeb) or (label == "dev set" and not dev):
            continue
        tally = measure(pages, extractors)
        print()
        title = f"{label} structure: {tally.pages} pages with tables, lists or code of the article"
        print(format_tally(title, tally))
        out[f"structure_{'aeb' if label == 'AEB' else 'dev'}"] = to_json(tally)
