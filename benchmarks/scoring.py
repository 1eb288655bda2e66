"""The article-extraction-benchmark metric, written from its description.

Each text is split into ``\\w+`` tokens (Python ``re``, Unicode: letters of any script, digits
and the underscore; case is kept) and turned into a multiset of 4-token shingles. Per page, the
true positives are the shingles both texts share (multiset intersection), the false positives
the extra predicted ones and the false negatives the missed ones; the three are scaled to sum to
1 so that long articles weigh no more than short ones. Precision is the mean of per-page
TP/(TP+FP) over the pages with any predicted shingle; recall the mean of per-page TP/(TP+FN) over
the pages whose truth has any shingle (every page of the benchmark); F1 is the harmonic mean of
those two means, not a mean of per-page F1s.

Texts shorter than the shingle size follow the upstream ``evaluate.py``: a text of 1 to 3 tokens
is one shingle made of all its tokens (so "a b" matches "a b" only), and a text without tokens
has no shingle at all: an empty prediction is left out of precision and scores 0 in recall.
"""

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import mean

SHINGLE_SIZE = 4
TOKEN_RE = re.compile(r"\w+")

Shingle = tuple[str, ...]


def tokenize(text: str | None) -> list[str]:
    """The ``\\w+`` tokens of a text, in order."""
    return TOKEN_RE.findall(text or "")


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> Counter[Shingle]:
    """The multiset of ``size``-token shingles of a text (see the module note for short texts)."""
    tokens = tokenize(text)
    if len(tokens) <= size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


@dataclass(frozen=True)
class PageScore:
    """TP, FP and FN of one page, scaled to sum to 1 (all 0 when neither text has a shingle)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """TP/(TP+FP), or None when nothing was predicted (the page is left out of precision)."""
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted > 0 else None

    @property
    def recall(self) -> float | None:
        """TP/(TP+FN), or None when the truth is empty (never so in the benchmark)."""
        expected = self.tp + self.fn
        return self.tp / expected if expected > 0 else None

    @property
    def f1(self) -> float:
        """This page's own F1, for ranking pages only; 0 when either side is empty."""
        precision, recall = self.precision or 0.0, self.recall or 0.0
        total = precision + recall
        return 2 * precision * recall / total if total > 0 else 0.0


def score_page(truth: str | None, predicted: str | None) -> PageScore:
    """Compare a predicted article body with the annotated one."""
    true_shingles = shingles(truth)
    predicted_shingles = shingles(predicted)
    tp = sum((true_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - true_shingles).values())
    fn = sum((true_shingles - predicted_shingles).values())
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


@dataclass(frozen=True)
class Summary:
    """The benchmark's figures over a set of pages."""

    precision: float
    recall: float
    f1: float
    pages: int
    empty: int  # pages with no predicted shingle


def summarize(scores: Iterable[PageScore]) -> Summary:
    """Macro-averaged precision and recall, and F1 as their harmonic mean."""
    scores = list(scores)
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    # An extractor that returned nothing at all scores 0, not a division error.
    precision = mean(precisions) if precisions else 0.0
    recall = mean(recalls) if recalls else 0.0
    total = precision + recall
    f1 = 2 * precision * recall / total if total > 0 else 0.0
    return Summary(precision, recall, f1, len(scores), len(scores) - len(precisions))
