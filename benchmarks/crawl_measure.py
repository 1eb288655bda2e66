"""Measuring one crawl from outside: wall time, pages served, the process tree's memory.

Used by ``benchmarks/crawl.py``. Memory is the summed RSS of the crawl process and all its
descendants (extraction workers included), read from /proc every 0.5 s; progress is the
benchmark site's count of article pages served (``/__served``).
"""

import contextlib
import json
import os
import resource
import statistics
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.crawl_site import article_page, page_path

SAMPLE_SECONDS = 0.5  # a sample costs about 15 ms of CPU: keep the tax small


@dataclass
class Run:
    mode: str
    seconds: float
    pages: int
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (t, served, rss)
    returncode: int = 0
    note: str = ""
    crawl_cpu: float = 0.0  # CPU seconds of the crawl process itself (not its workers)
    tree_cpu: float = 0.0  # CPU seconds of the crawl process and all its (reaped) workers
    # (served, RSS) of the crawl process alone, beside the tree's, to tell where growth is
    own_rss: list[tuple[int, int]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def peak_mb(self) -> float:
        return max((rss for _, _, rss in self.samples), default=0) / 2**20

    def steady_rate(self) -> float:
        """Pages per second between the 10% and 90% marks of the pages served."""
        low, high = self._time_at(0.1 * self.pages), self._time_at(0.9 * self.pages)
        if low is None or high is None or high <= low:
            return 0.0
        return 0.8 * self.pages / (high - low)

    def _time_at(self, served: float) -> float | None:
        return next((t for t, count, _ in self.samples if count >= served), None)

    def rss_mb_at(self, served: int, own: bool = False) -> float | None:
        """The tree's (or with ``own`` the crawl process's) median RSS over the samples within
        250 pages of ``served``."""
        pairs = self.own_rss if own else [(count, rss) for _, count, rss in self.samples]
        near = [rss for count, rss in pairs if abs(count - served) <= 250]
        return statistics.median(near) / 2**20 if near else None


def tree_rss(root: int) -> int:
    """Summed resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(_rss(pid) for pid in tree)


def children_cpu() -> float:
    """CPU seconds of this process's reaped children and, through them, their reaped
    children: the delta across one crawl is the whole crawl tree's CPU time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of one process so far, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def served(base: str) -> int:
    with urllib.request.urlopen(f"{base}/__served", timeout=5) as answer:
        return int(json.load(answer)["served"])


def measure(mode: str, command: list[str], cwd: Path, env: dict[str, str], base: str) -> Run:
    """Run one crawl to the end, sampling its tree's memory and the site's served count."""
    before = served(base)
    cpu_before = children_cpu()
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    samples: list[tuple[float, int, int]] = []
    own_rss: list[tuple[int, int]] = []
    stderr_lines: list[str] = []
    reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr or []))
    reader.start()
    crawl_cpu = 0.0
    while process.poll() is None:
        done = served(base) - before
        samples.append((time.monotonic() - started, done, tree_rss(process.pid)))
        own_rss.append((done, _rss(process.pid)))
        crawl_cpu = cpu_seconds(process.pid) or crawl_cpu
        time.sleep(SAMPLE_SECONDS)
    seconds = time.monotonic() - started
    reader.join()
    run = Run(mode, seconds, served(base) - before, samples, process.returncode)
    run.crawl_cpu = crawl_cpu
    run.tree_cpu = children_cpu() - cpu_before
    run.own_rss = own_rss
    if process.returncode != 0:
        run.note = f"exit {process.returncode}: " + "".join(stderr_lines[-5:]).strip()[-300:]
    return run


def med(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def cpu_accounting(
    runs: dict[str, list[Run]], extraction: tuple[float, float, float], cores: int
) -> None:
    """Where a page's CPU time goes, and what the rate target asks of it in CPU terms (which
    other people's load on the machine inflates far less than wall-clock rates)."""
    _, median_cpu, mean_cpu = extraction

    def per_page(mode: str, field: str) -> float | None:
        return med([getattr(r, field) / r.pages for r in runs.get(mode, []) if r.pages])

    crawl, total = per_page("archive", "crawl_cpu"), per_page("archive", "tree_cpu")
    if not crawl or not total:
        return
    lines = [
        ("Scrapy alone, its process", per_page("scrapy", "crawl_cpu")),
        ("archive, crawl process", crawl),
        ("archive, extraction workers", total - crawl),
        ("archive, all its processes", total),
        ("extraction alone, median (this process)", median_cpu),
        ("extraction alone, mean", mean_cpu),
    ]
    print("\nCPU ms per page (start-up included):")
    for label, value in lines:
        print(f"  {label:<42} {fmt(None if value is None else value * 1000):>6}")
    need = 0.7 * cores / median_cpu
    print(
        f"  {cores} free cores allow at most {cores / total:.1f} p/s; the rate target, in CPU"
        f" time {need:.1f} p/s, needs at most {cores / need * 1000:.1f} ms a page in all"
        f" ({1 / 0.7:.2f} x the median extraction), of which extraction's mean alone takes"
        f" {mean_cpu * 1000:.1f}"
    )
    scrapy = per_page("scrapy", "crawl_cpu")
    if scrapy:  # fetching with Scrapy and extracting, with nothing else: a floor, not a goal
        floor = scrapy + mean_cpu
        print(
            f"  Scrapy's fetch plus the mean extraction alone take {floor * 1000:.1f} ms a page:"
            f" {cores} cores could not pass {cores / floor:.1f} p/s with them; the archive"
            f" reaches {floor / total:.2f} x that in CPU terms (storage, compression, the"
            f" workers' transport and start-up are the rest)"
        )


def median_extraction_seconds(pages: list[bytes]) -> tuple[float, float, float]:
    """``extract_article`` on one copy of each of the site's real pages (decoded text, as a
    crawl passes it), in this process, after a short warm-up: the median wall-clock seconds,
    the median CPU seconds (which a busy machine inflates far less) and the mean CPU seconds
    (what a crawl pays per page on average)."""
    from archive.errors import ArchiveError
    from archive.extract import extract_article

    # Every template once: the crawl cycles through all of them, so a median over a part of
    # them (the first 60, say) would be the median of some other site.
    texts = [article_page(pages, n).decode("utf-8", "replace") for n in range(len(pages))]
    times, cpu = [], []
    for number, text in enumerate(texts[:5] + texts):
        started, cpu_started = time.perf_counter(), time.thread_time()
        with contextlib.suppress(ArchiveError):  # a refused page costs its time all the same
            extract_article(text, f"http://127.0.0.1{page_path(number)}")
        if number >= 5:
            times.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - cpu_started)
    return statistics.median(times), statistics.median(cpu), statistics.fmean(cpu)
