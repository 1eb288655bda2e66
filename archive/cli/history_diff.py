"""`archive history` and `archive diff`: an article's versions, and what changed between two."""

from typing import Any

import click

from archive.cli.common import db_option, fail, open_existing_archive, reports_errors
from archive.screen import json_safe, shown

DIFF_COLOURS = {"+": "green", "-": "red", "@": "cyan"}


def load_history(archive: Any, url: str, db_path: str) -> dict[str, Any]:
    article = archive.history(url)
    if article is None:
        fail(f"{url}: not in the archive {db_path}")
    return article


@click.command()
@click.argument("url")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON lines.")
@reports_errors
def history(url: str, db_path: str, as_json: bool) -> None:
    """List the versions of an archived article, oldest first.

    A version is made when the title, authors, dates or text change. CAUSE says why: first,
    page (a new capture brought new content) or parser (re-extraction with a newer parser).

    \b
    Example:
      archive history https://example.org/news/2024/05/bridge-vote.html
    """
    import json

    with open_existing_archive(db_path) as archive:
        article = load_history(archive, url, db_path)
    if as_json:
        for version in article["versions"]:
            click.echo(json_safe(json.dumps(version, ensure_ascii=False, default=str)))
        return
    click.echo(click.style(shown(article.get("title") or "(untitled)"), bold=True))
    click.echo(shown(article["url"]))
    if article.get("gone_at"):
        click.echo(
            click.style(
                f"gone since {article['gone_at']} ({shown(article['gone_reason'])})", fg="red"
            )
        )
    click.echo()
    header = (
        f"{'#':>3}  {'time':<25}  {'cause':<6}  {'extractor':<9}  {'capture':>7}"
        f"  {'words':>6}  changed"
    )
    click.echo(click.style(header, bold=True))
    for v in article["versions"]:
        changed = ", ".join(v["changed"]) if v["changed"] else "-"
        click.echo(
            f"{v['version']:>3}  {v['created_at']:<25}  {v['cause']:<6}  "
            f"{v['extractor_version'] or '?':<9}  {v['capture_id'] or '-':>7}  "
            f"{v['word_count']:>6}  {changed}"
        )


def pick_versions(
    versions: list[dict[str, Any]], start: int | None, end: int | None, url: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The two versions to compare (default: the latest and the one before)."""
    numbers = {v["version"]: v for v in versions}
    last = max(numbers)
    end = last if end is None else end
    start = end - 1 if start is None else start
    for number in (start, end):
        if number not in numbers:
            fail(f"{url}: no version {number} (it has versions 1 to {last})", status=2)
    return numbers[start], numbers[end]


@click.command()
@click.argument("url")
@db_option
@click.option("--from", "start", type=int, metavar="N", help="Older version (default: M-1).")
@click.option("--to", "end", type=int, metavar="M", help="Newer version (default: latest).")
@click.option(
    "--markdown", is_flag=True, help="Diff the Markdown bodies (a line per item, row, line)."
)
@reports_errors
def diff(url: str, db_path: str, start: int | None, end: int | None, markdown: bool) -> None:
    """Show what changed between two versions of an article: the fields, then a unified
    diff of the text (one line per paragraph; coloured on a terminal), or with --markdown of
    the Markdown bodies, so a changed heading, list item or link shows as such.

    \b
    Examples:
      archive diff https://example.org/news/2024/05/bridge-vote.html
      archive diff https://example.org/news/2024/05/bridge-vote.html --from 1 --to 3
      archive diff https://example.org/news/2024/05/bridge-vote.html --markdown
    """
    from archive.store.read.diffing import field_changes, text_diff

    with open_existing_archive(db_path) as archive:
        article = load_history(archive, url, db_path)
    versions = article["versions"]
    if len(versions) == 1 and start is None and end is None:
        click.echo(f"{shown(article['url'])} has one version only: nothing to compare.")
        return
    picked = pick_versions(versions, start, end, url)
    assert picked is not None
    old, new = picked
    if markdown:
        for version in (old, new):
            if not version.get("markdown"):
                fail(
                    f"{url}: version {version['version']} holds no Markdown (stored before"
                    " the archive kept it); compare the texts without --markdown"
                )
    changes = field_changes(old, new)
    lines = text_diff(old, new, markdown=markdown)
    if not changes and not lines:
        click.echo(f"Versions {old['version']} and {new['version']} hold the same record.")
        return
    for change in changes:
        click.echo(click.style(change.field, bold=True))
        click.echo(click.style(f"  - {shown(change.old)}", fg="red"))
        click.echo(click.style(f"  + {shown(change.new)}", fg="green"))
    if lines:
        if changes:
            click.echo()
        for line in lines:
            click.echo(
                click.style(
                    shown(line), fg=DIFF_COLOURS.get(line[:1]), bold=line[:3] in ("---", "+++")
                )
            )
