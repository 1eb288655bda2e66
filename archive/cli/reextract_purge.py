"""`archive reextract` (re-run the parser over stored pages) and `archive purge` (remove URLs,
sites or old captures): the commands that rewrite what is stored."""

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from archive.cli.common import db_option, fail, open_existing_archive, reports_errors
from archive.screen import shown
from archive.store.db.timestamps import format_timestamp

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]
MAX_LISTED = 10  # URLs or failures printed before "... and N more"


def archive_time(moment: datetime | None) -> str | None:
    """A date from the command line as an archive timestamp (UTC when no offset is given)."""
    return None if moment is None else format_timestamp(moment)


def date_option(name: str, help_text: str) -> Callable[[Any], Any]:
    return click.option(
        name, type=click.DateTime(DATE_FORMATS), metavar="DATE", default=None, help=help_text
    )


class Progress:
    """A click progress bar on a terminal; elsewhere a line on stderr every tenth of the way."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.done = 0
        self.shown_tenths = 0

    def __call__(self, advance: int, total: int) -> None:
        self.done += advance
        if sys.stderr.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(advance)
            return
        tenths = self.done * 10 // max(total, 1)
        if tenths > self.shown_tenths:
            self.shown_tenths = tenths
            click.echo(f"{self.label}: {self.done}/{total}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command()
@db_option
@click.option("--site", help="Only articles from this host.")
@date_option("--since", "Only articles whose capture was fetched on or after DATE.")
@click.option("--all", "every", is_flag=True, help="Also articles the current parser version made.")
@click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
@reports_errors
def reextract(
    db_path: str, site: str | None, since: datetime | None, every: bool, dry_run: bool
) -> None:
    """Re-run the current parser over stored pages; no network.

    By default only articles made by another extractor version are re-extracted. Changes
    become versions marked 'parser'. Safe to interrupt: each batch is committed whole and a
    new run resumes after the last one.

    \b
    Examples:
      archive reextract --dry-run
      archive reextract --site news.example.org --since 2026-01-01
    """
    from archive.store.maintenance.reextract import reextract as run

    progress = Progress("Re-extracting")
    with open_existing_archive(db_path) as archive:
        try:
            report = run(
                archive,
                site=site,
                since=archive_time(since),
                every=every,
                dry_run=dry_run,
                progress=progress,
            )
        finally:
            progress.close()
    echo_reextract_report(report)


def echo_reextract_report(report: Any) -> None:
    version = report.extractor_version
    if report.total == 0:
        hint = "" if report.dry_run else " (--all re-runs those this version already made)"
        click.echo(f"Nothing to re-extract with extractor {version}{hint}.")
        return
    if report.dry_run:
        click.echo(
            f"Dry run: {report.total} articles would be re-extracted with extractor {version};"
            " nothing was written."
        )
        echo_field_counts(report)
        click.echo(
            f"{report.changed} would get a new version, {report.unchanged} would not,"
            f" {report.failed} would fail."
        )
        echo_examples(report)
    else:
        click.echo(
            f"Re-extracted {report.total} articles with extractor {version}:"
            f" {report.changed} changed (new 'parser' versions), {report.unchanged} unchanged,"
            f" {report.failed} failed."
        )
    if report.skipped:
        click.echo(f"{report.skipped} skipped: a crawl stored a newer capture meanwhile.")
    for url, reason in report.failures[:MAX_LISTED]:
        click.echo(f"  failed  {shown(url)}  {shown(reason)}")
    if len(report.failures) > MAX_LISTED:
        click.echo(f"  ... and {len(report.failures) - MAX_LISTED} more")


def echo_field_counts(report: Any) -> None:
    if not report.fields:
        return
    click.echo()
    click.echo(click.style(f"{'field':<16}{'records':>8}", bold=True))
    for name, count in sorted(report.fields.items(), key=lambda item: (-item[1], item[0])):
        click.echo(f"{name:<16}{count:>8}")
    click.echo()


def echo_examples(report: Any) -> None:
    if not report.examples:
        return
    click.echo("\nExamples:")
    for example in report.examples:
        click.echo(f"  {click.style(example.field, bold=True)}  {shown(example.url)}")
        click.echo(click.style(f"    - {shown(example.old)}", fg="red"))
        click.echo(click.style(f"    + {shown(example.new)}", fg="green"))


@click.command()
@click.argument("urls", nargs=-1, metavar="[URL]...")
@db_option
@click.option("--site", help="Remove every article and capture of this host.")
@date_option("--before", "Remove captures and versions older than DATE (retention).")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@reports_errors
def purge(
    urls: tuple[str, ...], db_path: str, site: str | None, before: datetime | None, yes: bool
) -> None:
    """Remove articles, a site, or old captures from the archive for good.

    URL... and --site remove whole articles (a takedown): every version and capture, the
    bodies no other capture shares and their search index entries. --before keeps each
    article's latest version and the capture it came from, and drops everything older.
    Prints what it will remove and asks first, unless --yes.

    \b
    Examples:
      archive purge https://example.org/news/2024/05/bridge-vote.html
      archive purge --site example.org --yes
      archive purge --before 2025-01-01
    """
    from archive.store.maintenance import purge as purging

    modes = sum((bool(urls), site is not None, before is not None))
    if modes != 1:
        fail("give URLs, --site HOST or --before DATE (exactly one of them)", status=2)
    if not yes and not sys.stdin.isatty():
        fail("purge deletes for good: pass --yes to confirm without a terminal", status=2)
    with open_existing_archive(db_path) as archive:
        if urls:
            plan, missing = purging.plan_urls(archive, urls)
            if missing:
                fail(f"{missing[0]}: not in the archive {db_path} (nothing was removed)")
        elif site is not None:
            plan = purging.plan_site(archive, site)
        else:
            plan = purging.plan_before(archive, archive_time(before) or "")
        if plan.empty:
            click.echo("Nothing to remove.")
            return
        echo_plan(plan, "Will remove")
        if not yes:
            click.confirm("Remove them for good?", abort=True)
        purging.execute(archive, plan)
    echo_plan(plan, "Removed", urls_too=False)


def echo_plan(plan: Any, verb: str, *, urls_too: bool = True) -> None:
    parts = [
        _count(len(plan.article_ids), "article"),
        _count(len(plan.version_ids), "version"),
        _count(len(plan.capture_ids), "capture"),
        _count(len(plan.body_hashes), "body", "bodies") + f" ({_size(plan.body_bytes)})",
    ]
    click.echo(f"{verb} {', '.join(parts)}.")
    if not urls_too:
        return
    for url in plan.urls[:MAX_LISTED]:
        click.echo(f"  {shown(url)}")
    if len(plan.urls) > MAX_LISTED:
        click.echo(f"  ... and {len(plan.urls) - MAX_LISTED} more articles")


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"
