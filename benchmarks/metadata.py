#!/usr/bin/env python3
"""Score our metadata (publication day, title, authors) against htmldate and trafilatura.

Usage::

    python benchmarks/metadata.py DATA_DIR [DATA_DIR ...] [--only NAME ...] [--half A|B]
                                  [--show-failures N] [--show-disagreements N] [--limit N]
                                  [--annotations FILE [FILE ...]] [--show-people-failures N]

Each DATA_DIR holds ``truth.json`` (``{id: {"url", "published": "YYYY-MM-DD", "title"?,
"authors"?: [...]}}``) and ``html/<id>.html.gz`` (or ``.html``): raw bytes in any encoding,
decoded once (declared charset first) and handed as the same text to every extractor.

Extractors (NAME): ``ours`` (``archive.extract_article``; a refused page counts with the
metadata its ``NotAnArticleError`` carries, as the archive stores it), ``htmldate``
(``find_date(html, url=url, extensive_search=True, original_date=True)``: its extensive mode,
preferring the original publication date over an update) and ``trafilatura``
(``extract_metadata(html, default_url=url)``, its defaults, extensive date search included).

Pages are split into two halves by the SHA-1 of their URL (``metadata_scoring.half``): half A
is for studying failures, half B is held out to check that a change carries over. Scores:
"day" is the share of pages given the right day (a missing date is wrong), "cov" the share
given any date, "prec" the right day among pages given one; "title" exact titles, "auth" exact
author lists (a set), "aF1" the mean name F1 per page, on sets whose truth has these fields.

``--annotations FILE ...`` lays hand annotations (``{id: {"title", "authors"}}``, e.g.
``benchmarks/annotations/dates-dev-people-A.json``) over the set's truth, page by page, so that
a set with dates alone gets title and author scores on the annotated pages (and only there:
the "title", "auth" and "aF1" columns count the annotated pages of each half).
``--show-people-failures N`` lists up to N of our wrong titles and author lists on ``--half``
beside the truth (and trafilatura's, when it runs).

``--show-failures N`` lists up to N of our failures on ``--half`` (default A) by class: no
date, or a wrong day by the source we took it from (``published_from``), beside htmldate's day.

With ``ours`` and ``trafilatura`` both run, the share of pages where the two give the same
author set and the same title is printed by half: agreement, not accuracy, for sets without
author or title truth. ``--show-disagreements N`` lists up to N such pages of ``--half`` each
for authors and titles, side by side, to be read by hand.
"""

import argparse
import gzip
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.metadata_scoring import (
    Tally,
    authors_exact,
    day_of,
    half,
    overlay,
    same_text,
    unmatched,
)


@dataclass
class Found:
    """What one extractor read off one page."""

    date: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    source: str | None = None  # where ours took the date from
    authors_from: str | None = None  # where ours took the authors from


@dataclass
class Page:
    page_id: str
    url: str
    html: str
    truth: dict


class DataError(Exception):
    """A data folder is missing or not of the expected shape."""


def load_annotations(files: list[Path]) -> dict[str, dict]:
    """The annotations of several files, merged (a later file wins for a page in two)."""
    merged: dict[str, dict] = {}
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DataError(f"{path}: cannot read it ({error})") from error
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise DataError(f"{path}: not a {{page id: {{title, authors}}}} object")
        merged.update(data)
    return merged


def load(
    data_dir: Path, limit: int | None, annotations: dict[str, dict] | None = None
) -> list[Page]:
    from archive.parse.tree.soup import decode

    truth_file = data_dir / "truth.json"
    try:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"{truth_file}: cannot read it ({error})") from error
    if annotations:
        missing = unmatched(truth, annotations)
        if len(missing) == len(annotations):
            raise DataError(f"{data_dir}: none of the annotated pages is in this set")
        truth = overlay(truth, annotations)
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = raw_page(data_dir, page_id)
        pages.append(Page(page_id, truth[page_id].get("url", ""), decode(raw), truth[page_id]))
    return pages


def raw_page(data_dir: Path, page_id: str) -> bytes:
    """The bytes of one page of a data folder: ``html/<id>.html.gz``, else ``html/<id>.html``."""
    gz_path = data_dir / "html" / f"{page_id}.html.gz"
    try:
        if gz_path.is_file():
            return gzip.decompress(gz_path.read_bytes())
        return (data_dir / "html" / f"{page_id}.html").read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"{data_dir}: cannot read page {page_id} ({error})") from error


