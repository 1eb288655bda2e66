"""`archive enqueue URL...` and `archive ingest`: the two ends of a distributed crawl, plus the
`--redis URL` option the crawl commands take to run as workers.

Workers (`archive crawl site|feed|sitemap URL --redis URL`, on any machines) share one queue
in Redis and push finished pages onto a Redis list; `archive ingest` is the one process that
writes them into the SQLite file. Neither command imports `crawler` (nor Scrapy).
"""

import json
import signal
import sys
from collections.abc import Callable
from typing import Any

import click

from archive.cli.common import db_option, fail, reports_errors
from archive.cli.health import echo_run_flags
from archive.urls import validate_url

REDIS_HELP = (
    "Run as a worker of a distributed crawl sharing this Redis server"
    " (redis://host:port/db; default $ARCHIVE_REDIS_URL); pages go to `archive ingest`."
)
SPIDERS = ("site", "feed", "sitemap")


def redis_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--redis URL` (or $ARCHIVE_REDIS_URL) for the crawl commands."""
    return click.option(
        "--redis", "redis_url", metavar="URL", envvar="ARCHIVE_REDIS_URL", help=REDIS_HELP
    )(command)


def redis_settings(options: dict[str, Any]) -> dict[str, Any]:
    """The crawl settings `--redis` adds (none without it)."""
    url = options.get("redis_url")
    return {"ARCHIVE_REDIS_URL": url} if url else {}


def _server_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--redis",
        "redis_url",
        metavar="URL",
        envvar="ARCHIVE_REDIS_URL",
        required=True,
        help="The Redis server of the distributed crawl (default $ARCHIVE_REDIS_URL).",
    )(command)


def _prefix_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--prefix",
        default="archive",
        show_default=True,
        help="Key prefix in Redis (ARCHIVE_REDIS_PREFIX of the workers).",
    )(command)


@click.command()
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--spider",
    type=click.Choice(SPIDERS),
    default="site",
    show_default=True,
    help="Which kind of crawl starts from these URLs.",
)
@_server_option
@_prefix_option
@reports_errors
def enqueue(urls: tuple[str, ...], spider: str, redis_url: str, prefix: str) -> None:
    """Push start URLs for the workers of a distributed crawl.

    Any running `archive crawl SPIDER ... --redis URL` worker picks them up and crawls from
    each as if it had been given on its command line.

    \b
    Examples:
      archive enqueue --redis redis://127.0.0.1:6379/0 https://example.org/news/
      archive enqueue --spider feed https://example.org/feed.xml https://example.net/rss
    """
    from archive.distributed.ingest import connect

    checked = [validate_url(url) for url in urls]
    client = connect(redis_url)
    key = f"{prefix}:{spider}:start_urls"
    client.rpush(key, *(json.dumps({"url": url}) for url in checked))
    click.echo(f"Queued {len(checked)} start URL(s) on {key}")


@click.command()
@db_option
@_server_option
@_prefix_option
@click.option(
    "--batch",
    "batch_size",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Pages stored per transaction (at most).",
)
@click.option(
    "--idle-exit",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Exit once nothing has arrived for this long (default: run until Ctrl-C).",
)
@click.option(
    "--lock-ttl",
    type=click.FloatRange(min=0.5),
    default=10.0,
    show_default=True,
    help="Seconds after which a killed writer's lock expires.",
)
@click.option(
    "--mirror-existing",
    is_flag=True,
    help="First copy what the archive already holds (each URL's last fetch and validators)"
    " into Redis, for the workers' incremental checks.",
)
@reports_errors
def ingest(
    db_path: str,
    redis_url: str,
    prefix: str,
    batch_size: int,
    idle_exit: float | None,
    lock_ttl: float,
    mirror_existing: bool,
) -> None:
    """Store what the workers of a distributed crawl push: the one writer of the archive.

    Takes pages from Redis in batches, stores each batch in one transaction and only then
    acknowledges it; a page delivered twice is stored once. Ctrl-C (or SIGTERM) finishes the
    batch under way and exits.

    \b
    Examples:
      archive ingest --db news.db --redis redis://127.0.0.1:6379/0
      archive ingest --idle-exit 60      # drain the list, then stop
    """
    from archive.distributed.ingest import Ingester, connect
    from archive.store.db.archive_db import ArchiveDB
    from archive.store.db.guard import check_archive_file

    check_archive_file(db_path, create=True)  # a foreign file is refused before Redis is asked
    client = connect(redis_url)
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)  # finish the batch under way, then leave

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with ArchiveDB(db_path) as archive:
            ingester = Ingester(
                archive, client, prefix=prefix, batch_size=batch_size, lock_ttl=lock_ttl
            )
            if mirror_existing:
                mirrored = ingester.mirror_existing()
                click.echo(f"Mirrored {mirrored} archived URLs into Redis", err=True)
            click.echo(f"Ingesting from {redis_url} ({prefix}:items) into {db_path}", err=True)
            stats = ingester.run(idle_exit=idle_exit, should_stop=lambda: bool(stopping))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    click.echo(
        f"Stored {stats.stored} captures in {stats.batches} batches"
        f" ({stats.duplicates} delivered again and skipped, {stats.failed} failed)"
    )
    if stats.stored:  # sites whose extraction broke in the crawls ingested now
        echo_run_flags(db_path, ingester.crawl_ids)
    if stats.failed:
        fail(f"{stats.failed} messages could not be stored: see {prefix}:items:failed")
    sys.exit(0)
