"""What a benchmark run collects, and the table, worst-pages list and JSON made from it."""

from dataclasses import dataclass, field
from statistics import median

from benchmarks.extractors import OURS
from benchmarks.scoring import PageScore, Summary, summarize, tokenize


@dataclass(frozen=True)
class Outcome:
    """One extractor on one page."""

    score: PageScore
    status: str  # "ok", "empty", "error: ..." (typed, counts as empty), "fail: ..." (untyped)
    seconds: float
    tokens: int


@dataclass
class Page:
    page_id: str
    url: str
    truth_tokens: int
    outcomes: dict[str, Outcome] = field(default_factory=dict)


@dataclass
class Run:
    """Every extractor's outcome on every page, in page order."""

    names: list[str]
    versions: dict[str, str]
    pages: dict[str, Page] = field(default_factory=dict)

    def start_page(self, page_id: str, url: str, truth: str) -> None:
        self.pages[page_id] = Page(page_id, url, len(tokenize(truth)))

    def add(
        self, page_id: str, name: str, score: PageScore, status: str, seconds: float, text: str
    ) -> None:
        outcome = Outcome(score, status, seconds, len(tokenize(text)))
        self.pages[page_id].outcomes[name] = outcome

    def outcomes(self, name: str) -> list[Outcome]:
        return [page.outcomes[name] for page in self.pages.values()]

    def summary(self, name: str) -> Summary:
        return summarize(o.score for o in self.outcomes(name))

    def failures(self, name: str) -> list[tuple[str, str]]:
        return [
            (p.page_id, p.outcomes[name].status)
            for p in self.pages.values()
            if p.outcomes[name].status.startswith("fail:")
        ]

    def median_ms(self, name: str) -> float | None:
        """Median call time; None when every call failed (the time of a crash means nothing)."""
        outcomes = self.outcomes(name)
        if all(o.status.startswith("fail:") for o in outcomes):
            return None
        return median(o.seconds for o in outcomes) * 1000

    def pages_per_second(self, name: str) -> float | None:
        total = sum(o.seconds for o in self.outcomes(name))
        if self.median_ms(name) is None or total <= 0:
            return None
        return len(self.pages) / total

    def failure_lines(self) -> list[str]:
        """One line per extractor that raised untyped errors: how many, and the first."""
        lines = []
        for name in self.names:
            failed = self.failures(name)
            if failed:
                page_id, status = failed[0]
                lines.append(
                    f"{name}: {len(failed)} pages failed; first {page_id}: "
                    f"{status.removeprefix('fail: ')[:200]}"
                )
        return lines


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table_rows(run: Run) -> list[list[str]]:
    ours = run.median_ms(OURS) if OURS in run.names else None
    rows = []
    for name in run.names:
        summary = run.summary(name)
        own = run.median_ms(name)
        ratio = own / ours if own is not None and ours else None
        label = "ours (archive)" if name == OURS else name
        rows.append(
            [
                label,
                run.versions[name],
                f"{summary.precision:.3f}",
                f"{summary.recall:.3f}",
                f"{summary.f1:.3f}",
                str(summary.empty),
                str(len(run.failures(name))),
                _fmt(own, ".1f"),
                _fmt(run.pages_per_second(name), ".1f"),
                _fmt(ratio, ".2f"),
            ]
        )
    return rows


def time_ratios(run: Run) -> dict[str, float]:
    """Per anchor: the median, over the pages both ran without crashing, of our time on a page
    divided by the anchor's time on that same page (the calls interleaved in one process)."""
    if OURS not in run.names:
        return {}
    ratios: dict[str, float] = {}
    for name in run.names:
        if name == OURS:
            continue
        per_page = []
        for page in run.pages.values():
            mine, theirs = page.outcomes[OURS], page.outcomes[name]
            crashed = mine.status.startswith("fail:") or theirs.status.startswith("fail:")
            if theirs.seconds > 0 and not crashed:
                per_page.append(mine.seconds / theirs.seconds)
        if per_page:
            ratios[name] = median(per_page)
    return ratios


def format_time_ratios(run: Run) -> list[str]:
    """One line per anchor: our time over its time, median per page, and the ratio of medians."""
    ours = run.median_ms(OURS) if OURS in run.names else None
    lines = []
    for name, ratio in time_ratios(run).items():
        theirs = run.median_ms(name)
        of_medians = f"{ours / theirs:.3f}" if ours and theirs else "-"
        lines.append(
            f"time ours / {name}: median per page {ratio:.3f} (median ms {ours:.2f} / "
            f"{_fmt(theirs, '.2f')} = {of_medians})"
        )
    return lines


HEADER = [
    "extractor",
    "version",
    "precision",
    "recall",
    "F1",
    "empty",
    "failed",
    "median ms",
    "pages/s",
    "time vs ours",
]


def format_table(run: Run) -> str:
    """A plain-text table, text columns left-aligned and figures right-aligned."""
    rows = [HEADER, *table_rows(run)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_worst(run: Run, name: str, count: int) -> str:
    """The ``count`` pages where ``name`` scores lowest, with the other extractors' page F1."""
    others = [n for n in run.names if n != name]
    ranked = sorted(run.pages.values(), key=lambda p: (p.outcomes[name].score.f1, p.page_id))
    header = f"{name}: worst {min(count, len(ranked))} pages by page F1 (P, R; tokens ours/truth)"
    lines = [header]
    for rank, page in enumerate(ranked[:count], 1):
        outcome = page.outcomes[name]
        score = outcome.score
        anchors = "  ".join(f"{n} {page.outcomes[n].score.f1:.2f}" for n in others)
        lines.append(
            f"{rank:3}. F1 {score.f1:.3f}  P {_fmt(score.precision, '.2f')}  "
            f"R {_fmt(score.recall, '.2f')}  {outcome.tokens}/{page.truth_tokens} tok  "
            f"{anchors}\n     {page.page_id}  {page.url}"
        )
        if outcome.status not in ("ok", "empty"):
            lines.append(f"     {outcome.status[:200]}")
    return "\n".join(lines)


def to_json(run: Run) -> dict:
    """Figures per extractor and every page's scores, for diffs between parser versions."""
    extractors = {}
    for name, row in zip(run.names, table_rows(run), strict=True):
        summary = run.summary(name)
        extractors[name] = {
            "version": run.versions[name],
            "precision": summary.precision,
            "recall": summary.recall,
            "f1": summary.f1,
            "empty": summary.empty,
            "failed": len(run.failures(name)),
            "median_ms": run.median_ms(name),
            "pages_per_second": run.pages_per_second(name),
            "time_vs_ours": row[-1],
        }
    pages = {
        page.page_id: {
            "url": page.url,
            "truth_tokens": page.truth_tokens,
            **{
                name: {
                    "f1": o.score.f1,
                    "precision": o.score.precision,
                    "recall": o.score.recall,
                    "tokens": o.tokens,
                    "status": o.status,
                    "ms": o.seconds * 1000,
                }
                for name, o in page.outcomes.items()
            },
        }
        for page in run.pages.values()
    }
    return {
        "pages": len(run.pages),
        "extractors": extractors,
        "ours_time_ratio_median": time_ratios(run),
        "per_page": pages,
    }
