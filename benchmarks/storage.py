#!/usr/bin/env python3
"""Size and speed of the archive database against a plain sqlite-utils table, in one run.

Usage::

    python benchmarks/storage.py DATA_DIR [--sizes 10000,100000] [--workdir DIR]
                                          [--workers 2] [--keep]

DATA_DIR is the AEB data (``html/*.html.gz``). For each size, two databases are built from
the same records (``benchmarks/storage_corpus.py``: distinct copies of the real pages):

- ``archive``: ``ArchiveDB`` through ``archive.store.write.batch.store_many``: bodies hashed and
  zstd-packed in ``--workers`` processes (per-site dictionaries trained as sites grow), rows,
  versions and the FTS index written by one writer;
- ``plain``: sqlite-utils ``insert_all`` (what ``sqlite-utils insert`` runs) of the same
  records with the raw HTML in a column: no compression, no dedup, the same FTS5 index with
  triggers.

Measured: database bytes per article against raw HTML bytes per article; insert rate end to
end (``store_many`` with its packing pool; wall time less the time spent making the copies) and
for the writer alone (once the archive is built: another tenth of its size, packed in the pool
a batch at a time, then written with the pool idle, only the writing timed: what a crawl waits
for, as its extraction workers pack bodies); FTS query time (median and 95th percentile over a
fixed query list, each query ``REPEATS`` times, ranked, 20 hits with a snippet); export time
(``archive export`` to JSONL against ``sqlite-utils rows --nl`` of the same columns, both to
/dev/null).
"""

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlite_utils import Database

from archive.store.bodies.trainer import BackgroundTrainer
from archive.store.db.archive_db import ArchiveDB
from archive.store.write import batch
from archive.store.write.rows import article_row
from benchmarks.storage_corpus import copies, load_templates

QUERIES = [
    "the", "said", "government", "police", "market", "new york", "election", "water",
    "football", "president", "climate", "music", '"prime minister"', "econom*",
    "city council", "health", "technology", "film", "court", "zzzzunlikely",
]  # fmt: skip
REPEATS = 5
SNIPPET_SQL = (
    "SELECT a.id, a.title, snippet(articles_fts, 1, '[', ']', '…', 16) AS snippet"
    " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
    " WHERE articles_fts MATCH ? ORDER BY rank LIMIT 20"
)
# The same search ordered by FTS5's hidden rank column (weights given by ``rank MATCH``), so
# FTS5 sorts and stops at the limit and makes 20 snippets, not one per match.
TOP_K_SQL = (
    "SELECT a.id, a.url, a.title, a.site, a.site_name, a.authors, a.published_at,"
    " a.first_seen_at, a.last_seen_at, hits.snippet, hits.rank FROM ("
    " SELECT rowid, rank, snippet(articles_fts, 1, '[', ']', '…', 16) AS snippet"
    " FROM articles_fts WHERE articles_fts MATCH ? AND rank MATCH 'bm25(10.0, 1.0)'"
    " ORDER BY rank LIMIT 20) hits JOIN articles a ON a.id = hits.rowid ORDER BY hits.rank"
)
EXPORT_COLUMNS = ["id", "url", "title", "authors", "published_at", "site", "text", "tags"]


