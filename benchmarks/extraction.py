#!/usr/bin/env python3
"""Score our article extractor against trafilatura and readability-lxml on two sets, in one run.

Usage::

    python benchmarks/extraction.py [AEB_DIR] [--dev DEV_DIR] [--only NAME ...]
        [--min-f1 X] [--min-dev-f X] [--json FILE] [--limit N] [--show-worst N]
        [--failures N] [--half A|B] [--warmup N] [--repeat N] [--no-structure]
        [--strip-classes]

With neither folder given, both default ones are scored: ``../shared/data/aeb`` and
``../shared/data/trafilatura-dev`` beside the checkout.

AEB_DIR has the shape of the article-extraction-benchmark: ``ground-truth.json`` (``{id:
{"articleBody", "url"}}``) and ``html/<id>.html.gz`` (or ``.html``), UTF-8 pages, scored with
the shingle metric of ``benchmarks/scoring.py``. DEV_DIR has the shape of trafilatura's
evaluation set (``evaldata.json``, ``cache/``, ``eval/``), scored with its snippet metric
(``benchmarks/snippets.py``), in two halves split by the URL's hash (``benchmarks/devset.py``):
study failures on half A only, and check that a change helps half B about as much.

NAME is one of ``ours`` (``archive.extract_article``; ``archive`` works too), ``trafilatura``
(its defaults), ``trafilatura-nc`` (``include_comments=False``, as the upstream benchmark runs
it) and ``readability`` (readability-lxml). The anchors come from the ``bench`` extra (``pip
install -e '.[bench]'``); one that is not installed is skipped with one line. "empty" on AEB
and "refused" on the dev set count the pages an extractor gave no text for.

CI quality gates (floors in ``benchmarks/f1-floor.txt`` and ``benchmarks/dev-f-floor.txt``:
raise them whenever the parser improves, never lower one to make a change pass)::

    python benchmarks/extraction.py ../shared/data/aeb --min-f1 "$(cat benchmarks/f1-floor.txt)" \\
        --dev ../shared/data/trafilatura-dev --min-dev-f "$(cat benchmarks/dev-f-floor.txt)" \\
        --only ours

Parser debugging: ``--show-worst 15`` lists our 15 worst AEB pages by page F1; ``--failures
20`` the 20 dev pages of half A (``--half B`` to look at the other, once, at the end) where ours
gets most more snippets wrong than the best anchor, with the snippets missed and leaked.

Robustness: ``--strip-classes`` scores every page with its ``class`` and ``id`` attributes
removed. Much of the web names its blocks in words we have never seen (other languages, other
CMSs, hashed CSS-module names, old pages with none): what an extractor does without class names
is what it does there. Compare the figures with and without the flag.

Structure: after the scores, for the pages whose article holds tables, lists or code, the table
cells, list items and code lines of the page that our Markdown and trafilatura's keep as such
(``benchmarks/structure.py`` defines the measure; ``--no-structure`` skips it).

Timing: pages are read and decoded before any clock starts; each extractor first runs untimed
on the first ``--warmup`` pages (imports, caches, lazy compiles), then every page is given to
every extractor in turn, the order rotating from page to page so that none always runs on a
cache the previous one warmed. Only the ``(html, url) -> text`` call is timed, in CPU time
(``time.process_time``: on a machine shared with other jobs, wall time would count theirs too).
"pages/s" is pages over the summed time of the calls; "vs ours" is an extractor's median time
divided by ours. Under the AEB table, "time ours / NAME" gives, for each anchor, the median over
pages of our time on a page divided by the anchor's on the same page (the speed target: at most
0.5 against trafilatura), and the ratio of the two medians. ``--repeat N`` calls every extractor N
times on each page in a row and keeps the least time (the text of the first call is scored):
steadier figures on a busy machine, for N times the run. Exit codes: 0 fine, 1 a figure of
ours under its floor, 2 data folder missing or unreadable.
"""

