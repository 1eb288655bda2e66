#!/usr/bin/env python3
"""Crawl speed and memory: the archive against Scrapy alone and trafilatura, in one run.

Usage::

    python benchmarks/crawl.py DATA_DIR [--pages 5000] [--repeat 1] [--skip MODE ...]

Serves a loopback site of ``--pages`` distinct article pages made from the real pages in
DATA_DIR (``html/*.html.gz``; the golden pages under ``tests/pages/`` when it has none), with
an index, a sitemap and a feed (``benchmarks/crawl_site.py``, in its own process), then crawls
all of it with each mode, one after the other:

- ``scrapy``: Scrapy fetching the URL list, no processing (``benchmarks/crawl_baseline.py``);
- ``archive``: ``archive crawl sitemap`` into a fresh database, extraction in the process pool
  (one worker per core); until that command exists, the ``page`` spider on the URL list;
- ``archive-1``: the same with ``ARCHIVE_EXTRACT_PROCESSES=1`` (extraction in the crawl process);
- ``trafilatura``: trafilatura's command line on the URL list with ``--parallel`` and a config
  whose per-host ``SLEEP_TIME`` is 0 (and loopback allowed: ``SSRF_PROTECTION = off``).

Every crawl gets 64 concurrent requests with politeness lifted. For each run: wall time (start
to exit, start-up included) and pages/s over it; "steady p/s", the rate between the 10% and 90%
marks of the pages served; peak memory, the summed RSS of the crawl's process tree (workers
included), sampled every 0.5 s; and the tree's RSS around the 1,000th page and the last
1,000th page, whose difference per page says whether memory grows with the crawl. With
``--repeat`` the modes are interleaved and the table shows medians. The machine may be shared:
trust the ratios (measured in the same run) more than absolute figures.

Targets (issue 4): archive >= 0.7 x cores / median extraction seconds per page (the median is
measured here, on the same pages, before the crawls), archive >= 1.5 x trafilatura, archive
peak memory < 400 MB, and growth between the first and last thousand pages within noise.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from any folder
    sys.path.insert(0, str(REPO))

from benchmarks.crawl_measure import (  # noqa: E402
    Run,
    cpu_accounting,
    fmt,
    measure,
    med,
    median_extraction_seconds,
)
from benchmarks.crawl_site import load_pages, page_path  # noqa: E402

MODES = ("scrapy", "archive", "archive-1", "trafilatura")
CONCURRENCY = 64
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": str(CONCURRENCY),
    "CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
    "DOWNLOAD_DELAY": "0",
    "ROBOTSTXT_OBEY": "True",
    "TELNETCONSOLE_ENABLED": "False",
    "LOG_LEVEL": "WARNING",
}
MEMORY_TARGET_MB = 400


# -- the modes ----------------------------------------------------------------------------


def settings_args(extra: dict[str, str] | None = None) -> list[str]:
    pairs = {**FAST, **(extra or {})}
    return [arg for name, value in pairs.items() for arg in ("-s", f"{name}={value}")]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def has_crawl_sitemap() -> bool:
    check = [sys.executable, "-m", "archive", "crawl", "sitemap", "--help"]
    return subprocess.run(check, capture_output=True, env=clean_env()).returncode == 0


def archive_command(base: str, urls_file: Path, db: Path, use_sitemap: bool) -> list[str]:
    if use_sitemap:
        return [
            sys.executable,
            "-m",
            "archive",
            "crawl",
            "sitemap",
            f"{base}/sitemap.xml",
            "--db",
            str(db),
            *settings_args(),
        ]
    # Until `archive crawl sitemap` exists: the page spider on the same URLs.
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "page",
        "-a",
        f"urls_file={urls_file}",
        "-s",
        f"ARCHIVE_DB={db}",
        *settings_args(),
    ]


def trafilatura_config(folder: Path) -> Path:
    """trafilatura's own settings with no per-host sleep and loopback downloads allowed."""
    import trafilatura

    text = (Path(trafilatura.__file__).parent / "settings.cfg").read_text(encoding="utf-8")
    lines = []
    for line in text.splitlines():
        if line.startswith("SLEEP_TIME"):
            line = "SLEEP_TIME = 0"
        elif line.startswith("SSRF_PROTECTION"):
            line = "SSRF_PROTECTION = off"
        lines.append(line)
    config = folder / "trafilatura.cfg"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def mode_command(mode: str, base: str, work: Path, number: int, use_sitemap: bool) -> list[str]:
    urls_file = work / "urls.txt"
    if mode == "scrapy":
        spider = REPO / "benchmarks" / "crawl_baseline.py"
        return [
            sys.executable,
            "-m",
            "scrapy",
            "runspider",
            str(spider),
            "-a",
            f"urls_file={urls_file}",
            *settings_args({"REMOTE_CONTROL_ENABLED": "False"}),
        ]
    if mode in ("archive", "archive-1"):
        return archive_command(base, urls_file, work / f"{mode}-{number}.db", use_sitemap)
    output = work / f"trafilatura-{number}"
    script = shutil.which("trafilatura", path=str(Path(sys.executable).parent)) or "trafilatura"
    return [
        script,
        "-i",
        str(urls_file),
        "--parallel",
        str(CONCURRENCY),
        "-o",
        str(output),
        "--config-file",
        str(trafilatura_config(work)),
    ]