class Timed:
    """Wraps an iterator and a callable, summing the seconds spent inside each."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.raw_bytes = 0

    def items(self, source: Iterator[tuple]) -> Iterator[tuple]:
        while True:
            start = time.perf_counter()
            try:
                item = next(source)
            except StopIteration:
                return
            self.seconds += time.perf_counter() - start
            self.raw_bytes += len(item[0].body)
            yield item

    def call(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


def file_size(path: Path) -> int:
    db = Database(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path.stat().st_size


def build_archive(path: Path, items: Iterator[tuple], workers: int) -> dict[str, Any]:
    """Build with ``store_many`` as an import would: packing in the pool one batch ahead of
    the writer. The rate is end to end, less the time spent making the copies."""
    making = Timed()
    start = time.perf_counter()
    with ArchiveDB(path) as archive:
        count = sum(1 for _ in batch.store_many(archive, making.items(items), workers=workers))
        wall = time.perf_counter() - start
        bodies = archive.db.execute("SELECT sum(length(data)) FROM bodies").fetchone()[0]
        dictionaries = archive.db["zstd_dictionaries"].count
    return {
        "count": count,
        "raw": making.raw_bytes,
        "rate": count / (wall - making.seconds),
        "bodies": bodies,
        "dictionaries": dictionaries,
    }


def writer_rate(path: Path, first: int, count: int, corpus: tuple, workers: int) -> float:
    """Articles per second the writer stores once their bodies are packed and rows built
    (as a crawl's extraction workers hand them over): ``count`` more copies, prepared in the
    pool a batch at a time, then written with the pool idle; only the writing is timed."""
    writing = Timed()
    with ArchiveDB(path) as archive, batch._executor(workers) as executor:
        archive.db.execute(f"PRAGMA cache_size = -{batch.WRITER_CACHE_KIB}")  # as store_many
        trainer = BackgroundTrainer(archive, executor)
        items = copies(first + count, *corpus)
        for _ in range(first):
            next(items)
        while chunk := list(itertools.islice(items, batch.BATCH_SIZE)):
            tasks = batch._submit(executor, chunk, trainer.dictionaries, "bench")
            prepared = batch._collect(len(chunk), tasks)
            writing.call(batch._write)(archive, chunk, prepared, None)
    return count / writing.seconds


def plain_rows(items: Iterator[tuple]) -> Iterator[dict[str, Any]]:
    for capture, record in items:
        row = article_row(capture, record, capture.fetched_at, "bench")
        row["html"] = capture.body.decode("utf-8")
        yield row


def build_plain(path: Path, items: Iterator[tuple]) -> dict[str, Any]:
    making = Timed()
    start = time.perf_counter()
    db = Database(path)
    rows = plain_rows(making.items(items))
    table = db.table("articles")
    table.insert(next(rows), pk="id")
    table.enable_fts(["title", "text"], create_triggers=True)
    table.insert_all(rows, batch_size=200)
    count = db["articles"].count
    db.close()
    wall = time.perf_counter() - start
    rate = count / (wall - making.seconds)
    return {"count": count, "raw": making.raw_bytes, "writer_rate": rate, "rate": rate}


def fts_times(search: Callable[[str], Any]) -> tuple[float, float, dict[str, float]]:
    """Median and 95th percentile over every run of every query, and each query's median."""
    timings: dict[str, list[float]] = {query: [] for query in QUERIES}
    for _ in range(REPEATS):
        for query in QUERIES:
            start = time.perf_counter()
            search(query)
            timings[query].append((time.perf_counter() - start) * 1000)
    every = sorted(t for runs in timings.values() for t in runs)
    per_query = {query: statistics.median(runs) for query, runs in timings.items()}
    return statistics.median(every), every[int(0.95 * (len(every) - 1))], per_query


def export_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure_archive(path: Path) -> dict[str, Any]:
    with ArchiveDB(path) as archive:
        median, p95, per_query = fts_times(lambda q: archive.search(q, limit=20))
        top_k = fts_times(lambda q: archive.db.execute(TOP_K_SQL, [fts_phrase(q)]).fetchall())
        matches = {
            query: archive.db.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [fts_phrase(query)]
            ).fetchone()[0]
            for query in QUERIES
        }
    archive_cli = [sys.executable, "-m", "archive", "export", "--db", str(path)]
    return {
        "fts_median": median,
        "fts_p95": p95,
        "per_query": per_query,
        "top_k_median": top_k[0],
        "top_k_p95": top_k[1],
        "top_k_per_query": top_k[2],
        "matches": matches,
        "export": export_seconds(archive_cli),
    }