import argparse
import dataclasses
import gzip
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run as a script from any folder: make the checkout (``benchmarks``, ``archive``) importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import extractors, structure
from benchmarks.devset import (
    HALVES,
    DevDataError,
    DevPage,
    DevRun,
    format_dev_table,
    format_failures,
    load_dev_pages,
)
from benchmarks.devset import to_json as dev_json
from benchmarks.report import Run, format_table, format_time_ratios, format_worst, to_json
from benchmarks.scoring import score_page

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DEFAULT_AEB = DATA / "aeb"
DEFAULT_DEV = DATA / "trafilatura-dev"


# A start tag, and a class or id attribute inside one (quoted either way, or bare).
START_TAG = re.compile(r"<[A-Za-z][^<>]*>")
CLASS_OR_ID = re.compile(r"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def strip_classes(html: str) -> str:
    """The page with every class and id attribute removed from its start tags."""
    return START_TAG.sub(lambda tag: CLASS_OR_ID.sub(" ", tag.group(0)), html)


class DataError(Exception):
    """The data folder is missing or not of the benchmark's shape."""


def load_pages(data_dir: Path, limit: int | None) -> list[tuple[str, str, str, str]]:
    """(id, url, truth, html) per page, sorted by id; pages decoded as UTF-8."""
    truth_file = data_dir / "ground-truth.json"
    if not truth_file.is_file():
        raise DataError(f"benchmark data not found: {truth_file} does not exist")
    try:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"cannot read {truth_file}: {error}") from error
    return [
        (
            page_id,
            truth[page_id].get("url", ""),
            truth[page_id].get("articleBody", ""),
            read_html(data_dir, page_id),
        )
        for page_id in sorted(truth)[:limit]
    ]


def read_html(data_dir: Path, page_id: str) -> str:
    """The page as text: every benchmark page is UTF-8, so decode it as such up front."""
    gz_path = data_dir / "html" / f"{page_id}.html.gz"
    plain_path = data_dir / "html" / f"{page_id}.html"
    try:
        if gz_path.is_file():
            raw = gzip.decompress(gz_path.read_bytes())
        else:
            raw = plain_path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"cannot read the page {page_id}: {error}") from error
    # A stray bad byte should cost a character, not the page.
    return raw.decode("utf-8", errors="replace")


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()

    def show(self, done: int, label: str) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        eta = elapsed / done * (self.total - done) if done else 0.0
        sys.stderr.write(f"\r\x1b[K{label} {done}/{self.total}  eta {eta:4.0f}s")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def describe(error: BaseException) -> str:
    """``Type: message``, or just ``Type`` when the message is empty."""
    # Our typed errors carry the URL too; the listing shows it already, so keep the reason.
    message = str(getattr(error, "reason", None) or error).strip()
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def call(extractor: extractors.Extractor, html: str, url: str) -> tuple[str, str, float]:
    """Run one extractor on one page: (text, status, seconds); status "ok", "empty", "error:
    <reason>" for a typed no-article error, or "fail: <exception>" for anything else."""
    start = time.process_time()
    try:
        text = extractor.extract(html, url)
    except extractor.expected_errors as error:
        elapsed = time.process_time() - start
        return "", f"error: {describe(error)}", elapsed
    except Exception as error:  # a benchmark must outlive a broken contestant
        elapsed = time.process_time() - start
        return "", f"fail: {describe(error)}", elapsed
    elapsed = time.process_time() - start
    return text, ("ok" if text.strip() else "empty"), elapsed


def warm_up(chosen: list[extractors.Extractor], pages: list[tuple[str, str]], count: int) -> None:
    """Untimed first calls: imports, regex compiles and caches are not what we measure."""
    for html, url in pages[:count]:
        for extractor in chosen:
            call(extractor, html, url)


Sink = Callable[[int, extractors.Extractor, str, str, float], None]


