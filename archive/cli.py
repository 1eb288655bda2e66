"""The `archive` command line.

Only this module prints, and only this module imports `crawler` (lazily, inside the commands
that crawl), so the library stays usable without Scrapy.
"""

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from archive import __version__
from archive.cli_output import (
    echo_article,
    echo_demo_epilogue,
    echo_result,
    echo_save_summary,
    echo_search_hits,
    echo_table,
)
from archive.errors import ArchiveError, InvalidURLError, StorageError
from archive.urls import validate_url

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = "The archive's SQLite file (default: archive.db here, or $ARCHIVE_DB)."


def fail(message: str, status: int = 1) -> None:
    """One clear line on stderr, then exit with `status`."""
    click.echo(f"archive: error: {message}", err=True)
    sys.exit(status)


def reports_errors(command: F) -> F:
    """Turn the library's typed errors into one line on stderr and a non-zero exit."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InvalidURLError as error:
            fail(str(error), status=2)
        except ArchiveError as error:
            fail(str(error))

    return wrapper  # type: ignore[return-value]


def db_option(command: F) -> F:
    return click.option(
        "--db",
        "db_path",
        default="archive.db",
        envvar="ARCHIVE_DB",
        show_default=True,
        type=click.Path(dir_okay=False),
        help=DB_HELP,
    )(command)


def settings_option(command: F) -> F:
    return click.option(
        "-s",
        "--set",
        "settings",
        multiple=True,
        metavar="NAME=VALUE",
        help="A Scrapy or ARCHIVE_* setting for this run (repeatable), "
        "e.g. -s DOWNLOAD_TIMEOUT=10.",
    )(command)


def parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"-s {pair}: expected NAME=VALUE", status=2)
        settings[name.strip()] = value
    return settings


@contextmanager
def open_existing_archive(db_path: str) -> Iterator[Any]:
    """Open an archive for reading; a missing file is an error, never a new empty archive."""
    from archive.store.storage import ArchiveDB

    if not Path(db_path).exists():
        raise StorageError(
            "no archive here (create one with `archive save URL` or `archive demo`)",
            subject=db_path,
        )
    archive = ArchiveDB(db_path)
    try:
        yield archive
    finally:
        archive.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="article-archiver")
def cli() -> None:
    """Archive news and magazine articles into one SQLite file.

    \b
    Try it offline:   archive demo
    Archive a page:   archive save https://example.org/news/story.html
    Look inside:      archive list; archive search "city council"; datasette archive.db
    """


def read_url_list(path: str) -> list[str]:
    """URLs from a file (or `-` for stdin): one per line, blank lines and #comments skipped."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        fail(f"{path}: cannot read URL list ({error.strerror or error})", status=2)
    except UnicodeDecodeError:
        fail(f"{path}: not a text file of URLs", status=2)
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def checked_urls(urls: tuple[str, ...], input_file: str | None) -> list[str]:
    """Every URL validated before anything is fetched; duplicates dropped, order kept."""
    given = list(urls) + (read_url_list(input_file) if input_file else [])
    if not given:
        fail("no URL given (pass URLs or -i FILE)", status=2)
    checked = [validate_url(url) for url in given]
    return list(dict.fromkeys(checked))


def crawl_pages(
    urls: list[str], db_path: str, settings: dict[str, Any], on_result: Callable[..., None]
) -> Any:
    """Fetch exactly these URLs through the `page` spider (one fetch path for everything)."""
    from crawler.runner import run_spider  # lazy: the library half must not need Scrapy

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as url_file:
        url_file.write("\n".join(urls) + "\n")
        url_file.flush()
        return run_spider(
            "page",
            db_path=db_path,
            spider_kwargs={"urls_file": url_file.name},
            settings=settings,
            on_result=on_result,
        )


