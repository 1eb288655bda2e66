"""`archive crawl feed|sitemap|site URL`: archive what a feed, a sitemap or a site links to.

Each command runs the Scrapy spider of the same name (`scrapy crawl feed -a url=...` does the
same), with a live progress line on a terminal, one line per failure, and a summary table at
the end. `crawler` is imported lazily, inside the commands.

Exit status: 0 when every page was stored, unchanged, skipped or recorded as holding no
article; 1 when any fetch or extraction failed (each failure is a capture with its reason) or
the crawl was stopped; 2 for a usage error, with nothing fetched.
"""

import shlex
import sys
from collections.abc import Callable
from typing import Any

import click

from archive.cli.common import (
    allow_private_option,
    db_option,
    fail,
    js_option,
    reports_errors,
    rules_option,
    settings_option,
)
from archive.cli.enqueue_ingest import redis_option, redis_settings
from archive.cli.health import echo_run_flags
from archive.cli.output import outcome_label
from archive.cli.save import crawl_settings
from archive.errors import ArchiveError
from archive.records import Outcome
from archive.screen import shown
from archive.urls import validate_url

SITE_LIMIT = 1000  # the default --limit of a site crawl
FAILURES = (Outcome.HTTP_ERROR, Outcome.FETCH_ERROR, Outcome.EXTRACT_ERROR, Outcome.REFUSED)
# The end summary's rows, in this order; skipped pages come from the crawl's stats.
SUMMARY_ROWS = [
    (Outcome.ARTICLE, "stored as articles"),
    (Outcome.UNCHANGED, "unchanged"),
    (Outcome.NOT_ARTICLE, "no article (section fronts, lists)"),
    (Outcome.NOT_HTML, "not HTML (feeds, sitemaps, files)"),
    (Outcome.ROBOTS, "refused by robots.txt"),
    (Outcome.HTTP_ERROR, "failed: HTTP error"),
    (Outcome.FETCH_ERROR, "failed: fetch error"),
    (Outcome.EXTRACT_ERROR, "failed: unreadable"),
    (Outcome.REFUSED, "refused: internal address"),
]
SKIP_ROWS = [
    ("archive/skipped/fresh", "skipped: archived within the refresh window"),
    ("archive/skipped/seen", "skipped: seen before (--only-new)"),
    ("archive/skipped/resumed", "skipped: done by the interrupted run"),
    ("archive/skipped/limit", "skipped: over --limit"),
    ("archive/filtered", "left out by --since/--include/--exclude"),
]


