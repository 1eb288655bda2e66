"""trafilatura's evaluation pages (``trafilatura-dev``): loading, halves, tables and failures.

``evaldata.json`` maps each URL to ``{"file", "with", "without"}``; the page is ``cache/FILE``,
else ``eval/FILE``, raw bytes in any encoding, decoded as trafilatura decodes them: UTF-8 when
the bytes are valid UTF-8, else the charset that ``charset_normalizer`` detects.

The set is split in two halves by the SHA-1 of the URL (even last byte: half A, odd: half B), a
split that does not move when pages are added. Failures are studied on half A only; half B is
held out to check that what was learned on A carries over.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from benchmarks.extractors import OURS
from benchmarks.snippets import PageSnippets, SnippetCounts, score_snippets, total

HALVES = ("A", "B")


class DevDataError(Exception):
    """The dev-set folder is missing or not of the expected shape."""


@dataclass(frozen=True)
class DevPage:
    url: str
    name: str
    html: str
    wanted: tuple[str, ...]
    unwanted: tuple[str, ...]

    @property
    def half(self) -> str:
        return half_of(self.url)


def half_of(url: str) -> str:
    """ "A" or "B", by the parity of the last byte of the URL's SHA-1."""
    return HALVES[hashlib.sha1(url.encode("utf-8")).digest()[-1] % 2]


def decode(raw: bytes) -> str:
    """UTF-8 if the bytes are valid UTF-8, else the detected charset, else UTF-8 with losses."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return raw.decode("utf-8", errors="replace")
    best = from_bytes(raw).best()
    if best is not None and best.encoding:
        try:
            return raw.decode(best.encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("utf-8", errors="replace")


def _page_bytes(data_dir: Path, name: str) -> bytes:
    for folder in ("cache", "eval"):
        path = data_dir / folder / name
        if path.is_file():
            return path.read_bytes()
    raise DevDataError(f"page {name} is in neither {data_dir}/cache nor {data_dir}/eval")


def load_dev_pages(data_dir: Path, limit: int | None = None) -> list[DevPage]:
    """Every page of the set, sorted by URL."""
    index = data_dir / "evaldata.json"
    if not index.is_file():
        raise DevDataError(f"dev-set data not found: {index} does not exist")
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DevDataError(f"cannot read {index}: {error}") from error
    pages = []
    for url in sorted(entries)[:limit]:
        entry = entries[url]
        html = decode(_page_bytes(data_dir, entry["file"]))
        pages.append(
            DevPage(url, entry["file"], html, tuple(entry["with"]), tuple(entry["without"]))
        )
    return pages


@dataclass(frozen=True)
class DevOutcome:
    snippets: PageSnippets
    status: str  # as in report.Outcome: "ok", "empty", "error: ...", "fail: ..."
    seconds: float

    @property
    def refused(self) -> bool:
        return self.status != "ok"


@dataclass
class DevRun:
    """Every extractor's outcome on every dev page."""

    names: list[str]
    versions: dict[str, str]
    pages: dict[str, DevPage] = field(default_factory=dict)
    outcomes: dict[str, dict[str, DevOutcome]] = field(default_factory=dict)

    def add(self, page: DevPage, name: str, text: str, status: str, seconds: float) -> None:
        self.pages[page.url] = page
        snippets = score_snippets(text, page.wanted, page.unwanted)
        self.outcomes.setdefault(page.url, {})[name] = DevOutcome(snippets, status, seconds)

    def of(self, name: str, half: str | None = None) -> list[DevOutcome]:
        return [
            by_name[name]
            for url, by_name in self.outcomes.items()
            if half is None or self.pages[url].half == half
        ]

    def counts(self, name: str, half: str | None = None) -> SnippetCounts:
        return total(o.snippets for o in self.of(name, half))


TABLE_HEADER = ["set", "extractor", "pages", "precision", "recall", "F", "refused", "median ms"]


def table_rows(run: DevRun) -> list[list[str]]:
    rows = []
    for half, label in (("A", "half A (study)"), ("B", "half B (held out)"), (None, "all")):
        for name in run.names:
            outcomes = run.of(name, half)
            counts = total(o.snippets for o in outcomes)
            label_name = "ours (archive)" if name == OURS else name
            rows.append(
                [
                    label,
                    label_name,
                    str(len(outcomes)),
                    f"{counts.precision:.3f}",
                    f"{counts.recall:.3f}",
                    f"{counts.f:.3f}",
                    str(sum(o.refused for o in outcomes)),
                    f"{median(o.seconds for o in outcomes) * 1000:.1f}" if outcomes else "-",
                ]
            )
    return rows


def format_dev_table(run: DevRun) -> str:
    rows = [TABLE_HEADER, *table_rows(run)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_HEADER))]
    lines = [
        "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_failures(run: DevRun, count: int, half: str = "A") -> str:
    """The pages of ``half`` where ours gets most more snippets wrong than the best anchor."""
    anchors = [n for n in run.names if n != OURS]

    def loss(url: str) -> int:
        by_name = run.outcomes[url]
        best = min((by_name[n].snippets.counts.errors for n in anchors), default=0)
        return by_name[OURS].snippets.counts.errors - best

    urls = sorted((u for u in run.outcomes if run.pages[u].half == half), key=lambda u: -loss(u))
    lines = [f"ours: {count} dev pages of half {half} lost most to the best anchor"]
    for rank, url in enumerate(urls[:count], 1):
        ours = run.outcomes[url][OURS]
        others = "  ".join(f"{n} {run.outcomes[url][n].snippets.counts.errors}" for n in anchors)
        lines.append(
            f"{rank:3}. loss {loss(url)}  errors: ours {ours.snippets.counts.errors}  {others}"
            f"  [{ours.status[:120]}]\n     {run.pages[url].name}  {url}"
        )
        lines += [f"     - missed: {s[:100]!r}" for s in ours.snippets.missed]
        lines += [f"     + leaked: {s[:100]!r}" for s in ours.snippets.leaked]
    return "\n".join(lines)


def to_json(run: DevRun) -> dict:
    per_page = {
        url: {
            "half": run.pages[url].half,
            **{
                name: {
                    "status": o.status,
                    "ms": o.seconds * 1000,
                    "missed": list(o.snippets.missed),
                    "leaked": list(o.snippets.leaked),
                }
                for name, o in by_name.items()
            },
        }
        for url, by_name in run.outcomes.items()
    }
    figures = {}
    for name in run.names:
        for half in ("A", "B", None):
            counts = run.counts(name, half)
            figures.setdefault(name, {})[half or "all"] = {
                "precision": counts.precision,
                "recall": counts.recall,
                "f": counts.f,
                "refused": sum(o.refused for o in run.of(name, half)),
            }
    return {"pages": len(run.pages), "extractors": figures, "per_page": per_page}