def interleave(
    chosen: list[extractors.Extractor],
    pages: list[tuple[str, str]],
    warmup: int,
    sink: Sink,
    repeat: int = 1,
) -> None:
    """Every (html, url) through every extractor, interleaved; each outcome goes to ``sink``."""
    progress = Progress(len(pages))
    progress.show(0, "warm-up")
    warm_up(chosen, pages, warmup)
    for index, (html, url) in enumerate(pages):
        progress.show(index, "pages")
        shift = index % len(chosen)
        for extractor in chosen[shift:] + chosen[:shift]:
            text, status, seconds = call(extractor, html, url)
            for _ in range(repeat - 1):
                seconds = min(seconds, call(extractor, html, url)[2])
            sink(index, extractor, text, status, seconds)
    progress.clear()


def run(chosen: list[extractors.Extractor], pages: list, warmup: int, repeat: int = 1) -> Run:
    """Every AEB page through every extractor, interleaved, scored and timed."""
    result = Run([e.name for e in chosen], {e.name: e.version for e in chosen})
    for page_id, url, truth, _ in pages:
        result.start_page(page_id, url, truth)

    def sink(index: int, extractor: extractors.Extractor, text: str, status: str, secs: float):
        page_id, _, truth, _ = pages[index]
        result.add(page_id, extractor.name, score_page(truth, text), status, secs, text)

    interleave(chosen, [(html, url) for _, url, _, html in pages], warmup, sink, repeat)
    return result


