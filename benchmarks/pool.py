#!/usr/bin/env python3
"""The extraction pool alone: pages/s and CPU per page for 1..N worker processes, no Scrapy.

Usage::

    python benchmarks/pool.py DATA_DIR [--pages 1810] [--processes 1 2]

Feeds ``crawler.pool.ExtractionPool`` the crawl benchmark's pages (``benchmarks/crawl_site.py``:
real page ``i mod K``, made distinct) from one asyncio loop, as the crawl's pipeline does, and
prints for each pool size: pages/s, its ratio to one worker, the feeding process's CPU per page
and the workers' CPU per page (extraction, decoding, hashing and packing the body, and their
start-up). Beside them, extraction alone in this process (median and mean CPU per page), the
yardstick of the crawl benchmark's rate target. What the pool cannot do beyond this, the crawl
cannot either: ``benchmarks/crawl.py`` adds Scrapy and storage.
"""

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from any folder
    sys.path.insert(0, str(REPO))

from benchmarks.crawl_measure import median_extraction_seconds  # noqa: E402
from benchmarks.crawl_site import article_page, load_pages, page_path  # noqa: E402
from crawler.pool import ExtractionJob, ExtractionPool  # noqa: E402

CONTENT_TYPE = "text/html; charset=utf-8"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pool(bodies: list[bytes], processes: int) -> tuple[float, float, float]:
    """Pages/s, and the feeding process's and the workers' CPU seconds per page."""
    pool = ExtractionPool(processes)

    async def extract_all() -> None:
        jobs = [
            pool.extract(
                ExtractionJob(CONTENT_TYPE, None, f"http://127.0.0.1{page_path(n)}", body, "utf-8")
            )
            for n, body in enumerate(bodies)
        ]
        await asyncio.gather(*jobs)

    workers_before = children_cpu()
    started, cpu_started = time.perf_counter(), time.process_time()
    asyncio.run(extract_all())
    wall, feeding = time.perf_counter() - started, time.process_time() - cpu_started
    pool.shutdown()  # reaps the workers, so their CPU time is counted
    workers = children_cpu() - workers_before
    return len(bodies) / wall, feeding / len(bodies), workers / len(bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--pages", type=int, default=1810)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, os.cpu_count() or 1])
    args = parser.parse_args()
    pages = load_pages(args.data_dir if args.data_dir.is_dir() else None)
    bodies = [article_page(pages, n) for n in range(args.pages)]
    _, median, mean = median_extraction_seconds(pages)  # CPU time
    print(f"{args.pages} pages; extraction alone: median {median * 1000:.2f}, mean"
          f" {mean * 1000:.2f} ms CPU a page")  # fmt: skip
    print("processes  pages/s  vs 1  feeding CPU ms/page  workers CPU ms/page")
    first = None
    for processes in args.processes:
        rate, feeding, workers = run_pool(bodies, processes)
        first = first or rate
        print(
            f"{processes:>9}  {rate:>7.1f}  {rate / first:>4.2f}  {feeding * 1000:>19.2f}"
            f"  {workers * 1000:>19.2f}"
        )


if __name__ == "__main__":
    main()
