"""Where each missed snippet went: which stage or rule of the parser removed its text.

Used by ``benchmarks/ablation.py --attribute``. While a page is extracted, the parser's stages
are watched from outside (module attributes wrapped for the run, put back after): the text of
every element ``clean`` removes, with its rule family; the lines ``lines.trim_chrome`` drops;
the teaser cards ``listing.drop_teasers`` drops; what the pre-parse cut takes; and the text the
body finder did not choose. A snippet the output misses is then put down to the first of these
whose text holds it (whitespace ignored), else to the refusal, else "not found".
"""

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")


def flat(text: str) -> str:
    """The text without any whitespace: element boundaries put spaces in different places."""
    return _SPACE.sub("", text)


@dataclass
class Trace:
    """What one attempt at a page removed, by cause, and what its body finder chose."""

    removed: list[tuple[str, str]] = field(default_factory=list)  # (cause, flat text)
    page: str = ""  # the cleaned page's text, flat
    chosen: str = ""  # the chosen nodes' text, flat
    # For snippets the body finder left out: where they stand relative to the chosen body.
    unchosen: dict[str, str] = field(default_factory=dict)

    def cause_of(self, snippet: str) -> str:
        wanted = flat(snippet)
        for cause, text in self.removed:
            if wanted in text:
                return cause
        if wanted in self.chosen:
            return "blocks: walker skipped (caption/h1/...)"
        if wanted in self.page:
            return "content: not chosen as body, " + self.unchosen.get(wanted, "?")
        return "not found after the passes (spans elements?)"


class Tracer:
    def __init__(self) -> None:
        self.trace = Trace()
        self.current_pass: str | None = None
        self.wanted: tuple[str, ...] = ()  # the page's snippets, to place the unchosen ones


_BLOCKS = ("p", "li", "td", "th", "h2", "h3", "h4", "h5", "h6", "blockquote", "dd", "dt", "pre")


def _holder(doc: object, snippet: str) -> object | None:
    """The smallest element whose text (whitespace aside) holds the snippet."""
    from bs4 import NavigableString

    head = snippet[: min(len(snippet), 15)]
    for string in doc.soup.find_all(string=True):  # type: ignore[attr-defined]
        if type(string) is not NavigableString or head not in flat(str(string)):
            continue
        element = string.parent
        while element is not None and snippet not in flat(element.get_text("")):
            element = element.parent
        if element is not None:
            return element
    return None


def _where(holder: object, nodes: list) -> str:
    """Where a left-out element stands: its block's tag, and how many levels above the
    chosen body their nearest common ancestor is (1: a sibling of the body's elements)."""
    from archive.parse.listing import DEK_MARK

    block = holder
    while block is not None and block.name not in _BLOCKS and block.name != "div":  # type: ignore[attr-defined]
        block = block.parent  # type: ignore[attr-defined]
    tag = block.name if block is not None else "?"  # type: ignore[attr-defined]
    in_card = any(DEK_MARK in a.attrs for a in [holder, *holder.parents] if a.name)  # type: ignore[attr-defined]
    holder_chain = {id(a) for a in [holder, *holder.parents]}  # type: ignore[attr-defined]
    levels = 0
    for ancestor in nodes[0].parents:
        levels += 1
        if id(ancestor) in holder_chain:
            break
    where = "before" if _before(holder, nodes[0]) else "after"
    levels_text = "1 (sibling)" if levels == 1 else f"{min(levels, 4)}{'+' if levels >= 4 else ''}"
    card = ", in teaser card" if in_card else ""
    h1 = next((h for h in holder.find_all_previous("h1")), None)  # type: ignore[attr-defined]
    headed = ", after an h1" if h1 is not None and where == "before" else ""
    return f"<{tag}> {where} body, common ancestor {levels_text} up{card}{headed}"


def _before(holder: object, first: object) -> bool:
    return any(element is holder for element in first.previous_elements)  # type: ignore[attr-defined]


def _lines_cause(block: object) -> str:
    from archive.parse import lines

    kind = lines.chrome_kind(block)  # type: ignore[arg-type]
    return f"lines: {kind}" if kind else "lines: lead/trailing chrome"