@click.group("crawl")
def crawl() -> None:
    """Archive the pages a feed, a sitemap or a site links to.

    \b
    Examples:
      archive crawl feed https://example.org/feed.xml
      archive crawl sitemap https://example.org/ --since 2026-11-01
      archive crawl site https://example.org/news/ --depth 2 --limit 200
    """


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options every crawl command takes."""
    options = [
        click.option("--limit", type=click.IntRange(min=0), default=None, help=_LIMIT_HELP),
        click.option("--refresh", is_flag=True, help=_REFRESH_HELP),
        click.option("--resume", is_flag=True, help=_RESUME_HELP),
        allow_private_option,
        click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log."),
    ]
    for option in reversed(options):
        command = option(command)
    # --redis URL makes the run a distributed worker (see archive.cli.enqueue_ingest).
    return redis_option(settings_option(js_option(rules_option(db_option(command)))))


_LIMIT_HELP = "Fetch at most this many pages (feeds, sitemaps not counted; site: 1000)."
_REFRESH_HELP = "Fetch pages again even if archived within ARCHIVE_REFRESH_WINDOW (a day)."
_RESUME_HELP = "Continue the last run of this same command that was stopped or killed."
_SINCE_HELP = "Only pages dated (lastmod, publication date) on or after DATE (YYYY-MM-DD)."
_INCLUDE_HELP = "Only URLs matching this regular expression (repeatable)."
_EXCLUDE_HELP = "Leave out URLs matching this regular expression (repeatable)."
_ONLY_NEW_HELP = "Only URLs the archive has never had an answer from."


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the feed and sitemap commands, which read lists of URLs."""
    options = [
        click.option("--since", metavar="DATE", help=_SINCE_HELP),
        click.option("--include", multiple=True, metavar="REGEX", help=_INCLUDE_HELP),
        click.option("--exclude", multiple=True, metavar="REGEX", help=_EXCLUDE_HELP),
        click.option("--only-new", is_flag=True, help=_ONLY_NEW_HELP),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@crawl.command("feed")
@click.argument("url")
@filter_options
@common_options
@reports_errors
def feed(url: str, **options: Any) -> None:
    """Archive the entries of an RSS, Atom or JSON feed.

    URL is the feed, or a page (a homepage) whose <link rel="alternate"> names it. The feed is
    read again on every run; its entries are fetched unless archived within the refresh
    window, and re-fetched conditionally (If-None-Match / If-Modified-Since) after it.

    \b
    Examples:
      archive crawl feed https://example.org/feed.xml
      archive crawl feed https://example.org/ --only-new --db news.db
      archive crawl feed URL --include /politics/ --since 2026-11-01
    """
    run_crawl("feed", url, _filter_arguments(options), options)


@crawl.command("sitemap")
@click.argument("url")
@click.option("--depth", type=click.IntRange(min=0), help="Sitemap index levels to follow.")
@filter_options
@common_options
@reports_errors
def sitemap(url: str, depth: int | None, **options: Any) -> None:
    """Archive the pages a sitemap lists.

    URL is a sitemap, a sitemap index, a Google News sitemap (gzipped or not), or a site root
    whose robots.txt lists its sitemaps (else /sitemap.xml is tried).

    \b
    Examples:
      archive crawl sitemap https://example.org/sitemap.xml
      archive crawl sitemap https://example.org/ --since 2026-11-01 --exclude /video/
    """
    arguments = _filter_arguments(options)
    if depth is not None:
        arguments["depth"] = depth
    run_crawl("sitemap", url, arguments, options)


@crawl.command("site")
@click.argument("url")
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Follow links this many steps away from URL.",
)
@click.option("--allow", multiple=True, metavar="REGEX", help="Only follow matching URLs.")
@click.option("--deny", multiple=True, metavar="REGEX", help="Never follow matching URLs.")
@common_options
@reports_errors
def site(
    url: str, depth: int, allow: tuple[str, ...], deny: tuple[str, ...], **options: Any
) -> None:
    """Follow links within a site and archive its article pages.

    Pages without an article (section fronts, tag pages) are recorded as captures and their
    links followed; only links to URL's own host are followed.

    \b
    Examples:
      archive crawl site https://example.org/news/ --depth 2 --limit 200
      archive crawl site https://example.org/ --allow /2026/ --deny '/tag/|/search'
    """
    arguments: dict[str, Any] = {"depth": depth}
    if options.get("limit") is None:  # a whole site can be huge: 1000 pages unless told
        options["limit"] = SITE_LIMIT
    if allow:
        arguments["allow"] = "\n".join(allow)
    if deny:
        arguments["deny"] = "\n".join(deny)
    run_crawl("site", url, arguments, options)


