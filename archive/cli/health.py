"""`archive health`: each site's extraction health in its latest run beside its own history,
and the sites whose extraction looks broken (a redesign, a parser regression)."""

import json
import sys
from collections.abc import Iterable
from typing import Any

import click

from archive.cli.common import db_option, open_existing_archive, reports_errors

# (figure key, column heading): shares of captures, then shares of articles.
COLUMNS = (
    ("article_share", "articles"),
    ("not_article_share", "not-art"),
    ("failed_share", "failed"),
    ("near_empty_share", "empty"),
    ("missing_date_share", "no date"),
    ("missing_authors_share", "no author"),
    ("missing_title_share", "no title"),
)


@click.command()
@db_option
@click.option("--site", metavar="HOST", help="Only this site, e.g. news.example.org.")
@click.option("--json", "as_json", is_flag=True, help="The same findings as JSON.")
@click.option("--check", is_flag=True, help="Exit 1 when any site is flagged, else 0.")
@reports_errors
def health(db_path: str, site: str | None, as_json: bool, check: bool) -> None:
    """Per-site extraction health: the latest run of each site against its history.

    For each site: captures and articles in its latest run (a crawl, or a day for pages
    stored outside a crawl), the shares of captures that were not articles, failed or gave a
    near-empty body (under 50 words), and of articles without a date, authors or a title;
    the site's earlier runs beside them, in brackets. A site is flagged when its latest run
    is clearly worse than its history (at least 25 points, and beyond chance); a site with
    too little history is said to be so, and why.

    \b
    Examples:
      archive health
      archive health --site news.example.org --json
      archive health --check || echo "extraction broke somewhere"
    """
    from archive.store.read.health import site_health

    with open_existing_archive(db_path) as archive:
        sites = site_health(archive.db, site)
    if as_json:
        click.echo(json.dumps([found.to_dict() for found in sites], indent=2))
    else:
        echo_health([found.to_dict() for found in sites], site)
    flagged = any(found.flags for found in sites)
    sys.exit(1 if check and flagged else 0)


def echo_health(sites: list[dict[str, Any]], site: str | None) -> None:
    if not sites:
        click.echo(f"No captures of {site} to judge." if site else "No captures to judge.")
        return
    rows = [_row(found) for found in sites]
    headings = ["site", "status", "latest run", "captures", *(h for _, h in COLUMNS)]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headings)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headings, widths, strict=True)))
    for row in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    click.echo("(each figure: latest run, then the site's earlier runs in brackets)")
    for found in sites:
        for flag in found["flags"]:
            click.echo(f"FLAG {flag['message']}")
        if found["too_little_history"]:
            click.echo(
                f"not judged: {found['site']}: too little history ({found['too_little_history']})"
            )


def _row(found: dict[str, Any]) -> list[str]:
    latest, history = found["latest"], found["history"]
    cells = [
        found["site"],
        found["status"],
        found["latest_run"] or "-",
        f"{latest['captures']} ({history['captures']})",
    ]
    cells += [f"{_pct(latest[key])} ({_pct(history[key])})" for key, _ in COLUMNS]
    return cells


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def echo_run_flags(db_path: str, crawl_ids: Iterable[int]) -> int:
    """After a run's summary (a crawl, `archive save`, `archive ingest`): the health flags its
    crawls raised, one line each; how many."""
    from archive.errors import ArchiveError
    from archive.store.db.archive_db import ArchiveDB
    from archive.store.read.health import flags_of_run

    try:
        with ArchiveDB(db_path, create=False) as archive:
            flags = [flag for crawl_id in crawl_ids for flag in flags_of_run(archive.db, crawl_id)]
    except ArchiveError as error:  # the run's own result stands; say why there is no check
        click.echo(f"(extraction health not checked: {error})")
        return 0
    for flag in flags:
        click.echo(f"FLAG {flag.describe()}  (archive health --site {flag.site})")
    return len(flags)
