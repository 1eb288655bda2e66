#!/usr/bin/env python3
"""How big a fresh crawl's archive is, with and without training dictionaries during the crawl.

Usage::

    python benchmarks/fresh_crawl.py DATA_DIR [--pages 300] [--kind storage] [--repeat 3]

Serves a loopback site of ``--pages`` article pages made from the real pages in DATA_DIR
(``benchmarks/crawl_site.py``; ``--kind storage``: the copies of ``benchmarks/storage.py``,
markup kept and every run of text replaced; ``--kind copies``: real page ``i mod K`` with a
paragraph of its own), and crawls its sitemap into a fresh archive with ``archive crawl
sitemap``, in two modes, interleaved ``--repeat`` times:

- ``before``: ``-s ARCHIVE_CRAWL_DICTIONARIES=False``, as crawls were before: bodies packed at
  zstd 3 without a dictionary;
- ``after``: the default: a site's dictionary trained as soon as it has enough pages, later
  pages packed with it, the first ones re-packed when the crawl ends.

Printed per mode (medians): the archive file (after a WAL checkpoint) against the raw HTML
bytes crawled, the bodies alone against them, and crawl pages/s (Scrapy's elapsed time, as the
crawl summary prints it). Then the ``before`` archive after ``archive compact`` (what one had
to run by hand until now), as an anchor.
"""

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.crawl import clean_env, settings_args  # noqa: E402

MODES = {"before": {"ARCHIVE_CRAWL_DICTIONARIES": "False"}, "after": {}}


def start_site(args: argparse.Namespace) -> tuple[subprocess.Popen[str], str]:
    script = REPO / "benchmarks" / "crawl_site.py"
    command = [sys.executable, str(script), str(args.data_dir), "--pages", str(args.pages)]
    command += ["--kind", args.kind, "--sites", str(args.sites)]
    site = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = site.stdout.readline() if site.stdout else ""
    if not line.startswith("PORT "):
        site.kill()
        sys.exit("the benchmark site did not start")
    return site, f"http://127.0.0.1:{int(line.split()[1])}"


def crawl(base: str, db: Path, extra: dict[str, str]) -> None:
    command = [sys.executable, "-m", "archive", "crawl", "sitemap", f"{base}/sitemap.xml"]
    # The sites stand on 127.0.0.2 ... as well: addresses the network guard calls internal
    # unless the run allows them (without this only the first site's pages were archived).
    command += ["--db", str(db), "--allow-private", *settings_args(extra)]
    subprocess.run(command, env=clean_env(), check=False, stdout=subprocess.DEVNULL)


def measure(db: Path) -> dict[str, float]:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw, packed = conn.execute("SELECT sum(size), sum(length(data)) FROM bodies").fetchone()
        (stats,) = conn.execute("SELECT stats FROM crawls ORDER BY id LIMIT 1").fetchone()
        pages = conn.execute("SELECT count(*) FROM captures WHERE outcome = 'article'").fetchone()
        dictionaries = conn.execute("SELECT count(*), sum(size) FROM zstd_dictionaries").fetchone()
    import json

    elapsed = float(json.loads(stats).get("elapsed_time_seconds") or 0.0)
    return {
        "ratio": db.stat().st_size / raw,
        "bodies": packed / raw,
        "rate": pages[0] / elapsed if elapsed else 0.0,
        "articles": pages[0],
        "dictionaries": dictionaries[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--kind", choices=("storage", "copies"), default="storage")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--sites", type=int, default=10, help="sites the pages come from (storage kind)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fresh-crawl-"))
    site, base = start_site(args)
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    try:
        for number in range(args.repeat):
            for mode, extra in MODES.items():
                db = work / f"{mode}-{number}.db"
                crawl(base, db, extra)
                results[mode].append(measure(db))
                print(mode, number, results[mode][-1], file=sys.stderr, flush=True)
        anchor = work / "before-0.db"
        compact = [sys.executable, "-m", "archive", "compact", "--db", str(anchor)]
        subprocess.run(compact, env=clean_env(), check=True, stdout=subprocess.DEVNULL)
        compacted = measure(anchor)
    finally:
        site.stdin.close() if site.stdin else None
        site.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    crawled = f"{args.pages} pages ({args.kind}, {args.sites} sites)"
    print(f"| {crawled} | DB / raw HTML | bodies / raw HTML | pages/s |")
    print("|---|---|---|---|")
    for mode, runs in results.items():
        ratio, bodies, rate = (statistics.median(r[key] for r in runs) for key in MODES_KEYS)
        print(f"| {mode} | {ratio:.3f} | {bodies:.3f} | {rate:.1f} |")
    after = f"{compacted['ratio']:.3f} | {compacted['bodies']:.3f}"
    print(f"| before, then `archive compact` | {after} | - |")
    stored = sorted({int(r["articles"]) for runs in results.values() for r in runs})
    print(f"\n{args.repeat} runs per mode, interleaved; {os.cpu_count()} cores;", end=" ")
    print(f"articles stored per crawl: {', '.join(map(str, stored))} of {args.pages} pages")
    return 0


MODES_KEYS = ("ratio", "bodies", "rate")

if __name__ == "__main__":
    sys.exit(main())
