#!/usr/bin/env python3
"""Per-rule ablation of the parser: what each boilerplate rule family costs and gains.

Usage::

    python benchmarks/ablation.py [AEB_DIR] [--dev DEV_DIR] [--only FAMILY ...]
        [--show N] [--limit N] [--json FILE] [--list] [--attribute]

For every rule family (a pass of ``archive.parse.clean``, a chrome-line check of
``archive.parse.lines``, the pre-parse cut of ``tree.prefilter``, the teaser drop of
``listing`` ...) the whole of both sets is extracted again with that family turned off, and the
change in F against the baseline is printed: on dev half A (study), dev half B (held out),
both, and AEB F1. A positive delta means the parser does better WITHOUT the rule: it removes
more article text (recall) than boilerplate (precision). The recall and precision deltas on
the dev set are shown apart.

Turning a family off patches the parser's module attributes from this script only (restored
after each run): the parser keeps no switch in its hot paths. ``--show N`` lists, for up to N
pages of half A per family, the snippets the family removed (found when it is off) and the
ones it kept out (leaked when it is off): the pages to read when a rule costs recall. Half B is
held out: only its totals are printed.

A run is the full sets with ours only (about 20 s on one core); all families take a while
(about 17 min): ``--only`` picks some (``--list`` names them; ``--only NONE`` prints the
baseline alone).

``--attribute`` instead extracts the dev set once, watching the stages, and counts the missed
snippets of each half by the stage that lost them (``benchmarks/attribution.py``): a rule
family of ``clean``, a chrome-line check, the teaser drop, the pre-parse cut, the body finder
(with where the left-out text stands: before or after the body, how far up their common
ancestor is), the block walker, or a refusal. ``--show N`` lists N snippets of half A per cause.
"""

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.devset import DevDataError, DevPage, load_dev_pages
from benchmarks.extraction import DEFAULT_AEB, DEFAULT_DEV, DataError, load_pages
from benchmarks.scoring import score_page, summarize
from benchmarks.snippets import SnippetCounts, score_snippets, total

NEVER = re.compile(r"(?!)")


@contextmanager
def patched(owner: object, name: str, value: object) -> Iterator[None]:
    """``owner.name`` set to ``value`` for the block, then put back."""
    old = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, old)


def _clean_family(tag: object, kind: str) -> str:
    """The family of a removal ``clean.Cleaner.tag_kind`` decided."""
    from archive.parse import clean

    if kind == "table of contents":
        return "clean: table of contents"
    if kind == "hidden" and clean._is_hidden(tag):  # type: ignore[arg-type]
        return "clean: hidden (attribute/style)"
    name = tag.name  # type: ignore[attr-defined]
    if name in clean.STRUCTURAL:
        return "clean: structural tag (nav/footer/aside/menu)"
    if name in ("header", "form"):
        return f"clean: <{name}>"
    return f"clean: class {kind}"


TAG_FAMILIES = (
    "clean: table of contents",
    "clean: hidden (attribute/style)",
    "clean: structural tag (nav/footer/aside/menu)",
    "clean: <header>",
    "clean: <form>",
)
CLASS_KINDS = (
    "cookie banner", "newsletter sign-up", "ad", "share bar", "related box", "latest-from footer",
    "navigation", "footer", "comments", "sidebar", "byline", "article meta", "header", "hidden",
    "audio player", "embedded post", "edit link",
)  # fmt: skip


@contextmanager
def without_clean_family(family: str) -> Iterator[None]:
    """``Cleaner.tag_kind`` keeps what ``family`` would have removed."""
    from archive.parse import clean

    original = clean.Cleaner.tag_kind

    def tag_kind(self: clean.Cleaner, tag: object) -> str | None:
        kind = original(self, tag)  # type: ignore[arg-type]
        if kind and _clean_family(tag, kind) == family:
            return None
        return kind

    with patched(clean.Cleaner, "tag_kind", tag_kind):
        yield


@contextmanager
def without_chrome_check(kind: str) -> Iterator[None]:
    from archive.parse import lines

    kept = tuple(check for check in lines.CHROME_CHECKS if check[0] != kind)
    with patched(lines, "CHROME_CHECKS", kept):
        yield