# -- the run ------------------------------------------------------------------------------


def start_site(data_dir: Path, pages: int) -> tuple[subprocess.Popen[str], str]:
    site = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "benchmarks" / "crawl_site.py"),
            str(data_dir),
            "--pages",
            str(pages),
        ],
        stdin=subprocess.PIPE,  # the site ends when this process closes it or dies
        stdout=subprocess.PIPE,
        text=True,
    )
    line = site.stdout.readline() if site.stdout else ""
    if not line.startswith("PORT "):
        site.kill()
        sys.exit("the benchmark site did not start")
    return site, f"http://127.0.0.1:{int(line.split()[1])}"


def archive_counts(db: Path) -> str:
    import sqlite3

    if not db.exists():
        return "no database"
    with sqlite3.connect(db) as conn:
        captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return f"{captures} captures, {articles} articles"


def run_all(
    args: argparse.Namespace,
    base: str,
    work: Path,
    pages: list[bytes],
    extraction: list[tuple[float, float, float]],
) -> dict[str, list[Run]]:
    (work / "urls.txt").write_text(
        "".join(f"{base}{page_path(n)}\n" for n in range(args.pages)), encoding="utf-8"
    )
    use_sitemap = has_crawl_sitemap()
    modes = [mode for mode in MODES if mode not in args.skip]
    runs: dict[str, list[Run]] = {mode: [] for mode in modes}
    for number in range(args.repeat):
        for mode in modes:
            env = clean_env(ARCHIVE_EXTRACT_PROCESSES="1") if mode == "archive-1" else clean_env()
            command = mode_command(mode, base, work, number, use_sitemap)
            if mode == "archive":  # the machine's speed now, right beside the crawl
                extraction.append(median_extraction_seconds(pages))
            run = measure(mode, command, work, env, base)
            if mode.startswith("archive"):
                run.note = (run.note + " " + archive_counts(work / f"{mode}-{number}.db")).strip()
            runs[mode].append(run)
            print(
                f"  {mode:<12} run {number + 1}: {run.pages} pages in {run.seconds:.1f} s,"
                f" {run.rate:.1f} p/s, peak {run.peak_mb:.0f} MB,"
                f" crawl process CPU {run.crawl_cpu * 1000 / max(run.pages, 1):.1f} ms/page"
                f" (all its processes {run.tree_cpu * 1000 / max(run.pages, 1):.1f}),"
                f" crawl process RSS {fmt(run.rss_mb_at(1000, own=True), '.0f')} MB at page"
                f" 1000, {fmt(run.rss_mb_at(run.pages - 1000, own=True), '.0f')} MB at"
                f" {run.pages - 1000}"
                f" {run.note}",
                file=sys.stderr,
                flush=True,
            )
    how = "archive crawl sitemap" if use_sitemap else "scrapy crawl page (URL file)"
    print(f"  archive runs used: {how}", file=sys.stderr)
    return runs


