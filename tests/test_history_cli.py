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
from archive.store.db.archive_db import ArchiveDB
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
    assert code == 2 and err.startswith(f"archive: error: {missing}: no archive here")
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


def test_diff_is_coloured_on_a_terminal_and_history_says_gone(db_path: str) -> None:
    out = run_on_terminal(["diff", A, "--db", db_path], answer=b"")
    assert "\x1b[31m\x1b[22m-Work starts in May.\x1b[0m" in out  # red removal
    assert "\x1b[32m\x1b[22m+Work starts in June.\x1b[0m" in out  # green addition
    with ArchiveDB(db_path) as db:
        db.store(
            capture(
                requested_url=A,
                final_url=A,
                fetched_at="2026-03-05T00:00:00+00:00",
                status=410,
                outcome="http-error",
                error="HTTP 410",
                body=None,
            )
        )
    code, out, _ = run("history", A, "--db", db_path)
    assert code == 0
    assert out.splitlines()[2] == "gone since 2026-03-05T00:00:00+00:00 (HTTP 410)"
    assert len(out.splitlines()) == 7  # the versions stay


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


# -- end to end: crawl a loopback site, edit it, crawl again, re-extract once ---------------

EDITED_FROM = b"voted 31 to 17 in the early hours of Tuesday"
EDITED_TO = b"voted 31 to 16 in the early hours of Wednesday"


def archive_subprocess(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("ARCHIVE_DB", None)
    env["ARCHIVE_EXTRACT_PROCESSES"] = "0"  # two cores for the whole team: parse in-process
    fast = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0"]
    return subprocess.run(
        [sys.executable, "-m", "archive", *args, *fast],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.crawl
def test_two_crawls_with_edits_and_one_reextraction(tmp_path: Path) -> None:
    from archive.records import ArticleRecord, Capture, Outcome
    from tests.httpserver import LoopbackServer, Route
    from tests.test_reextract import SITE

    edited, steady, removed, seeded = (
        PAGES[0],
        PAGES[1],
        PAGES[2],
        "magazine/food/oyster-season.html",
    )
    bodies = {page: (SITE / page).read_bytes() for page in (edited, steady, removed, seeded)}
    assert EDITED_FROM in bodies[edited]
    routes = {"/robots.txt": Route(body=b"User-agent: *\n", content_type="text/plain")}
    routes.update({f"/{page}": Route(body=body) for page, body in bodies.items()})
    db = tmp_path / "archive.db"
    with LoopbackServer(routes) as server:
        url = {page: server.url(f"/{page}") for page in bodies}
        # An article an older parser made, with the very body the site serves: only a
        # re-extraction can change it.
        with ArchiveDB(db) as archive:
            archive.store(
                Capture(
                    requested_url=url[seeded],
                    fetched_at="2026-01-01T00:00:00+00:00",
                    outcome=Outcome.ARTICLE,
                    final_url=url[seeded],
                    status=200,
                    content_type="text/html; charset=utf-8",
                    body=bodies[seeded],
                ),
                ArticleRecord(url=url[seeded], title="Harbour Gazette", text="Footer only."),
                extractor_version="0-old",
            )
        crawled = [url[edited], url[steady], url[removed]]
        first = archive_subprocess("save", *crawled, "--db", str(db), cwd=tmp_path)
        assert first.returncode == 0, first.stderr + first.stdout
        server.routes[f"/{edited}"] = Route(body=bodies[edited].replace(EDITED_FROM, EDITED_TO))
        server.routes[f"/{removed}"] = Route(b"<html>Not found</html>", status=404)
        second = archive_subprocess("save", *crawled, "--db", str(db), cwd=tmp_path)
        assert second.returncode == 1, second.stderr + second.stdout  # the 404

    code, out, err = run("reextract", "--db", str(db))
    assert code == 0, err
    assert out.startswith(f"Re-extracted 1 articles with extractor {EXTRACTOR_VERSION}: 1 changed")

    def causes(page: str) -> list[list[str]]:
        code, out, err = run("history", url[page], "--db", str(db), "--json")
        assert code == 0, err
        import json

        rows = [json.loads(line) for line in out.splitlines()]
        return [[r["cause"], r["extractor_version"], r["changed"]] for r in rows]

    assert causes(edited) == [
        ["first", EXTRACTOR_VERSION, []],
        ["page", EXTRACTOR_VERSION, ["text", "markdown"]],  # the same change, in both forms
    ]
    assert causes(steady) == [["first", EXTRACTOR_VERSION, []]]
    assert causes(removed) == [["first", EXTRACTOR_VERSION, []]]  # gone, its version kept
    parser = causes(seeded)
    assert [row[:2] for row in parser] == [["first", "0-old"], ["parser", EXTRACTOR_VERSION]]
    assert {"title", "text", "authors"} <= set(parser[1][2])

    code, out, _ = run("diff", url[edited], "--db", str(db))
    diff_lines = out.splitlines()
    assert diff_lines[0].startswith("--- version 1 (") and "first" in diff_lines[0]
    assert diff_lines[1].startswith("+++ version 2 (") and ", page, " in diff_lines[1]
    assert [line for line in diff_lines if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        # The paragraph edited (the standfirst also says "31 to 17", and stays as it was).
        "-"
        + next(
            p for p in first_text(db, url[edited], 1).split("\n\n") if EDITED_FROM.decode() in p
        ),
        "+"
        + next(p for p in first_text(db, url[edited], 2).split("\n\n") if EDITED_TO.decode() in p),
    ]
    code, out, _ = run("diff", url[seeded], "--db", str(db))
    lines = out.splitlines()
    title = lines.index("title")
    assert lines[title + 1] == "  - Harbour Gazette"
    assert lines[title + 2].startswith("  + Why This Winter")

    with ArchiveDB(db) as archive:
        [gone] = archive.db.query(
            "SELECT gone_at, gone_reason FROM articles WHERE url = ?", [url[removed]]
        )
        assert gone["gone_reason"] == "HTTP 404" and gone["gone_at"] is not None
        assert [h["url"] for h in archive.search("Wednesday councillors")] == [url[edited]]
        assert archive.search("Footer only") == []
        archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        changed = [row["url"] for row in archive.db.query("SELECT url FROM changed_articles")]
        assert changed == [url[edited]]  # the parser's change is not a newsroom edit


def first_text(db: Path, url: str, version: int) -> str:
    with ArchiveDB(db) as archive:
        [row] = archive.db.query(
            "SELECT v.text FROM article_versions v JOIN articles a ON a.id = v.article_id"
            " WHERE a.url = ? AND v.version = ?",
            [url, version],
        )
    return row["text"]
