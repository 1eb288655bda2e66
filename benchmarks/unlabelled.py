#!/usr/bin/env python3
"""Where our text parts from both anchors' on real pages with no text truth: a tuning aid.

Usage::

    python benchmarks/unlabelled.py DATA_DIR [--dev DEV_DIR] [--half A|B] [--list N]
        [--shorter X] [--longer X] [--min-words N] [--dump DIR] [--limit N]

DATA_DIR has the shape of ``dates-dev`` (``truth.json`` with each page's ``url``;
``html/<id>.html.gz`` or ``.html``, raw bytes decoded as a browser would). Nearly every page
there is an article, so three kinds of page are worth reading, each a likely failure of ours:

- refused: we raise ``NotAnArticleError`` (the reason is listed);
- shorter: our text has fewer than ``--shorter`` (0.6) times the words of the SHORTER of
  trafilatura's and readability-lxml's texts, and at least ``--min-words`` (40) fewer: both
  anchors found a body we lost part of (recall);
- longer: our text has more than ``--longer`` (1.6) times the words of the LONGER anchor's,
  and at least ``--min-words`` more: we likely kept boilerplate neither anchor kept;
- lost lines: none of the above, but lines of at least LINE_WORDS words that BOTH anchors give
  and ours lacks (whitespace aside) add up to ``--min-words`` words or more: a paragraph, a
  standfirst or words inside a sentence lost where the lengths hardly differ.

Two independent anchors agreeing against us is evidence, not truth: this is a list of pages to
read, not a score. The table gives, for ours, the share of pages in each kind by half.

Halves: pages split by the SHA-1 of their URL as the other benchmarks split them
(``metadata_scoring.half``). Pages are listed for ``--half`` (A) only; a page that is also in
the trafilatura-dev set's held-out half B (same URL or same bytes; ``--dev``, by default the
set beside this one) is never listed, whatever ``--half`` says, and counts in the table only.
``--dump DIR`` writes the three texts of every listed page to ``DIR/<id>.{ours,traf,read}.txt``.
"""

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import extractors
from benchmarks.devset import DevDataError, half_of
from benchmarks.metadata import DataError, raw_page
from benchmarks.metadata_scoring import half

ANCHORS = ("trafilatura", "readability")
KINDS = ("refused", "shorter", "longer", "lost lines")
# The least words of a line that counts in "lost lines" (shorter ones are labels and headings).
LINE_WORDS = 6


@dataclass
class Page:
    page_id: str
    url: str
    html: str
    digest: str  # SHA-1 of the raw bytes: the same page in another set


@dataclass
class Outcome:
    """One page's three texts (word counts) and the kind it falls in, if any."""

    page: Page
    words: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None
    kind: str | None = None
    lost: list[str] = field(default_factory=list)


def load(data_dir: Path, limit: int | None = None) -> list[Page]:
    from archive.parse.tree.soup import decode

    truth_file = data_dir / "truth.json"
    try:
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"{truth_file}: cannot read it ({error})") from error
    pages = []
    for page_id in sorted(truth)[:limit]:
        raw = raw_page(data_dir, page_id)
        url = truth[page_id].get("url", "")
        pages.append(Page(page_id, url, decode(raw), hashlib.sha1(raw).hexdigest()))
    return pages


