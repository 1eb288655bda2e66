"""Every command of the `archive` CLI is documented in README.md: each name, subcommands
included (``archive crawl feed``), appears there spelled as a user types it."""

import re
from collections.abc import Iterator
from pathlib import Path

import click

from archive.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"


def command_names(group: click.Group, prefix: str = "archive") -> Iterator[str]:
    context = click.Context(group, info_name=prefix)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from command_names(command, f"{prefix} {name}")


def documented(name: str, text: str) -> bool:
    # Not followed by more of a name: `archive crawl site` is not `archive crawl sitemap`.
    return re.search(re.escape(name) + r"(?![\w-])", text) is not None


def test_the_walk_finds_the_commands_and_their_subcommands() -> None:
    names = set(command_names(cli))
    assert {"archive save", "archive crawl", "archive crawl feed", "archive import-warc"} <= names
    assert not documented("archive crawl site", "archive crawl sitemap URL")


def test_every_command_is_documented_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [name for name in command_names(cli) if not documented(name, text)]
    assert missing == [], f"commands README.md does not mention: {', '.join(missing)}"
