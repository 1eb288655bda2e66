#!/usr/bin/env python3
"""What ``archive compact`` gains on a crawled archive, and what it costs.

Usage::

    python benchmarks/compact.py DATA_DIR [--pages 5000] [--sites 10] [--processes 2]
                                          [--workdir DIR] [--keep]

DATA_DIR is the AEB data (``html/*.html.gz``). The archive is built as a crawl builds it:
``--pages`` distinct copies (``benchmarks/storage_corpus.py``) of the pages of ``--sites``
sites, each stored with its article record and its body packed as a crawl's extraction
workers pack it (zstd level ``CRAWL_LEVEL``, no dictionary). Then ``compact`` runs (timed),
then ``VACUUM`` (timed), then a second ``compact`` (timed: it should find nothing to do).
Printed: bodies bytes, raw bytes, file bytes and the times.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.store.bodies import compact
from archive.store.bodies.compact_scan import file_bytes
from archive.store.bodies.compress import CRAWL_LEVEL, ZSTD, body_hash, compress
from archive.store.db.archive_db import ArchiveDB
from benchmarks.storage_corpus import Template, load_templates, make_copy


def crawl_packed(body: bytes) -> dict:
    data = compress(body, ZSTD, level=CRAWL_LEVEL)
    return {"hash": body_hash(body), "size": len(body), "compression": ZSTD, "data": data}


def few_sites(templates: list[Template], sites: int) -> list[Template]:
    """The templates of the ``sites`` sites with the most pages in the data."""
    by_site: dict[str, list[Template]] = {}
    for template in templates:
        by_site.setdefault(template.site, []).append(template)
    chosen = sorted(by_site.values(), key=len, reverse=True)[:sites]
    return [template for group in chosen for template in group]


def build(path: Path, pages: int, templates: list[Template], pool: list[str]) -> float:
    started = time.perf_counter()
    with ArchiveDB(path) as archive:
        for start in range(0, pages, 500):
            with archive.batch():
                for k in range(start, min(start + 500, pages)):
                    capture, record = make_copy(k, templates, pool)
                    archive.store(capture, record, packed_body=crawl_packed(capture.body or b""))
    return time.perf_counter() - started


def bodies(path: Path) -> tuple[int, int, int]:
    """Packed bytes, raw bytes of the bodies, bytes of the dictionaries."""
    with ArchiveDB(path) as archive:
        packed, raw = archive.db.execute(
            "SELECT sum(length(data)), sum(size) FROM bodies"
        ).fetchone()
        dicts = archive.db.execute(
            "SELECT coalesce(sum(size), 0) FROM zstd_dictionaries"
        ).fetchone()
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return int(packed), int(raw), int(dicts[0])


def timed(path: Path, **options: object) -> tuple[compact.CompactReport, float]:
    with ArchiveDB(path) as archive:
        started = time.perf_counter()
        report = compact.compact(archive, **options)  # type: ignore[arg-type]
        return report, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    all_templates, pool = load_templates(args.data_dir)
    templates = few_sites(all_templates, args.sites)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="compact-bench-"))
    path = workdir / "crawled.db"
    path.unlink(missing_ok=True)
    print(f"{len({t.site for t in templates})} sites, {len(templates)} pages, {args.pages} copies")
    print(f"built in {build(path, args.pages, templates, pool):.1f} s")
    packed, raw, _ = bodies(path)
    file_before = file_bytes(str(path))
    report, seconds = timed(path, processes=args.processes)
    after, _, dicts = bodies(path)
    print(
        f"bodies {packed:,} -> {after:,} bytes ({packed / raw:.3f} -> {after / raw:.3f} x raw "
        f"{raw:,}); dictionaries {dicts:,} bytes ({len(report.trained)} sites, "
        f"{len(report.untrained)} without gain)"
    )
    print(
        f"compact: {report.repacked:,} bodies re-packed in {seconds:.1f} s "
        f"({args.processes} processes)"
    )
    started = time.perf_counter()
    with ArchiveDB(path) as archive:
        compact._vacuum(archive)
    print(
        f"file {file_before:,} -> {file_bytes(str(path)):,} bytes after VACUUM "
        f"({time.perf_counter() - started:.1f} s)"
    )
    again, seconds = timed(path, processes=args.processes)
    print(
        f"second run: {again.repacked} re-packed, {again.not_smaller} checked, "
        f"nothing_done={again.nothing_done}, {seconds:.2f} s"
    )
    if not args.keep:
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            name.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
