"""Looking after the file itself: `archive compact` brings an archive's raw bodies to their best
packing (zstd 9 and per-site dictionaries), beside a crawl or Datasette using the same file;
`archive check` says whether the file is sound."""

import os
import sys
import time
from typing import Any

import click

from archive.cli.common import db_option, open_existing_archive, reports_errors


@click.command()
@db_option
@reports_errors
def check(db_path: str) -> None:
    """Check that the archive file is sound; exit 1 with each problem when it is not.

    Runs SQLite's integrity check, the search index's own check against the articles, and
    checks that no row points at a row that is not there (a capture naming a missing body,
    an article without its capture or its versions, a version without its article). Safe
    beside a running crawl: it waits for the writer's current transaction, writes nothing.

    \b
    Examples:
      archive check
      archive check --db news.db && echo sound
    """
    from archive.store.db.consistency import check_consistency

    with open_existing_archive(db_path) as archive:
        problems = check_consistency(archive.db)
    for problem in problems:
        click.echo(f"{db_path}: {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"{db_path}: ok")


@click.command()
@db_option
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="HOST",
    help="Only this site's bodies, e.g. news.example.org (repeatable).",
)
@click.option(
    "--dry-run", is_flag=True, help="Say what would be done, with an estimate; write nothing."
)
@click.option(
    "-p",
    "--processes",
    type=click.IntRange(min=0),
    default=os.cpu_count() or 1,
    show_default="one per core",
    help="Processes that train and pack (0: all in this process).",
)
@click.option(
    "--vacuum",
    is_flag=True,
    help="Then VACUUM, so the file shrinks (needs free disk of up to twice the file's size; "
    "holds the write lock while it runs).",
)
@reports_errors
def compact(
    db_path: str, sites: tuple[str, ...], dry_run: bool, processes: int, vacuum: bool
) -> None:
    """Re-pack the archive's raw bodies at their best: zstd 9 with a per-site dictionary.

    Crawls pack bodies fast (zstd 3), train a site's dictionary once it has enough pages and
    re-pack its first pages with it; `archive schedule` compacts its databases at quiet times.
    So this is the full run, on demand: it trains a dictionary for each site that has enough
    pages and re-packs every body not yet at its best (crawled ones included), keeping a body
    only when smaller and only after it read back identical. Writes go in short transactions:
    a crawl or Datasette can use the archive meanwhile, and an interrupted run keeps what it
    wrote. A second run finds (almost) nothing to do.

    \b
    Examples:
      archive compact --dry-run
      archive compact --vacuum
      archive compact --site news.example.org --processes 1
    """
    from archive.store.bodies import compact as compacting

    with open_existing_archive(db_path) as archive:
        if dry_run:
            _echo_plan(db_path, compacting.plan(archive, list(sites)), vacuum)
            return
        display = _Display()
        try:
            report = compacting.compact(
                archive, list(sites), processes=processes, progress=display, vacuum=vacuum
            )
        finally:
            display.close()
    _echo_report(db_path, report)


class _Display:
    """One progress line on stderr, rewritten in place, when stderr is a terminal."""

    def __init__(self) -> None:
        self.live = sys.stderr.isatty()
        self.shown = 0.0
        self.dirty = False

    def __call__(self, progress: Any) -> None:
        finished = progress.done == progress.total
        if not self.live or (time.monotonic() - self.shown < 0.2 and not finished):
            return
        self.shown = time.monotonic()
        if progress.phase == "train":
            line = f"training dictionaries: {progress.done}/{progress.total} sites"
        else:
            line = (
                f"re-packing: {progress.done:,}/{progress.total:,} bodies, "
                f"{size(progress.bytes_before)} → {size(progress.bytes_after)}"
            )
        click.echo(f"\r\x1b[K{line}", err=True, nl=False)
        self.dirty = True

    def close(self) -> None:
        if self.dirty:
            click.echo("\r\x1b[K", err=True, nl=False)


def size(count: float) -> str:
    """Bytes for people: 1.2 MB, 340.0 KB, 12 B (decimal units)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{int(count)} B"


def _n(count: int, noun: str) -> str:
    """``1 site``, ``2 sites``, ``1 body``, ``3 bodies``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count:,} " + (noun[:-1] + "ies" if noun.endswith("y") else noun + "s")


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f} x" if whole else "-"


def _echo_plan(db_path: str, plan: Any, vacuum: bool) -> None:
    click.echo(
        f"{db_path} (dry run, nothing written): {_n(plan.bodies, 'body')} of "
        f"{_n(plan.sites, 'site')}, {size(plan.bytes)} "
        f"({_ratio(plan.bytes, plan.raw_bytes)} their raw {size(plan.raw_bytes)})"
    )
    if not plan.to_train and not plan.to_repack:
        click.echo("Nothing to do: every body is packed at its best.")
        return
    if plan.to_train:
        shown = ", ".join(plan.to_train[:5]) + (", ..." if len(plan.to_train) > 5 else "")
        click.echo(f"Would train dictionaries for {_n(len(plan.to_train), 'site')}: {shown}")
    click.echo(
        f"Would re-pack {plan.to_repack:,} bodies ({size(plan.repack_bytes)}); bodies after: "
        f"about {size(plan.estimated_after)} ({_ratio(plan.estimated_after, plan.raw_bytes)} "
        "raw; estimated from a sample)"
    )
    if vacuum:
        click.echo("Would then VACUUM the file.")


def _echo_report(db_path: str, report: Any) -> None:
    if report.nothing_done:
        click.echo(
            f"{db_path}: nothing to do: the {_n(report.bodies, 'body')} of "
            f"{_n(report.sites, 'site')} "
            f"are packed at their best ({size(report.bytes_after)}, "
            f"{_ratio(report.bytes_after, report.raw_bytes)} their raw size)"
        )
    else:
        trained = len(report.trained)
        click.echo(
            f"{db_path}: re-packed {report.repacked:,} of {report.bodies:,} bodies; "
            f"{trained} site {'dictionary' if trained == 1 else 'dictionaries'} trained"
            + (f" (+{size(report.dictionary_bytes)})" if trained else "")
        )
        click.echo(
            f"Bodies: {size(report.bytes_before)} → {size(report.bytes_after)} "
            f"({_ratio(report.bytes_after, report.bytes_before)}; "
            f"{_ratio(report.bytes_after, report.raw_bytes)} their raw size) "
            f"in {report.seconds:.1f} s"
        )
    _echo_notes(report)


def _echo_notes(report: Any) -> None:
    if report.untrained:
        click.echo(
            f"No dictionary for {_n(len(report.untrained), 'site')}: it did not help enough."
        )
    if report.not_smaller:
        click.echo(f"{report.not_smaller:,} bodies left as they were: re-packing was no smaller.")
    if report.changed_meanwhile:
        click.echo(f"{report.changed_meanwhile:,} bodies left as another writer re-packed them.")
    if report.unreadable:
        click.echo(
            f"archive: warning: {report.unreadable:,} bodies do not read back as their hash; "
            "left untouched",
            err=True,
        )
    if report.file_after is not None:
        click.echo(f"File after VACUUM: {size(report.file_before)} → {size(report.file_after)}")
    elif report.repacked:
        click.echo(
            "The file keeps its size: later writes reuse the freed space (--vacuum shrinks it now)."
        )
