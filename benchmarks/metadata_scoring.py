"""Scores for metadata: the right day, the exact title, the exact author list, name F1.

Pure functions on strings, so that the benchmark's arithmetic can be tested by hand
(``tests/test_metadata_scoring.py``).
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def half(url: str) -> str:
    """ "A" (studied) or "B" (held out): a stable split of pages by the SHA-1 of their URL."""
    return "A" if int(hashlib.sha1(url.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "B"


_PEOPLE_FIELDS = ("title", "authors")


def overlay(truth: dict[str, dict], annotations: dict[str, dict]) -> dict[str, dict]:
    """A copy of ``truth`` with each annotated page's title and authors laid over its own.

    Only the fields an annotation gives are taken (``title``, ``authors``), so a set with
    dates alone gains title and author truth on the pages someone read, and only there: the
    title and author columns then count annotated pages only. An annotation for a page the
    set does not hold is ignored (``unmatched`` tells the caller which)."""
    merged = {page_id: dict(fields) for page_id, fields in truth.items()}
    for page_id, fields in annotations.items():
        if page_id in merged:
            merged[page_id].update({k: fields[k] for k in _PEOPLE_FIELDS if k in fields})
    return merged


def unmatched(truth: dict[str, dict], annotations: dict[str, dict]) -> list[str]:
    """Annotated page ids that the set does not hold (a stale or misnamed annotation file)."""
    return sorted(set(annotations) - set(truth))


def day_of(value: str | None) -> str | None:
    """The day an extracted date names, as written (a "+02:00" stamp keeps its local day)."""
    if not value:
        return None
    match = _DAY.match(value.strip())
    return match.group(0) if match else None


def same_text(got: str | None, want: str | None) -> bool:
    """Titles compare after Unicode normalisation and with runs of whitespace made one space."""
    return bool(got) and bool(want) and _norm(got or "") == _norm(want or "")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def _names(names: Iterable[str]) -> set[str]:
    return {_norm(n).casefold() for n in names if _norm(n)}


def authors_exact(got: Iterable[str], want: Iterable[str]) -> bool:
    """The same set of names (order, case and spacing aside); two empty lists agree."""
    return _names(got) == _names(want)


def authors_f1(got: Iterable[str], want: Iterable[str]) -> float:
    """Name F1 of one page: 1.0 when both are empty, 0.0 when exactly one is."""
    found, truth = _names(got), _names(want)
    if not found and not truth:
        return 1.0
    hits = len(found & truth)
    return 2 * hits / (len(found) + len(truth))


@dataclass
class Tally:
    """One extractor's counts on one half of a set."""

    pages: int = 0
    dated: int = 0
    right_day: int = 0
    titled: int = 0
    right_title: int = 0
    with_authors: int = 0
    right_authors: int = 0
    author_f1: list[float] = field(default_factory=list)

    def add_date(self, got: str | None, want: str) -> bool:
        self.pages += 1
        day = day_of(got)
        self.dated += day is not None
        self.right_day += day == want
        return day == want

    def add_title(self, got: str | None, want: str) -> bool:
        self.titled += 1
        ok = same_text(got, want)
        self.right_title += ok
        return ok

    def add_authors(self, got: list[str], want: list[str]) -> bool:
        self.with_authors += 1
        ok = authors_exact(got, want)
        self.right_authors += ok
        self.author_f1.append(authors_f1(got, want))
        return ok

    def share(self, part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def accuracy(self) -> float | None:
        return self.share(self.right_day, self.pages)

    @property
    def coverage(self) -> float | None:
        return self.share(self.dated, self.pages)

    @property
    def precision(self) -> float | None:
        """Of the pages given a date, the share given the right day."""
        return self.share(self.right_day, self.dated)

    @property
    def title_exact(self) -> float | None:
        return self.share(self.right_title, self.titled)

    @property
    def authors_exact(self) -> float | None:
        return self.share(self.right_authors, self.with_authors)

    @property
    def mean_author_f1(self) -> float | None:
        return sum(self.author_f1) / len(self.author_f1) if self.author_f1 else None
