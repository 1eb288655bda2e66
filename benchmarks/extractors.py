"""The extractors the benchmark compares: ours and the anchors, each as ``(html, url) -> text``.

Each adapter takes a decoded page and its URL and returns the article body as plain text, ""
when the extractor found none. Only the adapter call is timed, so each adapter does exactly what
a user of that tool would do to get text and nothing more.
"""

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

ExtractFn = Callable[[str, str], str]

# Elements after which a reader sees a line break: their text must not run into the next
# block's ("end.Start" would be one token and break two shingles).
# fmt: off
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
})
# fmt: on
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})


@dataclass
class Extractor:
    """One contestant: its name, version and text function.

    ``expected_errors`` are the typed errors that mean "no article here": they count as empty
    output. Anything else an extractor raises is counted as a failure.
    """

    name: str
    version: str
    extract: ExtractFn
    expected_errors: tuple[type[BaseException], ...] = field(default=())


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment: one line per block element, whitespace collapsed.

    Every text node is kept apart from its neighbours by a space, as html-text (the converter
    the upstream benchmark feeds readability's HTML to) does: article markup often uses inline
    tags as blocks (``<span>Headline</span><span>Body</span>``), which a plain ``text_content``
    would run together into one token.
    """
    if not markup or not markup.strip():
        return ""
    try:
        root = lxml.html.fromstring(markup)
    except (etree.ParserError, ValueError):
        return ""
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None  # None: comment or PI
        if event == "start":
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if tag is not None and tag not in SKIPPED_TAGS and element.text:
                parts.append(element.text)
            continue
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if element is not root and element.tail:
            parts.append(element.tail)
    lines = (" ".join(line.split()) for line in " ".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def ours() -> Extractor:
    """``archive.extract.extract_article``; its typed errors count as empty output."""
    from archive.errors import ArchiveError
    from archive.extract import EXTRACTOR_VERSION, extract_article

    def extract(html: str, url: str) -> str:
        return extract_article(html, url).text

    version = f"{_version('article-archiver')} ev{EXTRACTOR_VERSION}"
    return Extractor(OURS, version, extract, (ArchiveError,))


def trafilatura() -> Extractor:
    """``trafilatura.extract`` with its defaults (None means no text)."""
    module = importlib.import_module("trafilatura")

    def extract(html: str, url: str) -> str:
        return module.extract(html, url=url) or ""

    return Extractor("trafilatura", _version("trafilatura"), extract)


def trafilatura_no_comments() -> Extractor:
    """trafilatura as the upstream benchmark runs it: ``include_comments=False``.

    This is the setting behind the published trafilatura figures (and the 0.960 in issue 3);
    it scores higher than the defaults, which keep reader comments, so it is the harder anchor.
    """
    module = importlib.import_module("trafilatura")

    def extract(html: str, url: str) -> str:
        return module.extract(html, url=url, include_comments=False) or ""

    return Extractor("trafilatura-nc", _version("trafilatura"), extract)


def readability() -> Extractor:
    """readability-lxml: ``Document(html).summary()``, then the text of that HTML.

    ``html_partial=True``, as upstream runs it: the whole-document wrapping of the summary
    comes out empty on some pages (one of the benchmark's) where the fragment does not.
    """
    document_class = importlib.import_module("readability").Document

    def extract(html: str, url: str) -> str:
        return html_to_text(document_class(html, url=url).summary(html_partial=True))

    return Extractor("readability", _version("readability-lxml"), extract)


OURS = "ours"
FACTORIES: dict[str, Callable[[], Extractor]] = {
    OURS: ours,
    "trafilatura": trafilatura,
    "trafilatura-nc": trafilatura_no_comments,
    "readability": readability,
}
NAMES = tuple(FACTORIES)
ALIASES = {"archive": OURS}  # the package's name also selects ours


def load(names: list[str]) -> tuple[list[Extractor], list[str]]:
    """The extractors that could be imported, and one line for each that could not."""
    loaded: list[Extractor] = []
    skipped: list[str] = []
    for name in names:
        try:
            loaded.append(FACTORIES[name]())
        except ImportError as error:
            hint = "" if name == OURS else " (pip install -e '.[bench]')"
            skipped.append(f"{name}: not installed ({error}){hint}; skipped")
    return loaded, skipped
