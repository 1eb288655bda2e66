"""Usage errors of the installed `archive` command, run as a user runs it (a subprocess, real
exit statuses): one line naming the command, the input and the problem, status 2, nothing
stored lost; --help and --version unchanged."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.store.db.archive_db import ArchiveDB
from tests.storage_helpers import capture, record

# The console script pip installed next to this interpreter: the real entry point.
ARCHIVE = Path(sys.executable).parent / "archive"


def archive(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("ARCHIVE_DB", None)
    return subprocess.run(
        [str(ARCHIVE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """An archive holding one article."""
    path = tmp_path / "kept.db"
    with ArchiveDB(path) as db:
        db.store(capture(), record(), extractor_version="test")
    return path


def counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    return articles, captures


def test_the_entry_point_is_installed() -> None:
    assert ARCHIVE.is_file(), f"no console script at {ARCHIVE}"


def test_a_bad_choice_is_one_line_naming_command_option_and_value(
    tmp_path: Path, stored: Path
) -> None:
    result = archive("export", "--format", "xml", "--db", str(stored), "out.xml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr
        == "archive export: --format: 'xml' is not one of 'jsonl', 'csv', 'warc', 'markdown'\n"
    )
    assert not (tmp_path / "out.xml").exists()
    assert counts(stored) == (1, 1)


def test_a_bad_number_names_both_spellings_of_the_option(tmp_path: Path) -> None:
    result = archive("import-warc", "-w", "-1", "x.warc", "--db", "new.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "archive import-warc: -w/--workers: -1 is not in the range x>=0\n"
    assert not (tmp_path / "new.db").exists()


def test_an_unknown_option_is_one_line(tmp_path: Path, stored: Path) -> None:
    result = archive("list", "--bogus", "--db", str(stored), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "archive list: no such option '--bogus'\n"
    assert counts(stored) == (1, 1)


def test_a_misspelt_option_gets_a_suggestion_on_the_same_line(tmp_path: Path) -> None:
    result = archive("export", "--formt", "csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "archive export: no such option '--formt' (did you mean '--format'?)\n"
    )


def test_a_missing_argument_is_one_line(tmp_path: Path) -> None:
    result = archive("show", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "archive show: missing argument 'URL'\n"
    nested = archive("crawl", "feed", "--db", "a.db", cwd=tmp_path)
    assert nested.returncode == 2
    assert nested.stderr == "archive crawl feed: missing argument 'URL'\n"
    assert not (tmp_path / "a.db").exists()


def test_an_option_without_its_value_still_names_the_command(tmp_path: Path) -> None:
    # Click raises this one without its context: the command comes from the command line.
    result = archive("export", "--format", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "archive export: option '--format' requires an argument\n"


def test_an_unknown_command_is_one_line(tmp_path: Path) -> None:
    result = archive("exprot", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("archive: no such command 'exprot'")
    assert len(result.stderr.splitlines()) == 1


def test_help_and_version_still_exit_0_with_their_text(tmp_path: Path) -> None:
    top = archive("--help", cwd=tmp_path)
    assert top.returncode == 0 and top.stderr == ""
    assert top.stdout.startswith("Usage: archive [OPTIONS] COMMAND [ARGS]...")
    assert "import-warc" in top.stdout
    sub = archive("export", "-h", cwd=tmp_path)
    assert sub.returncode == 0 and sub.stderr == ""
    assert sub.stdout.startswith("Usage: archive export [OPTIONS] [FILE]")
    assert "--format [jsonl|csv|warc|markdown]" in sub.stdout
    version = archive("--version", cwd=tmp_path)
    assert version.returncode == 0
    assert version.stdout.startswith("article-archiver, version ")


def test_bare_archive_still_shows_the_help(tmp_path: Path) -> None:
    result = archive(cwd=tmp_path)
    assert result.returncode == 2  # click's status for a group called without a command
    assert "Usage: archive [OPTIONS] COMMAND [ARGS]..." in result.stderr
    assert "Commands:" in result.stderr


def test_a_commands_own_errors_are_unchanged(tmp_path: Path, stored: Path) -> None:
    missing = archive("show", "https://example.org/a", "--db", "missing.db", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.startswith("archive: error: missing.db: no archive here")
    assert len(missing.stderr.splitlines()) == 1
    assert not (tmp_path / "missing.db").exists()
    warc = archive("export", "--format", "warc", "--db", str(stored), cwd=tmp_path)
    assert warc.returncode == 2
    assert warc.stderr == "archive: error: --format warc needs a FILE (e.g. captures.warc.gz)\n"
    assert counts(stored) == (1, 1)


def test_a_successful_command_still_exits_0(tmp_path: Path, stored: Path) -> None:
    result = archive("list", "--db", str(stored), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Council approves the harbour bridge" in result.stdout