def run_dev(
    chosen: list[extractors.Extractor], pages: list[DevPage], warmup: int, repeat: int = 1
) -> DevRun:
    """Every dev page through every extractor, interleaved, scored by snippets and timed."""
    result = DevRun([e.name for e in chosen], {e.name: e.version for e in chosen})

    def sink(index: int, extractor: extractors.Extractor, text: str, status: str, secs: float):
        result.add(pages[index], extractor.name, text, status, secs)

    interleave(chosen, [(p.html, p.url) for p in pages], warmup, sink, repeat)
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Score article extractors on the AEB data and on trafilatura's dev set."
    )
    parser.add_argument(
        "data_dir",
        type=Path,
        nargs="?",
        help=f"AEB folder with ground-truth.json and html/ (default: {DEFAULT_AEB} when no "
        "folder and no --dev is given)",
    )
    parser.add_argument(
        "--dev",
        type=Path,
        metavar="DIR",
        help=f"dev-set folder with evaldata.json (default: {DEFAULT_DEV} when no folder is given)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=extractors.NAMES,
        metavar="NAME",
        help=f"run only these extractors ({', '.join(extractors.NAMES)})",
    )
    _add_report_options(parser)
    args = parser.parse_args(argv)
    if args.only:
        args.only = list(dict.fromkeys(extractors.ALIASES.get(n, n) for n in args.only))
    needs_ours = (
        args.min_f1 is not None
        or args.min_dev_f is not None
        or args.show_worst > 0
        or args.failures > 0
    )
    if needs_ours and args.only and extractors.OURS not in args.only:
        parser.error("--min-f1, --min-dev-f, --show-worst and --failures need 'ours' among --only")
    if args.data_dir is None and args.dev is None:
        args.data_dir, args.dev = DEFAULT_AEB, DEFAULT_DEV
    return args


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    """The floors, the outputs and the timing options."""
    parser.add_argument(
        "--min-f1",
        type=float,
        metavar="X",
        help="exit 1 when our AEB F1 is below X (CI: see benchmarks/f1-floor.txt)",
    )
    parser.add_argument(
        "--min-dev-f",
        type=float,
        metavar="X",
        help="exit 1 when our dev-set F is below X (CI: see benchmarks/dev-f-floor.txt)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="also write the figures and per-page scores as JSON",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N pages of a set")
    parser.add_argument(
        "--show-worst",
        type=int,
        default=0,
        metavar="N",
        help="list our N worst AEB pages by page F1, with id and url",
    )
    parser.add_argument(
        "--failures",
        type=int,
        default=0,
        metavar="N",
        help="list the N dev pages of one half (--half, A by default) where ours loses most to "
        "the best anchor, "
        "with the snippets missed and leaked",
    )
    parser.add_argument(
        "--half",
        choices=HALVES,
        default="A",
        help="the dev half --failures lists (default A, the half studied; B is held out)",
    )
    parser.add_argument(
        "--no-structure",
        action="store_true",
        help="skip the table cells, list items and code lines kept (benchmarks/structure.py)",
    )
    parser.add_argument(
        "--strip-classes",
        action="store_true",
        help="remove every class and id attribute from the pages before extraction (robustness)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=5,
        metavar="N",
        help="untimed warm-up pages per extractor (default 5)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="time each call N times in a row and keep the least (default 1)",
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for folder in (args.data_dir, args.dev):
        if folder is not None and not folder.is_dir():
            print(f"benchmark data folder not found: {folder}", file=sys.stderr)
            return 2
    try:
        aeb = load_pages(args.data_dir, args.limit) if args.data_dir else []
        dev = load_dev_pages(args.dev, args.limit) if args.dev else []
    except (DataError, DevDataError) as error:
        print(error, file=sys.stderr)
        return 2
    if args.strip_classes:
        aeb = [(pid, url, truth, strip_classes(html)) for pid, url, truth, html in aeb]
        dev = [dataclasses.replace(page, html=strip_classes(page.html)) for page in dev]
        print("class and id attributes stripped from every page (--strip-classes)")
    chosen, skipped = extractors.load(list(args.only or extractors.NAMES))
    for line in skipped:
        print(line, file=sys.stderr)
    if not chosen or not (aeb or dev):
        print("nothing to run: no extractor or no page", file=sys.stderr)
        return 2
    report: dict = {}
    status = 0
    if aeb:
        status |= report_aeb(run(chosen, aeb, args.warmup, args.repeat), args, report)
    if dev:
        status |= report_dev(run_dev(chosen, dev, args.warmup, args.repeat), args, report)
    if not args.no_structure:  # untimed, after the scored runs: see benchmarks/structure.py
        structure.report([e.name for e in chosen], aeb, dev, report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    return status


def report_aeb(result: Run, args: argparse.Namespace, report: dict) -> int:
    print(f"AEB: {len(result.pages)} pages from {args.data_dir} (shingle F1; empty = refused)")
    print(format_table(result))
    for line in format_time_ratios(result):
        print(line)
    for line in result.failure_lines():
        print(line)
    if args.show_worst and extractors.OURS in result.names:
        print()
        print(format_worst(result, extractors.OURS, args.show_worst))
    # The AEB figures stay at the top level of the JSON, where earlier runs kept them.
    report.update(to_json(result))
    return check_floor(
        "AEB F1", result.summary(extractors.OURS).f1 if _ours(result) else None, args.min_f1
    )


def report_dev(result: DevRun, args: argparse.Namespace, report: dict) -> int:
    if report:
        print()
    print(f"dev set: {len(result.pages)} pages from {args.dev} (snippet F; halves by sha1(url))")
    print(format_dev_table(result))
    if args.failures and extractors.OURS in result.names:
        print()
        print(format_failures(result, args.failures, args.half))
    report["dev"] = dev_json(result)
    ours = result.counts(extractors.OURS).f if _ours(result) else None
    return check_floor("dev-set F", ours, args.min_dev_f)


def _ours(result: Run | DevRun) -> bool:
    return extractors.OURS in result.names


def check_floor(label: str, value: float | None, floor: float | None) -> int:
    """1 when our figure is under the floor (or we could not be scored at all), else 0."""
    if floor is None:
        return 0
    if value is None:
        print(f"{label} floor {floor}: our extractor did not run", file=sys.stderr)
        return 1
    if value < floor:
        print(f"{label} {value:.4f} is below the floor {floor}", file=sys.stderr)
        return 1
    print(f"{label} {value:.4f} meets the floor {floor}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