def crawl_settings(pairs: tuple[str, ...], verbose: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {"LOG_LEVEL": "INFO" if verbose else "WARNING"}
    settings.update(parse_settings(pairs))
    return settings


@cli.command()
@click.argument("urls", nargs=-1)
@click.option(
    "-i", "--input", "input_file", metavar="FILE", help="Read URLs from FILE (- for stdin)."
)
@db_option
@settings_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@reports_errors
def save(
    urls: tuple[str, ...],
    input_file: str | None,
    db_path: str,
    settings: tuple[str, ...],
    verbose: bool,
) -> None:
    """Archive these URLs now.

    Each URL is fetched once through the `page` spider (robots.txt, retries, timeouts and the
    size limit apply), its raw response is kept, and its article is stored. One line per URL,
    then a summary.

    Exit status: 0 when every URL was stored as an article, 1 when any was not, 2 for a usage
    error (nothing is fetched then).

    \b
    Examples:
      archive save https://example.org/news/2024/05/bridge-vote.html
      archive save -i urls.txt --db news.db
      archive save URL -s DOWNLOAD_TIMEOUT=10 -s ROBOTSTXT_OBEY=False
    """
    wanted = checked_urls(urls, input_file)
    summary = crawl_pages(wanted, db_path, crawl_settings(settings, verbose), echo_result)
    stored = echo_save_summary(wanted, summary.results, db_path)
    sys.exit(0 if stored == len(wanted) else 1)


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


@cli.command()
@click.argument("file", metavar="FILE")
@click.option("--url", help="The address the page was served from (for relative links).")
@reports_errors
def extract(file: str, url: str | None) -> None:
    """Parse a saved page offline and print its record as JSON.

    FILE is an HTML file, or - for standard input. Nothing is fetched or stored. Exits 1 with
    one line when the file is not HTML or holds no article.

    \b
    Examples:
      archive extract page.html --url https://example.org/news/story.html
      curl -s https://example.org/story | archive extract - --url https://example.org/story
    """
    from archive.extract import extract_article

    if url is not None:
        url = validate_url(url)
    body = read_page(file)
    try:
        record = extract_article(body, url)
    except ArchiveError as error:
        fail(f"{file}: {error.reason}")
    click.echo(record.to_json(indent=2))


@cli.command(name="list")
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
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    echo_table(rows)


@cli.command()
@click.argument("url")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the stored record as JSON.")
@reports_errors
def show(url: str, db_path: str, as_json: bool) -> None:
    """Show one archived article: its metadata, then its text.

    URL may be the article's URL or any URL it was captured from.

    \b
    Example:
      archive show https://example.org/news/2024/05/bridge-vote.html
    """
    with open_existing_archive(db_path) as archive:
        article = archive.get_article(url)
    if article is None:
        fail(f"{url}: not in the archive {db_path}")
    if as_json:
        click.echo(json.dumps(article, ensure_ascii=False, indent=2, default=str))
        return
    echo_article(article)


@cli.command()
@click.argument("query")
@db_option
@click.option("-n", "--limit", default=20, show_default=True, help="How many hits.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of text.")
@reports_errors
def search(query: str, db_path: str, limit: int, as_json: bool) -> None:
    """Full-text search over titles and texts, best matches first.

    \b
    Examples:
      archive search "harbour bridge"
      archive search 'council NOT budget' --json
    """
    with open_existing_archive(db_path) as archive:
        hits = archive.search(query, limit=limit)
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit, ensure_ascii=False, default=str))
        return
    echo_search_hits(query, hits)


@cli.command()
@db_option
@settings_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@reports_errors
def demo(db_path: str, settings: tuple[str, ...], verbose: bool) -> None:
    """Archive a sample news site that ships with the package, offline.

    Serves the site on 127.0.0.1, crawls its index and every article through the `page`
    spider into the archive, and shows what was stored and how to look at it.

    \b
    Example:
      archive demo --db demo.db
    """
    from archive.demo.server import serve_site

    with serve_site() as site:
        urls = [site.index_url, *site.article_urls()]
        click.echo(f"Serving the demo site at {site.base_url} and archiving {len(urls)} pages")
        # Loopback only: no need to be polite to ourselves.
        base = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}
        summary = crawl_pages(
            urls, db_path, {**base, **crawl_settings(settings, verbose)}, echo_result
        )
    echo_save_summary(urls, summary.results, db_path)
    with open_existing_archive(db_path) as archive:
        rows = archive.list_articles(limit=len(urls))
    click.echo()
    echo_table(rows)
    echo_demo_epilogue(db_path, rows)


def main() -> None:
    cli(prog_name="archive")