def report(runs: dict[str, list[Run]], pages: int, extraction: tuple[float, float, float]) -> bool:
    """Print the table and the targets; True when every target is met."""
    rate = {mode: med([r.rate for r in rs]) or 0.0 for mode, rs in runs.items()}
    low, high = 1000, max(pages - 1000, 1000)
    print(f"\n{pages} pages, {CONCURRENCY} concurrent requests, medians of {_repeats(runs)} run(s)")
    header = "mode          pages/s  steady p/s  vs scrapy  vs trafilatura  peak MB"
    print(header + f"  MB@{low}  MB@{high}  KB/page {low}->{high}")
    for mode, rs in runs.items():
        at_low = med([r.rss_mb_at(low) for r in rs])
        at_high = med([r.rss_mb_at(high) for r in rs])
        growth = None
        if at_low is not None and at_high is not None and high > low:
            growth = (at_high - at_low) * 1024 / (high - low)
        print(
            f"{mode:<12} {rate[mode]:>8.1f} {fmt(med([r.steady_rate() for r in rs])):>11}"
            f" {fmt(_ratio(rate[mode], rate.get('scrapy')), '.2f'):>10}"
            f" {fmt(_ratio(rate[mode], rate.get('trafilatura')), '.2f'):>15}"
            f" {fmt(med([r.peak_mb for r in rs]), '.0f'):>8} {fmt(at_low, '.0f'):>7}"
            f" {fmt(at_high, '.0f'):>7} {fmt(growth, '+.2f'):>15}"
        )
    return targets(runs, rate, extraction)


def _repeats(runs: dict[str, list[Run]]) -> int:
    return max((len(rs) for rs in runs.values()), default=0)


def _ratio(a: float, b: float | None) -> float | None:
    return a / b if b else None


def targets(
    runs: dict[str, list[Run]], rate: dict[str, float], extraction: tuple[float, float, float]
) -> bool:
    if "archive" not in runs:
        return True
    extraction_s = extraction[0]
    cores = os.cpu_count() or 1
    ours = rate["archive"]
    bound = 0.7 * cores / extraction_s
    checks = [
        (
            f"archive {ours:.1f} p/s >= 0.7 x {cores} cores / {extraction_s * 1000:.1f} ms"
            f" median extraction = {bound:.1f} p/s",
            ours >= bound,
        )
    ]
    if rate.get("trafilatura"):
        checks.append(
            (
                f"archive {ours:.1f} p/s >= 1.5 x trafilatura {rate['trafilatura']:.1f}"
                f" = {1.5 * rate['trafilatura']:.1f} p/s",
                ours >= 1.5 * rate["trafilatura"],
            )
        )
    peak = med([r.peak_mb for r in runs["archive"]]) or 0.0
    checks.append((f"archive peak memory {peak:.0f} MB < {MEMORY_TARGET_MB} MB", peak < 400))
    print()
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    cpu_accounting(runs, extraction, cores)
    return all(ok for _, ok in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip", nargs="*", default=[], choices=MODES)
    args = parser.parse_args()
    pages = load_pages(args.data_dir if args.data_dir.is_dir() else None)
    extraction = [median_extraction_seconds(pages)]
    site, base = start_site(args.data_dir, args.pages)
    try:
        with tempfile.TemporaryDirectory(prefix="crawl-bench-") as folder:
            runs = run_all(args, base, Path(folder), pages, extraction)
    finally:
        site.terminate()
        site.wait(timeout=10)
    medians = (
        statistics.median(wall for wall, _, _ in extraction),
        statistics.median(cpu for _, cpu, _ in extraction),
        statistics.median(mean for _, _, mean in extraction),
    )
    print(
        "extraction ms/page (median wall/median CPU/mean CPU), before the runs and beside"
        " each archive run: "
        + ", ".join("/".join(f"{v * 1000:.1f}" for v in sample) for sample in extraction),
        file=sys.stderr,
    )
    sys.exit(0 if report(runs, args.pages, medians) else 1)


if __name__ == "__main__":
    main()