def run_ours(html: str, url: str) -> Found:
    from archive.errors import ExtractionError
    from archive.extract import extract_article

    try:
        record = extract_article(html, url)
    except ExtractionError as error:
        meta = getattr(error, "metadata", None)  # a refused page's title and dates
        if not meta:
            return Found(source="refused")
        return Found(
            meta.get("published_at"),
            meta.get("title"),
            tuple(meta.get("authors", ())),
            meta.get("published_from"),
            meta.get("authors_from"),
        )
    return Found(
        record.published_at,
        record.title,
        tuple(record.authors),
        record.published_from,
        record.authors_from,
    )


def run_htmldate(html: str, url: str) -> Found:
    from htmldate import find_date

    return Found(date=find_date(html, url=url, extensive_search=True, original_date=True))


def run_trafilatura(html: str, url: str) -> Found:
    from trafilatura import extract_metadata

    doc = extract_metadata(html, default_url=url)
    if doc is None:
        return Found()
    names = tuple(n.strip() for n in (doc.author or "").split(";") if n.strip())
    return Found(doc.date, doc.title, names)


# Extractors that read only the publication date.
DATES_ONLY = frozenset({"htmldate"})

EXTRACTORS: dict[str, Callable[[str, str], Found]] = {
    "ours": run_ours,
    "htmldate": run_htmldate,
    "trafilatura": run_trafilatura,
}