def _never(*_: object) -> bool:
    return False


@dataclass(frozen=True)
class Family:
    name: str
    off: Callable[[], object]  # a context manager factory that turns the family off


def _patch(owner: object, name: str, value: object) -> Callable[[], object]:
    return lambda: patched(owner, name, value)


def _clean(family: str) -> Family:
    return Family(family, lambda: without_clean_family(family))


def families() -> list[Family]:
    """Every rule family, in the parser's order: pre-parse cut, clean's passes, the body
    finder, the block walker, the chrome lines, the teaser drop, the standfirst."""
    from archive import extract
    from archive.parse import blocks, clean, content, lines
    from archive.parse.tree import soup

    found = [
        Family("prefilter: cut chrome before parsing", _patch(soup, "cut_chrome", _uncut)),
        *map(_clean, TAG_FAMILIES),
        *(_clean(f"clean: class {kind}") for kind in CLASS_KINDS),
        Family("clean: ad label text", _patch(clean, "AD_LABEL", NEVER)),
        Family("clean: box heading (related/tags)", _patch(clean, "BOX_HEADING", NEVER)),
        Family("clean: author heading", _patch(clean, "AUTHOR_HEADING", NEVER)),
        Family("clean: comment thread heading", _patch(clean, "opens_thread", _never)),
        Family(
            "content: embedded posts do not vote",
            _patch(content, "_inside_embedded_posts", lambda doc: set()),
        ),
        Family(
            "content: score outside teaser cards",
            _patch(content, "_outside_cards", lambda c, v, s, r: (s, r)),
        ),
        Family("content: class-kind penalty", _patch(content, "class_kind", lambda tag: None)),
        Family("blocks: caption-classed skipped", _patch(blocks, "_is_caption", _never)),
        Family(
            "blocks: figcaption skipped",
            _patch(blocks, "SKIP_TAGS", blocks.SKIP_TAGS - {"figcaption"}),
        ),
        Family("blocks: h1 skipped", _patch(blocks, "SKIP_TAGS", blocks.SKIP_TAGS - {"h1"})),
        *(
            Family(f"lines: {k}", lambda k=k: without_chrome_check(k))
            for k, _ in lines.CHROME_CHECKS
        ),
        Family("lines: lead chrome (dateline/byline)", _patch(lines, "_is_lead_chrome", _never)),
        Family("lines: lead line = title", _patch(lines, "_title_parts", lambda t: set())),
        Family("lines: trailing heading", _patch(lines, "_is_bare_heading", _never)),
        Family("lines: trailing link line", _patch(lines, "_is_link_line", _never)),
        Family("lines: trailing prompt", _patch(lines, "_is_closing_prompt", _never)),
        Family("lines: trailing copyright", _patch(lines, "_is_copyright_line", _never)),
        Family("listing: drop teaser cards", _patch(extract, "drop_teasers", lambda n, c: [])),
        Family("extract: lede put back", _patch(extract, "lede_before", lambda *a: None)),
        Family("extract: site rules", _patch(extract, "matching_rules", lambda r, u: [])),
    ]
    return found


def _uncut(markup: str) -> tuple[str, list]:
    return markup, []


@dataclass
class Score:
    """One run's figures, and per dev page of half A the snippets missed and leaked."""

    aeb: float
    dev: dict[str, SnippetCounts]
    missed: dict[str, set[str]] = field(default_factory=dict)
    leaked: dict[str, set[str]] = field(default_factory=dict)


def _text(html: str, url: str) -> str:
    from archive.errors import ArchiveError
    from archive.extract import extract_article

    try:
        return extract_article(html, url).text
    except ArchiveError:
        return ""


def score_all(aeb: list[tuple[str, str, str, str]], dev: list[DevPage]) -> Score:
    aeb_f = summarize(score_page(truth, _text(html, url)) for _, url, truth, html in aeb).f1
    per_half: dict[str, list] = {"A": [], "B": []}
    score = Score(aeb_f, {})
    for page in dev:
        snippets = score_snippets(_text(page.html, page.url), page.wanted, page.unwanted)
        per_half[page.half].append(snippets)
        if page.half == "A":  # half B is held out: its pages are never looked at
            score.missed[page.url] = set(snippets.missed)
            score.leaked[page.url] = set(snippets.leaked)
    score.dev = {half: total(pages) for half, pages in per_half.items()}
    score.dev["all"] = score.dev["A"] + score.dev["B"]
    return score


