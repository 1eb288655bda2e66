"""The `archive` command line.

Only this package prints, and only its crawling commands import `crawler` (lazily, inside the
command), so the library stays usable without Scrapy. Each group of commands lives in its own
module; this one assembles them.
"""

import click

from archive import __version__
from archive.cli import (
    compact,
    crawl,
    enqueue_ingest,
    export_serve,
    extract,
    health,
    history_diff,
    import_warc,
    list_show_search,
    reextract_purge,
    save,
    schedule,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="article-archiver")
def cli() -> None:
    """Archive news and magazine articles into one SQLite file.

    \b
    Try it offline:   archive demo
    Archive a page:   archive save https://example.org/news/story.html
    Look inside:      archive list; archive search "city council"; archive serve
    """


for command in (
    save.save,
    extract.extract,
    list_show_search.list_,
    list_show_search.show,
    list_show_search.search,
    save.demo,
    export_serve.export,
    import_warc.import_warc,
    export_serve.serve,
    history_diff.history,
    history_diff.diff,
    reextract_purge.reextract,
    reextract_purge.purge,
    compact.compact,
    compact.check,
    health.health,
):
    cli.add_command(command)
cli.add_command(crawl.crawl)  # archive crawl feed|sitemap|site
cli.add_command(schedule.schedule)  # archive schedule FILE
cli.add_command(enqueue_ingest.enqueue)  # archive enqueue URL... (distributed crawl)
cli.add_command(enqueue_ingest.ingest)  # archive ingest (the distributed crawl's writer)


def main() -> None:
    """The `archive` entry point: click's usage errors (a bad option value, an unknown option,
    a missing argument) become one line naming the command, the input and the problem, with
    click's usage status 2, instead of click's three-line usage block."""
    import sys

    from archive.cli.usage import usage_line
    from archive.screen import Screen

    # Whatever a command prints, a page's control characters reach the terminal escaped.
    sys.stdout = Screen(sys.stdout)  # type: ignore[assignment]
    sys.stderr = Screen(sys.stderr)  # type: ignore[assignment]
    try:
        # Without standalone mode click raises its errors here instead of printing them, and
        # returns the status of a ctx.exit() (--help, --version print, then exit with 0).
        status = cli.main(prog_name="archive", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        error.show()  # bare `archive`: the help, as click shows it
        sys.exit(error.exit_code)
    except click.UsageError as error:
        click.echo(usage_line(error, cli, sys.argv[1:]), err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:  # e.g. a click.File that cannot be opened
        click.echo(f"archive: error: {' '.join(error.format_message().split())}", err=True)
        sys.exit(error.exit_code)
    except click.Abort:  # Ctrl-C or end of input at a prompt, as click reports it
        click.echo("Aborted!", err=True)
        sys.exit(1)
    # A command's own exit (fail(), sys.exit) is a SystemExit that passed through untouched;
    # commands return None, so an int here can only be a ctx.exit() status.
    sys.exit(status if isinstance(status, int) else 0)
