"""The commands that read the archive: `archive list`, `show` and `search`."""

import json
from datetime import datetime
from typing import Any

import click

from archive.cli.common import db_option, fail, open_existing_archive, reports_errors
from archive.cli.output import echo_article, echo_search_hits, echo_table
from archive.screen import json_safe
from archive.store.db.timestamps import format_timestamp


@click.command(name="list")
@db_option
@click.option("--site", help="Only articles from this host, e.g. www.example.org.")
@click.option("-n", "--limit", default=20, show_default=True, help="How many articles.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@reports_errors
def list_(db_path: str, site: str | None, limit: int, as_json: bool) -> None:
    """List the newest articles in the archive.

    \b
    Examples:
      archive list
      archive list --site news.example.org -n 50 --json
    """
    with open_existing_archive(db_path) as archive:
        rows = archive.list_articles(limit=limit, site=site)
    if as_json:
        for row in rows:
            click.echo(json_safe(json.dumps(row, ensure_ascii=False, default=str)))
        return
    echo_table(rows)


@click.command()
@click.argument("url")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@click.option("--markdown", is_flag=True, help="Print it as Markdown, with YAML front matter.")
@click.option(
    "--images",
    is_flag=True,
    help="With --markdown: each body image in place, its caption below (from the stored page).",
)
@reports_errors
def show(url: str, db_path: str, as_json: bool, markdown: bool, images: bool) -> None:
    """Show one archived article: its metadata, then its text (or, with --markdown, the
    Markdown document `archive export --format markdown` writes for it).

    URL may be the article's URL or any URL it was captured from.

    \b
    Examples:
      archive show https://example.org/news/2024/05/bridge-vote.html
      archive show https://example.org/news/2024/05/bridge-vote.html --markdown > vote.md
      archive show https://example.org/news/2024/05/bridge-vote.html --markdown --images
    """
    if images and not markdown:
        fail("--images applies to --markdown", status=2)
    with open_existing_archive(db_path) as archive:
        article = archive.get_article(url)
        captures = archive.find_captures(url, limit=1) if article is None else []
        if article is not None and images:
            article = _with_images(archive.db, article)
    if article is None and captures:
        latest = captures[0]
        fail(f"{url}: captured at {latest['fetched_at']} but holds no article ({latest['error']})")
    if article is None:
        fail(f"{url}: not in the archive {db_path}")
    if as_json:
        click.echo(json_safe(json.dumps(article, ensure_ascii=False, indent=2, default=str)))
        return
    if markdown:
        _echo_markdown(article)
        return
    echo_article(article)


def _with_images(db: Any, article: dict) -> dict:
    from archive.store.exchange.markdown_images import markdown_with_images

    markdown = markdown_with_images(db, article)
    if markdown is None:
        click.echo(
            "note: the stored page gives no article to read images from: the stored"
            " Markdown (without images) stands",
            err=True,
        )
        return article
    return {**article, "markdown": markdown}


def _echo_markdown(article: dict) -> None:
    from archive.store.exchange.markdown_files import markdown_document

    document, stored = markdown_document(article)
    click.echo(document, nl=False)
    if not stored:
        click.echo(
            "note: stored before the archive kept Markdown: its text stands in;"
            " `archive reextract` makes its Markdown from the stored page",
            err=True,
        )


@click.command()
@click.argument("query")
@db_option
@click.option("--site", help="Only articles from this host, e.g. www.example.org.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    metavar="DATE",
    help="Only articles the archive first saw on or after DATE (UTC unless an offset is given).",
)
@click.option("-n", "--limit", default=20, show_default=True, help="How many hits.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of text.")
@reports_errors
def search(
    query: str,
    db_path: str,
    site: str | None,
    since: datetime | None,
    limit: int,
    as_json: bool,
) -> None:
    """Full-text search over titles and texts, best matches first, each with a snippet.

    Words are ANDed; "quoted phrases", a trailing * (prefix) and AND/OR/NOT between words
    work as in SQLite FTS5. Title matches rank above text matches.

    \b
    Examples:
      archive search "harbour bridge"
      archive search 'council NOT budget' --site news.example.org --since 2026-01-01
      archive search ferry --json
    """
    with open_existing_archive(db_path) as archive:
        hits = archive.search(
            query, limit=limit, site=site, since=None if since is None else format_timestamp(since)
        )
    if as_json:
        for hit in hits:
            click.echo(json_safe(json.dumps(hit, ensure_ascii=False, default=str)))
        return
    echo_search_hits(query, hits)