COLUMNS = ("dA F", "dB F", "dAll F", "dAll R", "dAll P", "dAEB")
HEADER = f"{'family (turned off)':52} " + " ".join(f"{c:>7}" for c in COLUMNS)


def _row(name: str, base: Score, run: Score) -> str:
    """Each figure of ``run`` minus the baseline's: positive when the parser does better
    without the family."""
    pairs = [
        (base.dev["A"].f, run.dev["A"].f),
        (base.dev["B"].f, run.dev["B"].f),
        (base.dev["all"].f, run.dev["all"].f),
        (base.dev["all"].recall, run.dev["all"].recall),
        (base.dev["all"].precision, run.dev["all"].precision),
        (base.aeb, run.aeb),
    ]
    return f"{name[:52]:52} " + " ".join(f"{after - before:>+7.4f}" for before, after in pairs)


def _shown(base: Score, run: Score, pages: int) -> list[str]:
    """Half A pages where the family changed the output: snippets it removed, and kept out."""
    out = []
    for url in base.missed:
        removed = base.missed[url] - run.missed[url]
        kept_out = run.leaked[url] - base.leaked[url]
        lost = run.missed[url] - base.missed[url]
        let_in = base.leaked[url] - run.leaked[url]
        if not (removed or kept_out or lost or let_in):
            continue
        out.append(f"    {url}")
        out += [f"      removes truth: {s[:90]!r}" for s in sorted(removed)]
        out += [f"      keeps out:     {s[:90]!r}" for s in sorted(kept_out)]
        out += [f"      (off loses):   {s[:90]!r}" for s in sorted(lost)]
        out += [f"      (off avoids):  {s[:90]!r}" for s in sorted(let_in)]
        if len(out) > pages * 6:
            break
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("aeb", nargs="?", type=Path, default=DEFAULT_AEB)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--only", nargs="*", default=None, help="substrings of family names")
    parser.add_argument("--show", type=int, default=0, help="half A pages to list per family")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--list", action="store_true", help="name the families and stop")
    parser.add_argument(
        "--attribute", action="store_true", help="put each missed dev snippet down to a cause"
    )
    args = parser.parse_args(argv)
    chosen = families()
    if args.only:
        chosen = [f for f in chosen if any(part in f.name for part in args.only)]
    if args.list:
        print("\n".join(f.name for f in chosen))
        return 0
    try:
        dev = load_dev_pages(args.dev, args.limit)
        aeb = [] if args.attribute else load_pages(args.aeb, args.limit)
    except (DataError, DevDataError) as error:
        print(f"ablation: {error}", file=sys.stderr)
        return 2
    if args.attribute:
        from benchmarks.attribution import attribute

        print(attribute(dev, args.show))
        return 0
    started = time.process_time()
    base = score_all(aeb, dev)
    print(
        f"baseline: dev A F {base.dev['A'].f:.4f}  B F {base.dev['B'].f:.4f}  "
        f"all F {base.dev['all'].f:.4f} (R {base.dev['all'].recall:.4f} "
        f"P {base.dev['all'].precision:.4f})  AEB F1 {base.aeb:.4f}  "
        f"[{time.process_time() - started:.0f} s a run]"
    )
    print(HEADER)
    report = {"baseline": _figures(base), "families": {}}
    for family in chosen:
        with ExitStack() as stack:
            stack.enter_context(family.off())  # type: ignore[arg-type]
            run = score_all(aeb, dev)
        print(_row(family.name, base, run), flush=True)
        report["families"][family.name] = _figures(run)
        if args.show:
            for line in _shown(base, run, args.show):
                print(line)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


def _figures(score: Score) -> dict[str, float]:
    figures = {"aeb_f1": score.aeb}
    for half, counts in score.dev.items():
        figures[f"dev_{half}_f"] = counts.f
        figures[f"dev_{half}_recall"] = counts.recall
        figures[f"dev_{half}_precision"] = counts.precision
    return figures


if __name__ == "__main__":
    sys.exit(main())