@contextmanager
def traced(tracer: Tracer) -> Iterator[None]:
    """Watch the parser's stages into ``tracer.trace`` (a fresh one per attempt at a page)."""
    from archive import extract
    from archive.parse import clean, lines
    from archive.parse.tree import prefilter
    from benchmarks.ablation import _clean_family, patched

    def record(cause: str, text: str) -> None:
        tracer.trace.removed.append((cause, flat(text)))

    original_remove = clean.Cleaner.remove

    def remove(self: clean.Cleaner, tag: object, kind: str | None) -> None:
        if tracer.current_pass:
            cause = tracer.current_pass
        elif kind == "":
            cause = "clean: never-text tags (script, iframe, button ...)"
        else:
            cause = _clean_family(tag, kind or "")
        record(cause, tag.get_text(""))  # type: ignore[attr-defined]
        original_remove(self, tag, kind)  # type: ignore[arg-type]

    def in_pass(name: str, label: str):
        original = getattr(clean.Cleaner, name)

        def wrapped(self: clean.Cleaner, node: object) -> object:
            tracer.current_pass = label
            try:
                return original(self, node)
            finally:
                tracer.current_pass = None

        return wrapped

    original_trim = lines.trim_chrome

    def trim_chrome(blocks: list, title: str | None = None) -> tuple:
        kept, gone = original_trim(blocks, title)
        kept_ids = {id(block) for block in kept}
        for block in blocks:
            if id(block) not in kept_ids:
                record(_lines_cause(block), block.text)
        return kept, gone

    original_drop = extract.drop_teasers

    def drop_teasers(nodes: list, cards: list) -> list:
        before = [
            (card, card.get_text("")) for card in cards if not card.__dict__.get("_decomposed")
        ]
        result = original_drop(nodes, cards)
        for card, text in before:
            if card.__dict__.get("_decomposed"):
                record("listing: teaser cards dropped", text)
        return result

    original_cuttable = prefilter._cuttable

    def cuttable(chunk: str) -> bool:
        cut = original_cuttable(chunk)
        if cut:
            record("prefilter: cut before parsing", prefilter._text(chunk))
        return cut

    original_content = extract._content

    def content(doc: object, applied: list, gentle: bool) -> tuple:
        nodes, what = original_content(doc, applied, gentle)
        tracer.trace.page = flat(doc.soup.get_text(""))  # type: ignore[attr-defined]
        tracer.trace.chosen = flat("".join(node.get_text("") for node in nodes))
        if nodes:
            for snippet in map(flat, tracer.wanted):
                if snippet in tracer.trace.page and snippet not in tracer.trace.chosen:
                    holder = _holder(doc, snippet)
                    if holder is not None:
                        tracer.trace.unchosen[snippet] = _where(holder, nodes)
        return nodes, what

    original_from_document = extract._from_document

    def from_document(doc: object, *args: object, **kwargs: object) -> object:
        # A fresh trace per attempt (the gentle second try starts over), keeping what the
        # pre-parse cut of this attempt recorded.
        gentle = kwargs.get("gentle", False)  # the second try parses the page uncut
        cut = [item for item in tracer.trace.removed if item[0].startswith("prefilter")]
        tracer.trace = Trace(removed=[] if gentle else cut)
        return original_from_document(doc, *args, **kwargs)

    with ExitStack() as stack:
        for name, value in (
            ("remove", remove),
            ("text_pass", in_pass("text_pass", "clean: label/box/author heading pass")),
            ("comments_pass", in_pass("comments_pass", "clean: comment thread heading")),
        ):
            stack.enter_context(patched(clean.Cleaner, name, value))
        stack.enter_context(patched(lines, "trim_chrome", trim_chrome))
        stack.enter_context(patched(extract, "trim_chrome", trim_chrome))
        stack.enter_context(patched(extract, "drop_teasers", drop_teasers))
        stack.enter_context(patched(prefilter, "_cuttable", cuttable))
        stack.enter_context(patched(extract, "_content", content))
        stack.enter_context(patched(extract, "_from_document", from_document))
        yield


def attribute(pages: list, show: int = 0) -> str:
    """The missed snippets of the dev pages by cause, per half; with ``show``, up to that many
    snippets of half A per cause (half B is held out: counts only)."""
    from collections import Counter

    from archive.errors import ArchiveError
    from archive.extract import extract_article
    from benchmarks.snippets import score_snippets

    tracer = Tracer()
    counts: dict[str, Counter] = {"A": Counter(), "B": Counter()}
    examples: dict[str, list[str]] = {}
    with traced(tracer):
        for page in pages:
            tracer.trace = Trace()
            tracer.wanted = page.wanted
            try:
                text, refused = extract_article(page.html, page.url).text, False
            except ArchiveError:
                text, refused = "", True
            for snippet in score_snippets(text, page.wanted, page.unwanted).missed:
                cause = "refused" if refused else tracer.trace.cause_of(snippet)
                counts[page.half][cause] += 1
                if page.half == "A":
                    examples.setdefault(cause, []).append(f"{page.url}  {snippet[:70]!r}")
    causes = sorted(
        set(counts["A"]) | set(counts["B"]), key=lambda c: -(counts["A"][c] + counts["B"][c])
    )
    lines = [f"{'missed snippets by cause':78} {'A':>5} {'B':>5}"]
    for cause in causes:
        lines.append(f"{cause[:78]:78} {counts['A'][cause]:5} {counts['B'][cause]:5}")
        lines += [f"    {example}" for example in examples.get(cause, [])[:show]]
    lines.append(f"{'all':78} {sum(counts['A'].values()):5} {sum(counts['B'].values()):5}")
    return "\n".join(lines)
