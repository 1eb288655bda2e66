#!/usr/bin/env python3
"""Distributed crawl speed: one worker against two workers, each with the writer.

Usage::

    python benchmarks/distributed.py [DATA_DIR] [--pages 2000] [--repeat 1]

Serves the crawl benchmark's loopback site (``benchmarks/crawl_site.py``: ``--pages`` distinct
article pages made from DATA_DIR's real pages, or the golden pages) and starts a throw-away
``redis-server`` on 127.0.0.1. Each mode crawls the site's sitemap into a fresh archive:

- ``1 worker``: one ``archive crawl sitemap URL --redis R`` worker and ``archive ingest``;
- ``2 workers``: two such workers (sharing the queue) and ``archive ingest``.

Each worker extracts in its own process (``ARCHIVE_EXTRACT_PROCESSES=1``), so that a worker
stands for a one-core machine; the workers, the writer and Redis share this machine's cores.
The time runs from the start of the processes until the writer has stored every page; pages/s
is pages over that time; "steady" is the rate between 10% and 90% of the pages stored, without
the processes' start-up (3-4 s of imports). CPU is each role's user + system time per page.
The machine may be shared: the ratio, measured in one run, is what to read. Target (issue 6):
two workers >= 1.4 x one worker.
"""

import argparse
import contextlib
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from any folder
    sys.path.insert(0, str(REPO))

from benchmarks.crawl import clean_env, settings_args, start_site  # noqa: E402

TARGET = 1.4
WORKER = {
    "ARCHIVE_EXTRACT_PROCESSES": "1",
    "ARCHIVE_REDIS_HEARTBEAT": "0.5",
    "ARCHIVE_REDIS_DEAD_AFTER": "5",
    "ARCHIVE_REDIS_IDLE_CLOSE": "2",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server(folder: Path):
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(folder)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        yield f"redis://127.0.0.1:{port}/0", port
    finally:
        server.terminate()
        server.wait(timeout=10)


def flush(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"FLUSHALL\r\n")
        sock.recv(64)


def stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(db, timeout=1)) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:  # the writer is creating its tables
        return 0


def cpu_of(process: subprocess.Popen) -> float:
    """CPU seconds (user + system) of an ended child, its own children included."""
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped here; Popen must not wait for it again
    return usage.ru_utime + usage.ru_stime


def run_mode(
    workers: int, base: str, redis_url: str, work: Path, pages: int
) -> tuple[float, float, float, float]:
    """Seconds until the writer has stored every page, with ``workers`` crawl workers; the
    steady rate (pages/s between 10% and 90% stored); the CPU seconds of the workers (all)
    and of the writer."""
    db = work / f"archive-{workers}-{time.monotonic_ns()}.db"
    env = clean_env()
    writer_cmd = [sys.executable, "-m", "archive", "ingest", "--db", str(db),
                  "--redis", redis_url, "--batch", "500"]  # fmt: skip
    worker_cmd = [sys.executable, "-m", "archive", "crawl", "sitemap", f"{base}/sitemap.xml",
                  "--redis", redis_url, "--db", str(work / "unused.db"),
                  *settings_args(WORKER)]  # fmt: skip
    started = time.monotonic()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": work, "env": env}
    writer = subprocess.Popen(writer_cmd, **quiet)
    crawlers = [subprocess.Popen(worker_cmd, **quiet) for _ in range(workers)]
    marks: dict[float, float] = {}  # share of the pages stored -> when first reached
    try:
        while (count := stored(db)) < pages:
            if all(c.poll() is not None for c in crawlers) and time.monotonic() - started > 600:
                sys.exit(f"the workers stopped with {count} of {pages} pages stored")
            for share in (0.1, 0.9):
                if count >= share * pages:
                    marks.setdefault(share, time.monotonic())
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        steady = 0.8 * pages / (marks.get(0.9, time.monotonic()) - marks.get(0.1, started))
    finally:
        for process in [*crawlers, writer]:
            process.terminate()
    return elapsed, steady, sum(cpu_of(c) for c in crawlers), cpu_of(writer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, nargs="?", default=REPO / "tests" / "pages")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    site, base = start_site(args.data_dir, args.pages)
    times: dict[int, list[tuple[float, float, float, float]]] = {1: [], 2: []}
    try:
        with tempfile.TemporaryDirectory() as folder, redis_server(Path(folder)) as (url, port):
            for _ in range(args.repeat):
                for workers in (1, 2):  # interleaved, so load from others hits both alike
                    flush(port)
                    times[workers].append(run_mode(workers, base, url, Path(folder), args.pages))
    finally:
        site.kill()
    report(times, args.pages)


def report(times: dict[int, list[tuple[float, float, float, float]]], pages: int) -> None:
    print(f"Distributed crawl of {pages} pages (median of {len(times[1])} run(s))")
    print("| mode | seconds | pages/s | steady pages/s | worker CPU ms/page | writer CPU ms/page |")
    print("|---|---|---|---|---|---|")
    rates, steadies = {}, {}
    for workers, runs in times.items():
        wall, steady, worker_cpu, writer_cpu = (
            statistics.median(column) for column in zip(*runs, strict=True)
        )
        rates[workers], steadies[workers] = pages / wall, steady
        label = f"{workers} worker{'s' if workers > 1 else ''} + writer"
        print(
            f"| {label} | {wall:.1f} | {rates[workers]:.1f} | {steady:.1f}"
            f" | {1000 * worker_cpu / pages:.1f} | {1000 * writer_cpu / pages:.1f} |"
        )
    ratio, steady_ratio = rates[2] / rates[1], steadies[2] / steadies[1]
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"two workers / one worker: {ratio:.2f}x start to end (target >= {TARGET}x: {verdict}),")
    print(f"{steady_ratio:.2f}x steady (10% to 90% of the pages stored; start-up left out)")


if __name__ == "__main__":
    main()
