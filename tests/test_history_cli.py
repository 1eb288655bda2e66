"""`archive history`, `diff`, `reextract`, `purge` and `search --site --since`: output, exit
codes and the exact error lines, on real archive files."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.extract import EXTRACTOR_VERSION
from archive.store.storage import ArchiveDB
from tests.storage_helpers import capture, record
from tests.test_reextract import PAGES, page_url, store_page

A = "https://news.example.org/2026/03/bridge-vote"


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """Article A with two versions (the text edited on 2 March), and three demo pages made
    by an older parser."""
    path = tmp_path / "archive.db"
    with ArchiveDB(path) as db:
        db.store(
            capture(requested_url=A, final_url=A), record(canonical_url=None), extractor_version="1"
        )
        edited = record(
            canonical_url=None,
            title="Council approves the harbour bridge, 7-6",
            text="The council voted seven to six.\n\nWork starts in June.",
        )
        db.store(
            capture(
                requested_url=A,
                final_url=A,
                fetched_at="2026-03-02T08:00:00+00:00",
                body=b"<html>v2</html>",
            ),
            edited,
            extractor_version="1",
        )
        for page in PAGES:
            store_page(db, page)
    return str(path)


def test_history_lists_the_versions(db_path: str) -> None:
    code, out, err = run("history", A, "--db", db_path)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Council approves the harbour bridge, 7-6"
    assert lines[1] == A
    assert lines[3].split() == ["#", "time", "cause", "extractor", "capture", "words", "changed"]
    assert lines[4].split() == ["1", "2026-03-01T10:00:00+00:00", "first", "1", "1", "11", "-"]
    assert lines[5].split() == [
        "2",
        "2026-03-02T08:00:00+00:00",
        "page",
        "1",
        "2",
        "11",
        "title,",
        "text",
    ]
    assert len(lines) == 6


def test_history_json(db_path: str) -> None:
    import json

    code, out, _ = run("history", A, "--db", db_path, "--json")
    versions = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [v["cause"] for v in versions] == ["first", "page"]
    assert versions[1]["changed"] == ["title", "text"]
    assert versions[1]["fetched_at"] == "2026-03-02T08:00:00+00:00"


def test_history_of_an_unknown_url_and_a_missing_archive(db_path: str, tmp_path: Path) -> None:
    code, out, err = run("history", "https://nowhere.example/x", "--db", db_path)
    assert (code, out) == (1, "")
    assert err == f"archive: error: https://nowhere.example/x: not in the archive {db_path}\n"
    missing = str(tmp_path / "none.db")
    code, _, err = run("history", A, "--db", missing)
    assert code == 1 and err.startswith(f"archive: error: {missing}: no archive here")
    assert not Path(missing).exists()
    code, _, err = run("history", "ftp://x.example/", "--db", db_path)
    assert code == 2 and err.startswith("archive: error: ftp://x.example/")


def test_diff_shows_fields_then_the_text(db_path: str) -> None:
    code, out, err = run("diff", A, "--db", db_path)
    assert (code, err) == (0, "")
    assert "\x1b[" not in out  # no colour codes when the output is not a terminal
    assert out.splitlines() == [
        "title",
        "  - Council approves the harbour bridge",
        "  + Council approves the harbour bridge, 7-6",
        "",
        "--- version 1 (2026-03-01T10:00:00+00:00, first, extractor 1)",
        "+++ version 2 (2026-03-02T08:00:00+00:00, page, extractor 1)",
        "@@ -1,2 +1,2 @@",
        " The council voted seven to six.",
        "-Work starts in May.",
        "+Work starts in June.",
    ]


def test_diff_version_errors(db_path: str) -> None:
    code, out, err = run("diff", A, "--db", db_path, "--from", "1", "--to", "5")
    assert (code, out) == (2, "")
    assert err == f"archive: error: {A}: no version 5 (it has versions 1 to 2)\n"
    code, out, _ = run("diff", A, "--db", db_path, "--from", "2", "--to", "2")
    assert (code, out) == (0, "Versions 2 and 2 hold the same record.\n")
    one = page_url(PAGES[0])
    code, out, _ = run("diff", one, "--db", db_path)
    assert (code, out) == (0, f"{one} has one version only: nothing to compare.\n")


def test_reextract_dry_run_then_for_real_then_nothing_left(db_path: str) -> None:
    code, out, err = run("reextract", "--db", db_path, "--site", "127.0.0.1", "--dry-run")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        f"Dry run: 3 articles would be re-extracted with extractor {EXTRACTOR_VERSION};"
        " nothing was written."
    )
    assert lines[2].split() == ["field", "records"]
    counts = dict(line.split() for line in lines[3 : lines.index("", 3)])
    assert counts["title"] == counts["text"] == counts["authors"] == "3"
    assert "3 would get a new version, 0 would not, 0 would fail." in lines
    assert "Examples:" in lines and "    - Harbour Gazette" in lines
    with ArchiveDB(db_path) as db:
        assert db.db["article_versions"].count == 5

    code, out, err = run("reextract", "--db", db_path, "--site", "127.0.0.1")
    assert code == 0
    assert out == (
        f"Re-extracted 3 articles with extractor {EXTRACTOR_VERSION}: 3 changed"
        " (new 'parser' versions), 0 unchanged, 0 failed.\n"
    )
    assert err == "Re-extracting: 3/3\n"  # not a terminal: a line per tenth, no bar
    code, out, _ = run("history", page_url(PAGES[1]), "--db", db_path)
    number, _, cause, extractor, capture_id = out.splitlines()[-1].split()[:5]
    assert (number, cause, extractor, capture_id) == ("2", "parser", EXTRACTOR_VERSION, "4")
    code, out, _ = run("reextract", "--db", db_path, "--site", "127.0.0.1")
    assert out == (
        f"Nothing to re-extract with extractor {EXTRACTOR_VERSION}"
        " (--all re-runs those this version already made).\n"
    )


def test_reextract_rejects_a_bad_date(db_path: str) -> None:
    code, _, err = run("reextract", "--db", db_path, "--since", "yesterday")
    assert code == 2 and "Invalid value for '--since'" in err


def test_search_with_site_since_and_json(db_path: str) -> None:
    import json

    code, out, _ = run("search", "council", "--db", db_path, "--json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and hits[0]["url"] == A and "[council]" in hits[0]["snippet"].lower()
    _, out, _ = run("search", "council", "--db", db_path, "--json", "--site", "127.0.0.1")
    assert all(json.loads(line)["site"] == "127.0.0.1" for line in out.splitlines())
    _, out, _ = run("search", "council", "--db", db_path, "--since", "2026-11-01")
    assert A not in out
    _, out, _ = run("search", "council", "--db", db_path, "--since", "2026-03-01")
    assert A in out
    code, _, err = run("search", "council", "--db", db_path, "--since", "soon")
    assert code == 2 and "Invalid value for '--since'" in err


def counts(db_path: str) -> tuple[int, int, int]:
    with ArchiveDB(db_path) as db:
        return (db.db["articles"].count, db.db["captures"].count, db.db["bodies"].count)


def test_purge_needs_yes_without_a_terminal(db_path: str) -> None:
    before = counts(db_path)
    code, out, err = run("purge", A, "--db", db_path, input="y\n")
    assert (code, out) == (2, "")
    assert (
        err == "archive: error: purge deletes for good: pass --yes to confirm without a terminal\n"
    )
    assert counts(db_path) == before


@pytest.mark.parametrize(
    "args",
    [(), (A, "--site", "x.example"), ("--site", "x.example", "--before", "2026-01-01")],
)
def test_purge_wants_exactly_one_mode(db_path: str, args: tuple[str, ...]) -> None:
    code, _, err = run("purge", *args, "--db", db_path, "--yes")
    assert code == 2
    assert err == "archive: error: give URLs, --site HOST or --before DATE (exactly one of them)\n"


def test_purge_an_unknown_url_removes_nothing(db_path: str) -> None:
    before = counts(db_path)
    code, _, err = run("purge", A, "https://nowhere.example/x", "--db", db_path, "--yes")
    assert code == 1
    assert err == (
        f"archive: error: https://nowhere.example/x: not in the archive {db_path}"
        " (nothing was removed)\n"
    )
    assert counts(db_path) == before


def test_purge_a_url_with_yes(db_path: str) -> None:
    code, out, err = run("purge", A, "--db", db_path, "--yes")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("Will remove 1 article, 2 versions, 2 captures, 2 bodies (")
    assert lines[1] == f"  {A}"
    assert lines[2].startswith("Removed 1 article, 2 versions, 2 captures, 2 bodies (")
    assert counts(db_path) == (3, 3, 3)
    code, _, _ = run("history", A, "--db", db_path)
    assert code == 1


def test_purge_site_and_before(db_path: str) -> None:
    code, out, _ = run("purge", "--site", "127.0.0.1", "--db", db_path, "--yes")
    assert code == 0 and out.splitlines()[0].startswith("Will remove 3 articles, 3 versions")
    code, out, _ = run("purge", "--before", "2026-03-02", "--db", db_path, "--yes")
    assert code == 0
    assert out.splitlines()[0].startswith("Will remove 0 articles, 1 version, 1 capture, 1 body")
    code, out, _ = run("purge", "--before", "2026-03-02", "--db", db_path, "--yes")
    assert (code, out) == (0, "Nothing to remove.\n")


def test_purge_asks_on_a_terminal_and_no_keeps_everything(db_path: str) -> None:
    before = counts(db_path)
    out = run_on_terminal(["purge", A, "--db", db_path], answer=b"n\n")
    assert "Will remove 1 article" in out and "Remove them for good? [y/N]" in out
    assert "Aborted!" in out
    assert counts(db_path) == before
    out = run_on_terminal(["purge", A, "--db", db_path], answer=b"y\n")
    assert "Removed 1 article" in out
    assert counts(db_path)[0] == 3


def run_on_terminal(args: list[str], answer: bytes) -> str:
    """Run `archive ARGS` with a pseudo-terminal as stdin and stdout; type ``answer``."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", *args], stdin=slave, stdout=slave, stderr=slave
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 30
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            output += chunk
            if not answered and b"[y/N]" in output:
                os.write(master, answer)
                answered = True
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(master)
    return output.decode("utf-8", "replace").replace("\r\n", "\n")
