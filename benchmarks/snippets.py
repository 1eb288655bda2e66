"""The snippet metric of trafilatura's evaluation set, written from its description.

Each page of the set comes with snippets that a good extraction must contain ("with": bits of
the article) and snippets it must not ("without": navigation, footers, comments, ads). Both the
output and the snippets have every run of whitespace made one space; a snippet counts when it is
a case-sensitive substring of the output. Per page, a "with" snippet found is a true positive and
one missing a false negative; a "without" snippet found is a false positive and one missing a
true negative. The counts are summed over all pages (a page is weighed by its snippets, not
averaged): precision TP/(TP+FP), recall TP/(TP+FN), F = 2TP/(2TP+FP+FN). A page whose extractor
raised or refused scores as empty output: every "with" snippet missed, every "without" avoided.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


def squeeze(text: str | None) -> str:
    """The text with every run of whitespace turned into one space, ends stripped."""
    return _SPACE.sub(" ", text or "").strip()


@dataclass(frozen=True)
class SnippetCounts:
    """Snippet counts of one page, or summed over many."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def __add__(self, other: "SnippetCounts") -> "SnippetCounts":
        return SnippetCounts(
            self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn
        )

    @property
    def precision(self) -> float:
        found = self.tp + self.fp
        return self.tp / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.tp + self.fn
        return self.tp / wanted if wanted else 0.0

    @property
    def f(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0

    @property
    def errors(self) -> int:
        """Snippets this page got wrong (missed or leaked): what ranks failures."""
        return self.fn + self.fp


@dataclass(frozen=True)
class PageSnippets:
    """What one page's output got right and wrong, snippet by snippet."""

    counts: SnippetCounts
    missed: tuple[str, ...]
    leaked: tuple[str, ...]


def found_in(text: str, snippets: Sequence[str]) -> list[bool]:
    """For each snippet, whether its whitespace-squeezed form is in the squeezed text."""
    haystack = squeeze(text)
    return [squeeze(snippet) in haystack for snippet in snippets]


def score_snippets(
    text: str | None, wanted: Sequence[str], unwanted: Sequence[str]
) -> PageSnippets:
    """Score one page's output against its "with" and "without" snippets."""
    text = text or ""
    have = found_in(text, wanted)
    leak = found_in(text, unwanted)
    counts = SnippetCounts(
        tp=sum(have), fn=len(have) - sum(have), fp=sum(leak), tn=len(leak) - sum(leak)
    )
    missed = tuple(s for s, hit in zip(wanted, have, strict=True) if not hit)
    leaked = tuple(s for s, hit in zip(unwanted, leak, strict=True) if hit)
    return PageSnippets(counts, missed, leaked)


def total(pages: Iterable[PageSnippets]) -> SnippetCounts:
    """The counts summed over pages."""
    summed = SnippetCounts()
    for page in pages:
        summed = summed + page.counts
    return summed