def held_out(dev_dir: Path | None) -> tuple[set[str], set[str]]:
    """The URLs and byte digests of the trafilatura-dev set's half B (empty without the set)."""
    if dev_dir is None or not (dev_dir / "evaldata.json").is_file():
        return set(), set()
    try:
        entries = json.loads((dev_dir / "evaldata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DevDataError(f"cannot read {dev_dir}/evaldata.json: {error}") from error
    urls, digests = set(), set()
    for url, entry in entries.items():
        if half_of(url) != "B":
            continue
        urls.add(url)
        for folder in ("cache", "eval"):
            path = dev_dir / folder / entry["file"]
            if path.is_file():
                digests.add(hashlib.sha1(path.read_bytes()).hexdigest())
                break
    return urls, digests


def classify(
    ours: int, anchors: list[int], shorter: float, longer: float, min_words: int
) -> str | None:
    """ "shorter", "longer" or None, from our word count and the anchors'."""
    if not anchors:
        return None
    least, most = min(anchors), max(anchors)
    if ours < shorter * least and least - ours >= min_words:
        return "shorter"
    if ours > longer * most and ours - most >= min_words:
        return "longer"
    return None


def lost_lines(ours: str, anchors: list[str]) -> list[str]:
    """The lines of at least LINE_WORDS words that every anchor gives and ``ours`` lacks."""
    if not anchors:
        return []
    squeezed = [_squeeze(text) for text in anchors[1:]]
    mine = _squeeze(ours)
    lost = []
    for line in anchors[0].splitlines():
        if len(line.split()) < LINE_WORDS:
            continue
        key = _squeeze(line)
        if key not in mine and all(key in other for other in squeezed):
            lost.append(line.strip())
    return lost


def _squeeze(text: str) -> str:
    """The text without whitespace: the extractors space punctuation and inline tags apart
    differently (``Jack , 5`` against ``Jack, 5``)."""
    return "".join(text.split())


def ours_text(html: str, url: str) -> tuple[str, str | None]:
    """Our text and, for a refused page, the refusal's reason."""
    from archive.errors import NotAnArticleError
    from archive.extract import extract_article

    try:
        return extract_article(html, url).text, None
    except NotAnArticleError as error:
        return "", str(getattr(error, "reason", None) or error)


def run(pages: list[Page], args: argparse.Namespace) -> list[Outcome]:
    loaded, skipped = extractors.load(list(ANCHORS))
    for line in skipped:
        print(line, file=sys.stderr)
    anchors: dict[str, Callable[[str, str], str]] = {e.name: e.extract for e in loaded}
    outcomes = []
    for page in pages:
        outcome = Outcome(page)
        text, outcome.refusal = ours_text(page.html, page.url)
        outcome.texts["ours"] = text
        for name, extract in anchors.items():
            try:
                outcome.texts[name] = extract(page.html, page.url)
            except Exception as error:  # an anchor's crash is no evidence against ours
                print(f"{name} failed on {page.page_id}: {error!r}", file=sys.stderr)
                outcome.texts[name] = ""
        outcome.words = {name: len(t.split()) for name, t in outcome.texts.items()}
        if outcome.refusal is not None:
            outcome.kind = "refused"
        else:
            others = [outcome.words[n] for n in anchors]
            outcome.kind = classify(
                outcome.words["ours"], others, args.shorter, args.longer, args.min_words
            )
            outcome.lost = lost_lines(text, [outcome.texts[n] for n in anchors])
            if outcome.kind is None and sum(len(x.split()) for x in outcome.lost) >= args.min_words:
                outcome.kind = "lost lines"
        outcomes.append(outcome)
    return outcomes


COLUMNS = (("refused", 7), ("shorter", 7), ("longer", 6), ("lost lines", 10))


def table(outcomes: list[Outcome], hidden: Callable[[Page], bool]) -> str:
    """Per half, the pages of each kind and their share of the half's pages."""
    groups = {
        "A": [o for o in outcomes if half(o.page.url) == "A"],
        "B": [o for o in outcomes if half(o.page.url) == "B"],
        "all": outcomes,
    }
    head = "half  pages  " + "  ".join(f"{kind:>{w}}  share" for kind, w in COLUMNS)
    lines = [head + "  dev-B (never listed)", "-" * len(head)]
    for name, group in groups.items():
        n = len(group) or 1
        cells = []
        for kind, width in COLUMNS:
            count = sum(o.kind == kind for o in group)
            cells.append(f"{count:>{width}}  {count / n:5.3f}")
        hid = sum(hidden(o.page) for o in group)
        lines.append(f"{name:<4}  {len(group):>5}  " + "  ".join(cells) + f"  {hid:>4}")
    return "\n".join(lines)


def listing(outcomes: list[Outcome], kind: str, count: int) -> list[str]:
    chosen = [o for o in outcomes if o.kind == kind]
    if kind == "shorter":
        chosen.sort(key=lambda o: o.words["ours"] / max(1, min(_anchor_words(o))))
    elif kind == "longer":
        chosen.sort(key=lambda o: -o.words["ours"] / max(1, max(_anchor_words(o))))
    elif kind == "lost lines":
        chosen.sort(key=lambda o: -sum(len(line.split()) for line in o.lost))
    lines = [f"{kind}: {len(chosen)} pages"]
    for o in chosen[:count]:
        words = "  ".join(f"{name} {n}" for name, n in o.words.items())
        reason = f"  [{o.refusal}]" if o.refusal else ""
        lines.append(f"  {o.page.page_id}  {words}{reason}\n      {o.page.url}")
        lines += [f"      - {line[:110]}" for line in o.lost[:3]]
    return lines


def _anchor_words(outcome: Outcome) -> list[int]:
    return [n for name, n in outcome.words.items() if name != "ours"] or [0]


def dump(outcomes: list[Outcome], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    short = {"ours": "ours", "trafilatura": "traf", "readability": "read"}
    for o in outcomes:
        for name, text in o.texts.items():
            (folder / f"{o.page.page_id}.{short.get(name, name)}.txt").write_text(text)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    default_dev = Path(__file__).resolve().parent.parent.parent / "shared/data/trafilatura-dev"
    parser.add_argument("--dev", type=Path, default=default_dev, metavar="DEV_DIR")
    parser.add_argument("--half", choices=("A", "B"), default="A")
    parser.add_argument("--list", type=int, default=30, metavar="N", help="pages per kind")
    parser.add_argument("--shorter", type=float, default=0.6)
    parser.add_argument("--longer", type=float, default=1.6)
    parser.add_argument("--min-words", type=int, default=40)
    parser.add_argument("--dump", type=Path, metavar="DIR")
    parser.add_argument("--limit", type=int, metavar="N")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        pages = load(args.data_dir, args.limit)
        urls, digests = held_out(args.dev)
    except (DataError, DevDataError) as error:
        print(error, file=sys.stderr)
        return 2

    def hidden(page: Page) -> bool:
        return page.url in urls or page.digest in digests

    outcomes = run(pages, args)
    print(f"{args.data_dir}: {len(pages)} pages; ours against {', '.join(ANCHORS)}")
    print(table(outcomes, hidden))
    shown = [o for o in outcomes if half(o.page.url) == args.half and not hidden(o.page)]
    print(f"\nhalf {args.half}, {len(shown)} pages that may be read:")
    for kind in KINDS:
        print("\n".join(listing(shown, kind, args.list)))
    if args.dump:
        dump([o for o in shown if o.kind], args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
