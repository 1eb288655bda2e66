"""How the CLI shows results in a terminal: per-URL lines, summaries, tables, articles.

Colours come from click, which drops them when the output is not a terminal.
"""

import shutil
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import click

from archive.records import Outcome
from archive.screen import shown

# How each outcome is labelled in the per-URL lines, and in which colour.
OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    Outcome.ARTICLE: ("stored", "green"),
    Outcome.NOT_ARTICLE: ("no article", "yellow"),
    Outcome.NOT_HTML: ("not HTML", "yellow"),
    Outcome.HTTP_ERROR: ("failed", "red"),
    Outcome.FETCH_ERROR: ("failed", "red"),
    Outcome.ROBOTS: ("refused", "red"),
    Outcome.EXTRACT_ERROR: ("failed", "red"),
    Outcome.UNCHANGED: ("unchanged", "blue"),
    Outcome.REFUSED: ("refused", "red"),
}
LABEL_WIDTH = max(len(label) for label, _ in OUTCOME_LABELS.values())


def outcome_label(outcome: str) -> str:
    label, colour = OUTCOME_LABELS.get(outcome, (outcome, "red"))
    return click.style(label.ljust(LABEL_WIDTH), fg=colour, bold=True)


def echo_result(result: Any) -> None:
    """One line for one URL as soon as it is stored: what happened, and why if it failed."""
    if result.outcome == Outcome.ARTICLE:
        detail = f'"{shown(result.title)}"' if result.title else "(untitled)"
    else:
        detail = shown(result.reason or "no reason given")
    click.echo(f"{outcome_label(result.outcome)}  {shown(result.url)}  {detail}")


def echo_save_summary(wanted: Sequence[str], results: Iterable[Any], db_path: str) -> int:
    """The closing summary of a save or demo run; returns how many URLs are archived articles."""
    by_url = {result.url: result for result in results}
    missing = [url for url in wanted if url not in by_url]
    for url in missing:  # should not happen: every request ends as a capture row
        label = outcome_label("not fetched")
        click.echo(f"{label}  {shown(url)}  the crawl ended before this URL")
    counts: dict[str, int] = {}
    for result in by_url.values():
        label = OUTCOME_LABELS.get(result.outcome, (result.outcome, ""))[0]
        counts[label] = counts.get(label, 0) + 1
    # An unchanged re-fetch is a success: the archive already holds this article as served.
    stored = sum(1 for r in by_url.values() if r.outcome in (Outcome.ARTICLE, Outcome.UNCHANGED))
    parts = [f"{count} {label}" for label, count in sorted(counts.items(), key=lambda i: -i[1])]
    if missing:
        parts.append(f"{len(missing)} not fetched")
    noun = "URL" if len(wanted) == 1 else "URLs"
    click.echo(f"\n{len(wanted)} {noun}: {', '.join(parts)}  →  {db_path}")
    return stored


def shorten(value: Any, width: int) -> str:
    text = shown(value)
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def echo_table(rows: Sequence[dict[str, Any]]) -> None:
    """Articles as an aligned table that fits the terminal."""
    if not rows:
        click.echo("No articles in the archive yet.")
        return
    total = shutil.get_terminal_size((120, 24)).columns
    site_w = min(max(len(str(r.get("site") or "")) for r in rows), 28)
    title_w = max(total - site_w - 8 - 12 - 6, 20)
    header = f"{'published':<12}{'words':>6}  {'site':<{site_w}}  title"
    click.echo(click.style(header, bold=True))
    for row in rows:
        published = str(row.get("published_at") or "")[:10]
        click.echo(
            f"{published:<12}{row.get('word_count') or 0:>6}  "
            f"{shorten(row.get('site'), site_w):<{site_w}}  {shorten(row.get('title'), title_w)}"
        )


def echo_article(article: dict[str, Any]) -> None:
    """An article's metadata as aligned fields, then its text wrapped to the terminal."""
    click.echo(click.style(shown(article.get("title") or "(untitled)"), bold=True))
    fields = [
        "url",
        "canonical_url",
        "authors",
        "published_at",
        "modified_at",
        "site_name",
        "language",
        "tags",
        "word_count",
        "first_seen_at",
        "last_seen_at",
    ]
    for name in fields:
        value = article.get(name)
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        click.echo(f"{click.style(name + ':', fg='cyan'):<26} {shown(value)}")
    width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    click.echo()
    for paragraph in str(article.get("text") or "").split("\n\n"):
        # Escaped once wrapped, so that no line ends inside an escape.
        click.echo(shown(textwrap.fill(paragraph, width=width), one_line=False) + "\n")


def echo_search_hits(query: str, hits: Sequence[dict[str, Any]]) -> None:
    if not hits:
        click.echo(f"No articles match {query!r}.")
        return
    for number, hit in enumerate(hits, start=1):
        click.echo(f"{number:>3}. {click.style(shown(hit.get('title')), bold=True)}")
        click.echo(f"     {shown(hit.get('url'))}")
        snippet = shown(str(hit.get("snippet") or "").replace("\n", " "))
        click.echo(f"     {snippet}\n")


def echo_demo_epilogue(db_path: str, rows: Sequence[dict[str, Any]]) -> None:
    """How to look at what the demo stored."""
    example = rows[0]["url"] if rows else "URL"
    db = "" if db_path == "archive.db" else f" --db {db_path}"
    lines = [
        "",
        click.style("Look at what was stored:", bold=True),
        f"  archive list{db}",
        f"  archive show {example}{db}",
        f'  archive search "harbour"{db}',
        f"  sqlite-utils tables {db_path} --counts",
        f'  sqlite-utils {db_path} "select outcome, count(*) from captures group by outcome"',
        f"  archive serve{db}        (pip install 'article-archiver[serve]')",
    ]
    click.echo("\n".join(lines))
