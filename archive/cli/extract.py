"""`archive extract`: parse a saved page offline and print its record; nothing is stored."""

import sys
from dataclasses import replace
from pathlib import Path

import click

from archive.cli.common import checked_rules, fail, reports_errors, rules_option
from archive.errors import ArchiveError
from archive.screen import json_safe
from archive.urls import validate_url


def read_page(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        fail(f"{path}: no such file", status=2)
    except IsADirectoryError:
        fail(f"{path}: is a directory, not an HTML file", status=2)
    except OSError as error:
        fail(f"{path}: cannot read ({error.strerror or error})", status=2)
    raise AssertionError("unreachable")


@click.command()
@click.argument("file", metavar="FILE")
@click.option("--url", help="The address the page was served from (for relative links).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "markdown"]),
    default="json",
    show_default=True,
    help="json: the whole record; text: the plain body; markdown: the body as CommonMark.",
)
@click.option("--no-links", is_flag=True, help="Markdown without links (their text stays).")
@click.option(
    "--images", is_flag=True, help="Markdown with each body image in place, its caption below."
)
@rules_option
@reports_errors
def extract(
    file: str,
    url: str | None,
    fmt: str,
    no_links: bool,
    images: bool,
    rules_paths: tuple[str, ...],
) -> None:
    """Parse a saved page offline and print its record as JSON, or its body as plain text
    or Markdown.

    FILE is an HTML file, or - for standard input. Nothing is fetched or stored. Exits 1 with
    one line when the file is not HTML or holds no article. Links in the Markdown are made
    absolute against --url.

    \b
    Examples:
      archive extract page.html --url https://example.org/news/story.html
      curl -s https://example.org/story | archive extract - --url https://example.org/story
      archive extract page.html --url https://example.org/a --rules my-rules/
      archive extract page.html --url https://example.org/a --format markdown --no-links
      archive extract page.html --url https://example.org/a --format markdown --images
    """
    from archive.extract import extract_article

    if url is not None:
        url = validate_url(url)
    options = replace(checked_rules(rules_paths), links=not no_links, images=images)
    body = read_page(file)
    try:
        record = extract_article(body, url, options=options)
    except ArchiveError as error:
        fail(f"{file}: {error.reason}")
    if fmt == "json":
        click.echo(json_safe(record.to_json(indent=2)))
    else:
        click.echo(record.text if fmt == "text" else record.markdown)
