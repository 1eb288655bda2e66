#!/usr/bin/env python3
"""Per-page CPU time of our extractor, and a dump of its records to prove a speed-up changed none.

Usage::

    python benchmarks/extraction_speed.py time DATA_DIR [--repeat N] [--slowest N]
    python benchmarks/extraction_speed.py dump DATA_DIR OUT.jsonl

``time`` runs ``extract_article`` on every page of DATA_DIR (the article-extraction-benchmark's
shape, as ``benchmarks/extraction.py`` reads it) and prints the median, mean, p90 and max of
the per-page CPU time (``time.process_time``: a shared, busy machine inflates wall time, not
this), each page's time being its best of ``--repeat`` passes; then the CPU time of the best
whole pass, which also counts what falls between calls (garbage collection); then the slowest
pages.

``dump`` writes one JSON line per input: every benchmark page (as text, as UTF-8 bytes, and
without its URL) and every golden page in ``tests/pages``, each with the whole record
(``dataclasses.asdict``) or the error's class and reason. Dump before a change and after it,
then ``cmp`` the two files: a pure speed-up leaves them byte-identical.
"""

import argparse
import contextlib
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

# Run as a script from any folder: make the checkout (``benchmarks``, ``archive``) importable.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.errors import ArchiveError  # noqa: E402
from archive.extract import extract_article  # noqa: E402
from benchmarks.extraction import DataError, load_pages  # noqa: E402

GOLDEN = ROOT / "tests" / "pages"


def outcome(html: str | bytes, url: str | None) -> dict:
    """The record as a dict, or the typed error's class and reason."""
    try:
        record = extract_article(html, url)
    except ArchiveError as error:
        return {"error": type(error).__name__, "reason": str(getattr(error, "reason", error))}
    return dataclasses.asdict(record)


def golden_pages() -> Iterator[tuple[str, str, str | None]]:
    """(slug, html, url) of each golden page."""
    for folder in sorted(p for p in GOLDEN.iterdir() if (p / "source.html").is_file()):
        url_file = folder / "url.txt"
        url = url_file.read_text(encoding="utf-8").strip() if url_file.is_file() else None
        yield folder.name, (folder / "source.html").read_text(encoding="utf-8"), url


def dump(data_dir: Path, out: Path) -> int:
    pages = load_pages(data_dir, None)
    with out.open("w", encoding="utf-8") as sink:

        def write(key: str, html: str | bytes, url: str | None) -> None:
            line = {"key": key, "record": outcome(html, url)}
            sink.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")

        for page_id, url, _, html in pages:
            write(f"aeb/{page_id}", html, url)
            write(f"aeb-bytes/{page_id}", html.encode("utf-8"), url)
            write(f"aeb-no-url/{page_id}", html, None)
        for slug, html, url in golden_pages():
            write(f"golden/{slug}", html, url)
    print(f"wrote {out}")
    return 0


def page_time(html: str, url: str) -> float:
    """The CPU time of one extraction, in seconds."""
    start = time.process_time()
    # A page that is no article costs its time all the same.
    with contextlib.suppress(ArchiveError):
        extract_article(html, url)
    return time.process_time() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timing(data_dir: Path, repeat: int, slowest: int) -> int:
    pages = load_pages(data_dir, None)
    for _, url, _, html in pages[:5]:
        page_time(html, url)  # warm-up: imports, compiled patterns, caches
    times = {page_id: float("inf") for page_id, *_ in pages}
    passes = []
    for _ in range(repeat):
        # A pass's own total also counts what falls between calls (the garbage collector).
        start = time.process_time()
        for page_id, url, _, html in pages:
            times[page_id] = min(times[page_id], page_time(html, url))
        passes.append(time.process_time() - start)
    ms = [t * 1000 for t in times.values()]
    print(
        f"{len(ms)} pages, CPU ms per page (best of {repeat}): median {statistics.median(ms):.2f}"
        f"  mean {statistics.fmean(ms):.2f}  p90 {percentile(ms, 0.9):.2f}  max {max(ms):.2f}"
    )
    per_page = min(passes) * 1000 / len(pages)
    print(f"whole pass, everything counted: {min(passes):.2f} s, {per_page:.2f} ms per page")
    sizes = {page_id: len(html) for page_id, _, _, html in pages}
    for page_id in sorted(times, key=times.__getitem__, reverse=True)[:slowest]:
        print(f"  {times[page_id] * 1000:8.2f} ms  {sizes[page_id] / 1000:7.0f} kB  {page_id}")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time our extractor; dump its records.")
    commands = parser.add_subparsers(dest="command", required=True)
    timer = commands.add_parser("time", help="per-page CPU time on benchmark pages")
    timer.add_argument("data_dir", type=Path)
    timer.add_argument("--repeat", type=int, default=3, help="passes over the pages, best kept")
    timer.add_argument("--slowest", type=int, default=10, help="list this many slowest pages")
    dumper = commands.add_parser("dump", help="write every record as JSON lines")
    dumper.add_argument("data_dir", type=Path)
    dumper.add_argument("out", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.command == "dump":
            return dump(args.data_dir, args.out)
        return timing(args.data_dir, args.repeat, args.slowest)
    except DataError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