def measure_plain(path: Path) -> dict[str, Any]:
    db = Database(path)
    median, p95, per_query = fts_times(
        lambda q: db.execute(SNIPPET_SQL, [fts_phrase(q)]).fetchall()
    )
    db.close()
    columns = [arg for column in EXPORT_COLUMNS for arg in ("-c", column)]
    command = [sys.executable, "-m", "sqlite_utils", "rows", str(path), "articles", "--nl"]
    return {
        "fts_median": median,
        "fts_p95": p95,
        "per_query": per_query,
        "export": export_seconds(command + columns),
    }


def fts_phrase(query: str) -> str:
    from archive.store.read.queries import fts_query

    return fts_query(query)  # the same quoting as the archive's search, for a fair match


def run_size(size: int, args: argparse.Namespace, templates: list, pool: list) -> list[dict]:
    results = []
    for kind in args.kinds.split(","):
        path = args.workdir / f"{kind}-{size}.db"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        items = copies(size, templates, pool)
        print(f"building {kind} with {size} articles ...", file=sys.stderr, flush=True)
        if kind == "archive":
            built = build_archive(path, items, args.workers)
            built.update(measure_archive(path), db=file_size(path))
            extra = max(size // 10, batch.BATCH_SIZE)
            corpus = (templates, pool)
            built["writer_rate"] = writer_rate(path, size, extra, corpus, args.workers)
        else:
            built = build_plain(path, items)
            built.update(measure_plain(path), db=file_size(path))
        built.update(kind=kind, size=size)
        results.append(built)
        if not args.keep:
            path.unlink()
    return results


def format_table(results: list[dict]) -> str:
    header = (
        "| articles | database | DB bytes/article | raw HTML bytes/article | DB / raw HTML |"
        " insert/s writer | insert/s end to end | FTS median ms | FTS p95 ms | export s |"
    )
    lines = [header, "|" + "---|" * 10]
    for r in results:
        lines.append(
            f"| {r['size']:,} | {r['kind']} | {r['db'] / r['count']:,.0f} |"
            f" {r['raw'] / r['count']:,.0f} | {r['db'] / r['raw']:.3f} |"
            f" {r['writer_rate']:,.0f} | {r['rate']:,.0f} | {r['fts_median']:.2f} |"
            f" {r['fts_p95']:.2f} | {r['export']:.1f} |"
        )
    for r in results:
        if r["kind"] == "archive":
            lines.append(
                f"\n{r['size']:,} articles: bodies alone {r['bodies'] / r['raw']:.3f} x raw HTML,"
                f" {r['dictionaries']} zstd dictionaries; FTS ordered by the hidden rank"
                f" column: median {r['top_k_median']:.2f} ms, p95 {r['top_k_p95']:.2f} ms"
            )
    return "\n".join(lines)


def format_queries(results: list[dict]) -> str:
    """Each query's median ms per size: archive search, the rank-ordered form, plain."""
    lines = ["| articles | query | matches | archive search ms | rank-ordered ms | plain ms |"]
    lines.append("|" + "---|" * 6)
    if [r["kind"] for r in results] != ["archive", "plain"] * (len(results) // 2):
        return ""  # the per-query table compares both kinds
    for archive, plain in zip(results[::2], results[1::2], strict=True):
        for query in QUERIES:
            lines.append(
                f"| {archive['size']:,} | `{query}` | {archive['matches'][query]:,} |"
                f" {archive['per_query'][query]:.2f} | {archive['top_k_per_query'][query]:.2f} |"
                f" {plain['per_query'][query]:.2f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--workdir", type=Path, default=Path("bench-storage"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--kinds", default="archive,plain", help="archive, plain or both")
    args = parser.parse_args()
    if not (args.data_dir / "html").is_dir():
        print(f"no {args.data_dir / 'html'} folder", file=sys.stderr)
        return 2
    args.workdir.mkdir(parents=True, exist_ok=True)
    templates, pool = load_templates(args.data_dir)
    print(f"{len(templates)} template pages, {len(pool):,} pool words", file=sys.stderr)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        results.extend(run_size(size, args, templates, pool))
        print(format_table(results), file=sys.stderr, flush=True)
    print(format_table(results))
    print()
    print(format_queries(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
