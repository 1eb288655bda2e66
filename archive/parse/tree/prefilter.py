"""Chrome containers cut from the markup before the tree is built: the tree costs most.

Navigation, page headers, footers and sidebars outside any ``<article>`` (whose own headers and
footers may be teaser cards, bylines and tag lists) are nearly half the tags of a typical news
page. The boilerplate pass (``clean``) would remove each of them anyway unless it holds at least
500 characters of running text outside links; this pass cuts, before parsing, only those with
well under that, and never one that may hold what the metadata readers look for (a headline, a
byline, a date).
"""

import html
import re

from archive.parse.text import clean_inline, sample
from archive.records import Removal

# The removal kind of each container, as ``clean.STRUCTURAL`` names them.
KINDS = {"nav": "navigation", "footer": "footer", "aside": "sidebar", "header": "header"}
# Running text outside links (in characters) under which a container is cut here; clean's
# own limit is 500, measured on the tree.
MAX_PROSE = 350
_OPENERS = re.compile(r"<(/?)(a(?:rticle|side)|nav|footer|header)(?=[\s>/])[^>]*>", re.I)
_SAME = {name: re.compile(rf"<(/?){name}(?=[\s>/])[^>]*>", re.I) for name in KINDS}
# What the metadata readers may want from a container (a headline, a byline, a <time>, a
# <meta>, an element classed as a date): then it is left to the tree passes.
_KEEP = re.compile(
    r"<h1|<time|<meta|author|byline|class\s*=\s*[\"']?[^\"'>]*(date|time|publish|posted)", re.I
)
# The same test without IGNORECASE, on lower-cased markup: a case-blind search tries every
# alternative at every character, and cost two thirds of this pass.
_KEEP_WORDS = ("<h1", "<time", "<meta", "author", "byline")
# The class test as the value of every class attribute, read to its end, then the date words
# looked for in them all: the pattern with the words in it tried each word at every letter.
_CLASS_VALUE = re.compile(r"class\s*=\s*[\"']?([^\"'>]*)")
_DATE_CLASS_WORDS = ("date", "time", "publish", "posted")
# The characters IGNORECASE matches to an ASCII letter that ``str.lower`` does not turn into
# that letter (İ ı ſ and the Kelvin sign): where one occurs, only _KEEP itself is exact.
_CASE_TRAPS = ("\u0130", "\u0131", "\u017f", "\u212a")
# A link with all it holds, up to its first closing tag: "<a\b.*?</a\s*>" (with DOTALL) as an
# unrolled loop, runs of anything but "<" taken whole, which is three times quicker than a lazy
# dot that tries the closing tag at every character.
_LINK = re.compile(r"<a\b[^<]*(?:<(?!/a\s*>)[^<]*)*</a\s*>", re.I)
_TAG = re.compile(r"<[^>]*>")


# Looking for closing tags may read the markup this many times over, no more: containers
# nested thousands deep, each kept, would otherwise make the search quadratic.
SCAN_BUDGET = 4


def _closing(markup: str, name: str, start: int) -> int:
    """The end of the element of ``name`` opened just before ``start``, or -1 if unclosed."""
    depth = 1
    for match in _SAME[name].finditer(markup, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return -1


def _text(markup: str) -> str:
    return clean_inline(html.unescape(_TAG.sub(" ", markup)))


# A removal shows the first words of what went: read from the head of a big container when
# the head holds more than a sample shows (the text of a whole menu cost more than the rest of
# its cut).
SAMPLE_HEAD = 1500
SAMPLE_WORDS = 8


def removal_sample(chunk: str, head_size: int = SAMPLE_HEAD) -> str:
    """``sample(_text(chunk))``, or "" for a chunk without text; from the chunk's head when
    that gives the same: cut before a "<", every tag in it closed, and more words than the
    sample shows (the words before the head's last one are the text's first words; the last
    may go on past the head, but it is there)."""
    if len(chunk) > head_size:
        cut = chunk.rfind("<", 0, head_size)
        head = _TAG.sub(" ", chunk[:cut]) if cut > 0 else "<"
        if "<" not in head:
            words = clean_inline(html.unescape(head)).split(" ")
            if len(words) > SAMPLE_WORDS:
                return sample(" ".join(words[: SAMPLE_WORDS + 1]), SAMPLE_WORDS)
    text = _text(chunk)
    return sample(text, SAMPLE_WORDS) if text else ""


def _keeps(chunk: str) -> bool:
    """True when the chunk may hold what the metadata readers want (``_KEEP`` finds it)."""
    # (The traps are not ASCII: an ASCII chunk, known without reading it, holds none.)
    if not chunk.isascii() and any(trap in chunk for trap in _CASE_TRAPS):
        return _KEEP.search(chunk) is not None
    lowered = chunk.lower()
    if any(word in lowered for word in _KEEP_WORDS):
        return True
    # A word can only lie inside one value: the space that joins two is in none of them.
    classes = " ".join(_CLASS_VALUE.findall(lowered))
    return any(word in classes for word in _DATE_CLASS_WORDS)


def _cuttable(chunk: str) -> bool:
    if _keeps(chunk):
        return False
    return len(_text(_LINK.sub(" ", chunk))) < MAX_PROSE


def cut_chrome(markup: str) -> tuple[str, list[Removal]]:
    """The markup without short chrome containers outside the article, and what was cut."""
    out: list[str] = []
    removed: list[Removal] = []
    depth = 0  # open <article> elements around the current position
    pos = 0
    scan = 0
    budget = SCAN_BUDGET * len(markup)
    while (match := _OPENERS.search(markup, scan)) is not None:
        closing, name = bool(match.group(1)), match.group(2).lower()
        scan = match.end()
        if name == "article":
            depth = max(0, depth - 1) if closing else depth + 1
            continue
        if closing or depth:
            continue
        end = _closing(markup, name, match.end())
        if end < 0:
            break  # unclosed: leave the rest of the page to the parser
        budget -= end - match.start()
        if budget < 0:
            break  # deeply nested containers: leave them to the tree passes
        chunk = markup[match.start() : end]
        if _cuttable(chunk):
            out.append(markup[pos : match.start()])
            pos = scan = end
            shown = removal_sample(chunk)
            if shown:
                removed.append(Removal(kind=KINDS[name], sample=shown))
    out.append(markup[pos:])
    return "".join(out), removed