def score(pages: list[Page], names: list[str]) -> tuple[dict, dict, dict]:
    """Tallies by (name, half), our per-page results, and each extractor's call times."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    ours: dict[str, tuple[Found, dict[str, Found]]] = {}
    times: dict[str, list[float]] = defaultdict(list)
    for page in pages:
        results = {}
        for name in names:
            start = time.perf_counter()
            try:
                found = EXTRACTORS[name](page.html, page.url)
            except Exception as error:
                print(f"{name} failed on {page.page_id}: {error!r}", file=sys.stderr)
                found = Found(source="crash")
            times[name].append(time.perf_counter() - start)
            results[name] = found
            for key in ((name, half(page.url)), (name, "all")):
                _tally(tallies[key], found, page.truth)
        ours[page.page_id] = (results.get("ours", Found()), results)
    return tallies, ours, times


def _tally(tally: Tally, found: Found, truth: dict) -> None:
    if truth.get("published"):
        tally.add_date(found.date, truth["published"])
    if truth.get("title"):
        tally.add_title(found.title, truth["title"])
    if isinstance(truth.get("authors"), list):
        tally.add_authors(list(found.authors), truth["authors"])


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def table(tallies: dict, names: list[str], times: dict) -> str:
    columns = ("day", "cov", "prec", "title", "auth", "aF1")
    head = f"{'extractor':<12} {'half':<4} {'pages':>5}  " + "  ".join(f"{c:>5}" for c in columns)
    lines = [head + "  ms/page", "-" * (len(head) + 9)]
    for name in names:
        for part in ("A", "B", "all"):
            t = tallies.get((name, part))
            if t is None:
                continue
            values: tuple[float | None, ...] = (t.accuracy, t.coverage, t.precision, t.title_exact)
            values += (t.authors_exact, t.mean_author_f1)
            if name in DATES_ONLY:  # it reads no title or authors: no score, not a zero
                values = (*values[:3], None, None, None)
            ms = f"{statistics.median(times[name]) * 1000:7.1f}" if part == "all" else ""
            cells = "  ".join(f"{_fmt(v):>5}" for v in values)
            lines.append(f"{name:<12} {part:<4} {t.pages:>5}  {cells}  {ms}")
    return "\n".join(lines)


def failures(pages: list[Page], ours: dict, part: str, limit: int) -> str:
    """Our date failures on one half, grouped: no date, or a wrong day by source."""
    groups: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        want = page.truth.get("published")
        if not want or half(page.url) != part or page.page_id not in ours:
            continue
        mine, results = ours[page.page_id]
        got = day_of(mine.date)
        if got == want:
            continue
        other = day_of(results["htmldate"].date) if "htmldate" in results else None
        kind = "no date" if got is None else f"wrong day from {mine.source}"
        if mine.source == "refused":
            kind = "no date (refused page)"
        groups[kind].append(f"  {page.page_id} want {want} got {got} htmldate {other} {page.url}")
    out = [f"Our date failures on half {part}:"]
    for kind, rows in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        out.append(f"{kind}: {len(rows)}")
        out.extend(rows[:limit])
    return "\n".join(out)


def people_failures(pages: list[Page], ours: dict, part: str, limit: int) -> str:
    """Our wrong titles and author lists on one half, beside the truth (and trafilatura's)."""
    authors = [f"Our wrong author lists on half {part}:"]
    titles = [f"Our wrong titles on half {part}:"]
    for page in pages:
        mine, results = ours.get(page.page_id, (None, {}))
        if half(page.url) != part or mine is None:
            continue
        theirs = results.get("trafilatura", Found())
        want_authors = page.truth.get("authors")
        wrong = isinstance(want_authors, list) and not authors_exact(mine.authors, want_authors)
        if wrong and len(authors) <= limit:
            authors.append(
                f"  {page.page_id} want {want_authors} ours {list(mine.authors)}"
                f" ({mine.authors_from}) traf {list(theirs.authors)}"
            )
        want_title = page.truth.get("title")
        if want_title and not same_text(mine.title, want_title) and len(titles) <= limit:
            titles.append(
                f"  {page.page_id} want {want_title!r} ours {mine.title!r} traf {theirs.title!r}"
            )
    return "\n".join(authors + titles)


def agreement(pages: list[Page], ours: dict) -> str:
    """How often ours and trafilatura give the same author set and the same title, by half.

    Agreement, not accuracy: a set without author or title truth says only where the two
    differ, which pages are worth reading by hand (``--show-disagreements``)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for page in pages:
        mine, results = ours.get(page.page_id, (None, {}))
        theirs = results.get("trafilatura")
        if mine is None or theirs is None:
            continue
        for part in (half(page.url), "all"):
            row = counts[part]
            row[0] += 1
            row[1] += authors_exact(mine.authors, theirs.authors)
            row[2] += same_text(mine.title, theirs.title)
    lines = ["Ours against trafilatura (agreement, not accuracy):", "half  pages  authors  titles"]
    for part in ("A", "B", "all"):
        n, same_authors, same_titles = counts[part]
        if n:
            lines.append(f"{part:<4}  {n:>5}  {same_authors / n:7.3f}  {same_titles / n:6.3f}")
    return "\n".join(lines)


def disagreements(pages: list[Page], ours: dict, part: str, limit: int) -> str:
    """Pages of one half where our author list or title differs from trafilatura's."""
    authors = [f"Author lists that differ from trafilatura's on half {part}:"]
    titles = [f"Titles that differ from trafilatura's on half {part}:"]
    for page in pages:
        mine, results = ours.get(page.page_id, (None, {}))
        theirs = results.get("trafilatura")
        if half(page.url) != part or mine is None or theirs is None:
            continue
        pad = " " * len(page.page_id)
        if not authors_exact(mine.authors, theirs.authors) and len(authors) <= 2 * limit:
            authors.append(f"  {page.page_id} ours {list(mine.authors)} ({mine.authors_from})")
            authors.append(f"  {pad} traf {list(theirs.authors)}  {page.url}")
        if not same_text(mine.title, theirs.title) and len(titles) <= 2 * limit:
            titles.append(f"  {page.page_id} ours {mine.title!r}")
            titles.append(f"  {pad} traf {theirs.title!r}")
    return "\n".join(authors + titles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dirs", nargs="+", type=Path, metavar="DATA_DIR")
    parser.add_argument("--only", nargs="+", choices=sorted(EXTRACTORS), default=list(EXTRACTORS))
    parser.add_argument("--half", choices=("A", "B"), default="A")
    parser.add_argument("--show-failures", type=int, default=0, metavar="N")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show-disagreements", type=int, default=0, metavar="N")
    parser.add_argument("--annotations", nargs="+", type=Path, default=[], metavar="FILE")
    parser.add_argument("--show-people-failures", type=int, default=0, metavar="N")
    args = parser.parse_args()
    for data_dir in args.data_dirs:
        try:
            annotations = load_annotations(args.annotations)
            pages = load(data_dir, args.limit, annotations)
        except DataError as error:
            print(error, file=sys.stderr)
            sys.exit(2)
        tallies, ours, times = score(pages, args.only)
        print(f"{data_dir} ({len(pages)} pages)")
        print(table(tallies, args.only, times))
        if args.show_failures and "ours" in args.only:
            print(failures(pages, ours, args.half, args.show_failures))
        if args.show_people_failures and "ours" in args.only:
            print(people_failures(pages, ours, args.half, args.show_people_failures))
        if {"ours", "trafilatura"} <= set(args.only):
            print(agreement(pages, ours))
            if args.show_disagreements:
                print(disagreements(pages, ours, args.half, args.show_disagreements))
        print()


if __name__ == "__main__":
    main()
