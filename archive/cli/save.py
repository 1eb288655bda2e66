"""Commands that fetch: `archive save` and `archive demo`.

They import `crawler` lazily, inside the command, so the rest of the CLI and the library never
need Scrapy.
"""

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from archive.cli.common import (
    allow_private_option,
    checked_rules,
    db_option,
    fail,
    js_option,
    open_existing_archive,
    parse_settings,
    reports_errors,
    rules_option,
    settings_option,
)
from archive.cli.health import echo_run_flags
from archive.cli.output import echo_demo_epilogue, echo_result, echo_save_summary, echo_table
from archive.urls import validate_url


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


def crawl_settings(
    pairs: tuple[str, ...], verbose: bool, rules_paths: tuple[str, ...] = (), js: bool = False
) -> dict[str, Any]:
    """Settings for one crawl from the CLI: the log level, --rules, --js, then every -s."""
    settings: dict[str, Any] = {"LOG_LEVEL": "INFO" if verbose else "WARNING"}
    if js:
        settings["ARCHIVE_JS"] = True
    if rules_paths:
        checked_rules(rules_paths)
        settings["ARCHIVE_RULES"] = list(rules_paths)
    settings.update(parse_settings(pairs))
    return settings


@click.command()
@click.argument("urls", nargs=-1)
@click.option(
    "-i", "--input", "input_file", metavar="FILE", help="Read URLs from FILE (- for stdin)."
)
@db_option
@settings_option
@rules_option
@allow_private_option
@js_option
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@reports_errors
def save(
    urls: tuple[str, ...],
    input_file: str | None,
    db_path: str,
    settings: tuple[str, ...],
    rules_paths: tuple[str, ...],
    allow_private: bool,
    js: bool,
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
      archive save URL --rules my-rules/
      archive save URL --js
    """
    wanted = checked_urls(urls, input_file)
    run_settings = crawl_settings(settings, verbose, rules_paths, js)
    if allow_private:  # the URLs named here pass anyway; this lets their redirects through
        run_settings["ARCHIVE_ALLOW_PRIVATE"] = True
    summary = crawl_pages(wanted, db_path, run_settings, echo_result)
    stored = echo_save_summary(wanted, summary.results, db_path)
    if summary.crawl_id is not None:  # sites whose extraction broke with this save
        echo_run_flags(db_path, [summary.crawl_id])
    sys.exit(0 if stored == len(wanted) else 1)


# The demo prefers one fixed port: the served URLs are the articles' keys, so a second demo
# run into the same archive then updates the same articles instead of adding copies.
DEMO_PORT = 8642


def start_demo_site() -> Any:
    from archive.demo.server import serve_site

    try:
        return serve_site(port=DEMO_PORT)
    except OSError:  # the port is taken: any free one will do
        return serve_site()


@click.command()
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
    from archive.store.db.guard import check_archive_file

    check_archive_file(db_path, create=True)  # refused before the demo site starts
    with start_demo_site() as site:
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