def _filter_arguments(options: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if options.get("since"):
        arguments["since"] = options["since"]
    for name in ("include", "exclude"):
        if options.get(name):
            arguments[name] = "\n".join(options[name])
    return arguments


def run_crawl(spider: str, url: str, arguments: dict[str, Any], options: dict[str, Any]) -> None:
    """Check everything, crawl, show the summary and exit with the status the run earned."""
    from crawler.runner import run_spider  # lazy: the library half must not need Scrapy

    spider_kwargs = {"url": validate_url(url), **arguments}
    if options.get("limit"):
        spider_kwargs["limit"] = options["limit"]
    check_arguments(spider, spider_kwargs)
    settings = run_settings(options)
    db_path = options["db_path"]
    summary = run_spider(
        spider,
        db_path=db_path,
        spider_kwargs=spider_kwargs,
        settings=settings,
        on_result=FailureLines(every=options.get("verbose", False)),
        keep_results=False,  # a site crawl may run to millions of pages: counts are enough
    )
    failures = echo_crawl_summary(spider, url, summary, db_path)
    sys.exit(1 if failures or summary.finish_reason not in COMPLETE else 0)


# Finish reasons of a crawl that ran to its end (the page limit is an end, too).
COMPLETE = ("finished",)


def check_arguments(spider: str, spider_kwargs: dict[str, Any]) -> None:
    """Build the spider once, offline, so a bad URL, date or pattern is a usage error (exit
    2) before anything is fetched or written."""
    from crawler.spiders.feed import FeedSpider
    from crawler.spiders.site import SiteSpider
    from crawler.spiders.sitemap import SitemapSpider

    classes = {"feed": FeedSpider, "sitemap": SitemapSpider, "site": SiteSpider}
    try:
        classes[spider](**spider_kwargs)
    except ArchiveError as error:
        fail(str(error), status=2)


def run_settings(options: dict[str, Any]) -> dict[str, Any]:
    settings = crawl_settings(
        options.get("settings") or (),
        options.get("verbose", False),
        options.get("rules_paths") or (),
        options.get("js", False),
    )
    settings.update(redis_settings(options))  # --redis URL: run as a distributed worker
    for flag, name in (
        ("refresh", "ARCHIVE_REFRESH"),
        ("only_new", "ARCHIVE_ONLY_NEW"),
        ("resume", "ARCHIVE_RESUME"),
        ("allow_private", "ARCHIVE_ALLOW_PRIVATE"),
    ):
        if options.get(flag):
            settings[name] = True
    return settings


class FailureLines:
    """One line for each page that failed, as soon as it is stored, up to ``LIMIT`` of them
    (all of them with ``-v``): a site crawl can meet thousands of dead links, and the
    summary counts them all; the captures table holds each one with its reason."""

    LIMIT = 25

    def __init__(self, every: bool = False) -> None:
        self.every = every
        self.shown = 0

    def __call__(self, result: Any) -> None:
        if result.outcome not in FAILURES:
            return
        clear = "\r\x1b[K" if sys.stdout.isatty() else ""  # over the progress line, if any
        self.shown += 1
        if self.every or self.shown <= self.LIMIT:
            reason = shown(result.reason or "no reason given")
            click.echo(f"{clear}{outcome_label(result.outcome)}  {shown(result.url)}  {reason}")
        elif self.shown == self.LIMIT + 1:
            click.echo(f"{clear}... more failures are counted below, not listed (-v lists all)")


def failures_query(db_path: str, crawl_id: int) -> str:
    """A command line that lists a crawl's failed pages with their reasons."""
    # Every failed outcome but a refusal ends in "-error"; the query holds no character
    # a shell would expand within double quotes.
    query = (
        f"select requested_url, error from captures where crawl_id = {crawl_id}"
        " and (outcome like '%-error' or outcome = 'refused')"
    )
    return f'sqlite-utils {shlex.quote(db_path)} "{query}"'


def _crawl_name(summary: Any) -> str:
    return f"Crawl {summary.crawl_id}" if summary.crawl_id is not None else "Worker crawl"


def echo_crawl_summary(spider: str, url: str, summary: Any, db_path: str) -> int:
    """The end-of-crawl table of outcomes; returns the number of failed pages."""
    counts = summary.counts
    stats = summary.stats or {}
    pages = summary.pages
    elapsed = float(stats.get("elapsed_time_seconds") or 0.0)
    rate = f", {pages / elapsed:.1f} pages/s" if elapsed > 0 else ""
    reason = summary.finish_reason or "unknown"
    click.echo(
        f"\n{_crawl_name(summary)} ({spider} {url}): {reason}, "
        f"{pages} pages in {elapsed:.1f} s{rate}"
    )
    rows = [(label, counts.get(outcome, 0)) for outcome, label in SUMMARY_ROWS]
    rows += [(label, int(stats.get(key) or 0)) for key, label in SKIP_ROWS]
    rows += [(f"other: {o}", n) for o, n in counts.items() if o not in dict(SUMMARY_ROWS)]
    shown = [(label, count) for label, count in rows if count]
    width = max((len(label) for label, _ in shown), default=0)
    for label, count in shown:
        click.echo(f"  {label:<{width}}  {count:>7,}")
    if not shown:
        click.echo("  nothing to fetch")
    refused = int(stats.get("archive/index_refused") or 0)
    if refused:
        click.echo(f"robots.txt refused {refused} feed or sitemap document(s): nothing read there.")
    if reason not in COMPLETE:
        click.echo(f"Stopped early ({reason}): run the same command with --resume to go on.")
    failed = sum(counts.get(outcome, 0) for outcome in FAILURES)
    if failed > FailureLines.LIMIT and summary.crawl_id is not None:
        click.echo(f"Every failure with its reason: {failures_query(db_path, summary.crawl_id)}")
    if summary.crawl_id is not None:
        echo_run_flags(db_path, [summary.crawl_id])  # sites whose extraction broke in this run
    # A distributed worker stores nothing itself: its pages go to Redis for `archive ingest`.
    click.echo(f"→ {db_path}" if summary.crawl_id is not None else "→ Redis, for archive ingest")
    return failed + refused
