"""WARC export and import: warcio reads our files (and its `check`/`index` accept them), a
round trip into a fresh archive gives the same articles, other tools' WARCs import, and bad
files fail in one line without losing what was stored."""

import gzip
import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.cli import cli
from archive.store.db.archive_db import ArchiveDB
from tests.archive_builder import golden_pages

COMPARED = (
    "url, canonical_url, title, authors, published_at, modified_at, site_name, site,"
    " language, description, image, tags, images, text, word_count, first_seen_at,"
    " last_seen_at"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, golden_archive_copy) -> tuple[Path, Path]:
    """An archive and its WARC export."""
    folder = tmp_path_factory.mktemp("warc")
    golden_archive_copy(folder / "archive.db")
    result = CliRunner().invoke(
        cli,
        [
            "export",
            "--db",
            str(folder / "archive.db"),
            "--format",
            "warc",
            str(folder / "out.warc.gz"),
        ],
    )
    assert result.exit_code == 0, result.output
    return folder / "archive.db", folder / "out.warc.gz"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def rows(path: Path, sql: str) -> list[tuple]:
    with ArchiveDB(path) as archive:
        return archive.db.execute(sql).fetchall()


def test_export_writes_response_and_request_pairs(built: tuple[Path, Path]) -> None:
    db, warc = built
    with warc.open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(stream)
        ]
    captures = rows(db, "SELECT final_url, status, fetched_at FROM captures ORDER BY id")
    responses = [r for r in records if r[0] == "response"]
    requests = [r for r in records if r[0] == "request"]
    assert len(responses) == len(requests) == len(captures) == len(golden_pages()) + 2
    for (_, warc_headers, http, body), (url, status, fetched_at) in zip(
        responses, captures, strict=True
    ):
        assert warc_headers.get_header("WARC-Target-URI") == url
        assert warc_headers.get_header("WARC-Date") == fetched_at.replace("+00:00", "Z")
        assert http.get_statuscode() == str(status)
        # The stored body is decoded: no Content-Encoding, a true Content-Length.
        assert http.get_header("Content-Encoding") is None
        assert http.get_header("Content-Length") == str(len(body))
    first_page = golden_pages()[0]
    assert responses[0][3] == first_page.body
    assert [v for n, v in responses[0][2].headers if n == "Set-Cookie"] == [
        "a=[redacted]",
        "b=[redacted]",
    ]
    request_headers = requests[0][1], requests[0][2]
    assert request_headers[0].get_header("WARC-Concurrent-To") == responses[0][1].get_header(
        "WARC-Record-ID"
    )
    assert request_headers[1].get_header("User-Agent") == "article-archiver/test"
    request_line = f"{request_headers[1].protocol} {request_headers[1].statusline}"
    assert request_line == f"GET {urlsplit(first_page.url).path} HTTP/1.1"
    assert request_headers[1].get_header("Host") == urlsplit(first_page.url).netloc


@pytest.mark.parametrize("command", ["check", "index"])
def test_warcio_tools_accept_the_export(built: tuple[Path, Path], command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from warcio.cli import main; main()", command, str(built[1])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    if command == "index":
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert [line["warc-type"] for line in lines[:2]] == ["response", "request"]


def test_round_trip_gives_the_same_articles(built: tuple[Path, Path], tmp_path: Path) -> None:
    db, warc = built
    fresh = tmp_path / "fresh.db"
    code, out, err = run("import-warc", "--db", str(fresh), str(warc))
    assert (code, err) == (0, "")
    total = len(golden_pages()) + 2
    articles = len(golden_pages()) + 1
    assert out == (
        f"{warc}: {total} captures imported ({articles} article, 1 http-error),"
        " 0 already in the archive\n"
    )
    query = f"SELECT {COMPARED} FROM articles ORDER BY url"
    assert rows(fresh, query) == rows(db, query)
    query = "SELECT requested_url, status, fetched_at, body_hash, outcome FROM captures ORDER BY id"
    assert rows(fresh, query) == rows(db, query)
    query = "SELECT article_id, version, cause, title FROM article_versions ORDER BY id"
    assert rows(fresh, query) == rows(db, query)


def foreign_warc(path: Path) -> None:
    """A WARC as another crawler writes it: warcinfo first, request before response, a gzip
    Content-Encoding payload, a 404, and a non-HTTP resource record."""
    page = golden_pages()[1]
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        writer.write_record(writer.create_warcinfo_record("x.warc", {"software": "wget/1.21"}))
        encoded = gzip.compress(page.body)
        for url, status, body, extra in [
            (page.url, "200 OK", encoded, [("Content-Encoding", "gzip")]),
            (page.url + "-missing", "404 Not Found", b"gone", []),
        ]:
            request = writer.create_warc_record(
                url,
                "request",
                payload=BytesIO(b""),
                length=0,
                http_headers=StatusAndHeaders(
                    "GET / HTTP/1.1", [("User-Agent", "Wget")], is_http_request=True
                ),
            )
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                *extra,
                ("Content-Length", str(len(body))),
            ]
            response = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
                warc_headers_dict={
                    "WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID")
                },
            )
            writer.write_record(request)
            writer.write_record(response)
        writer.write_record(
            writer.create_warc_record(
                "dns:example.org",
                "resource",
                payload=BytesIO(b"1.2.3.4"),
                length=7,
                warc_content_type="text/dns",
            )
        )


def test_import_another_tools_warc(tmp_path: Path) -> None:
    warc = tmp_path / "wget.warc"
    foreign_warc(warc)
    code, out, err = run("import-warc", "--db", str(tmp_path / "a.db"), "-w", "0", str(warc))
    assert (code, err) == (0, "")
    assert (
        out == f"{warc}: 2 captures imported (1 article, 1 http-error), 0 already in the archive\n"
    )
    page = golden_pages()[1]
    with ArchiveDB(tmp_path / "a.db") as archive:
        article = archive.get_article(page.url)
        assert article is not None
        assert article["title"] == "Bahn will Nachtzüge nach Paris und Rom zurückbringen"
        capture = article["captures"][0]
        assert archive.body(capture["body_hash"]) == page.body  # stored decoded
        headers = archive.db.execute(
            "SELECT request_headers FROM captures WHERE id = ?", [capture["id"]]
        ).fetchone()[0]
    assert json.loads(headers) == [["User-Agent", "Wget"]]


def test_bad_files_fail_in_one_line_and_keep_what_was_stored(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, warc = built
    target = tmp_path / "a.db"
    assert run("import-warc", "--db", str(target), "-w", "0", str(warc))[0] == 0
    before = rows(target, "SELECT count(*) FROM captures")[0][0]
    not_warc = tmp_path / "notes.txt"
    not_warc.write_text("hello\n")
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(warc.read_bytes()[:5000])  # breaks off inside its second response
    missing = tmp_path / "missing.warc"
    code, out, err = run(
        "import-warc",
        "--db",
        str(target),
        "-w",
        "1",
        str(not_warc),
        str(cut),
        str(missing),
        str(warc),
    )
    assert code == 1
    # Files that cannot be imported at all are told first, before the archive is opened.
    assert err.splitlines() == [
        f"archive: error: {not_warc}: not a readable WARC file (Unknown archive format, first"
        " line: ['hello'])",
        f"archive: error: {missing}: cannot read (No such file or directory)",
        f"archive: error: {cut}: not a readable WARC file (the file breaks off inside the"
        f" record of {golden_pages()[1].url})",
    ]
    assert out.splitlines() == [
        f"{cut}: 0 captures imported, 1 already in the archive",
        f"{warc}: 0 captures imported, {before} already in the archive",
    ]
    after = rows(target, "SELECT count(*) FROM captures")[0][0]
    assert after == before


# -- inputs checked first, re-imports deduplicated ------------------------------------------


def responses_warc(path: Path, responses: list[tuple[str, str, bytes]]) -> None:
    """A WARC of 404 responses (no parser involved), each (URL, WARC-Date, body)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, date, body in responses:
            headers = [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    http_headers=StatusAndHeaders("404 Not Found", headers, protocol="HTTP/1.1"),
                    warc_headers_dict={"WARC-Date": date},
                )
            )


def table_counts(path: Path) -> dict[str, int]:
    tables = ("captures", "bodies", "articles", "article_versions", "crawls")
    with ArchiveDB(path) as archive:
        return {table: archive.db[table].count for table in tables}


def test_only_unreadable_files_create_no_archive(tmp_path: Path) -> None:
    missing = tmp_path / "missing.warc.gz"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    target = tmp_path / "new.db"
    code, out, err = run("import-warc", "--db", str(target), str(missing), str(folder), str(notes))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"archive: error: {missing}: cannot read (No such file or directory)",
        f"archive: error: {folder}: cannot read (Is a directory)",
        f"archive: error: {notes}: not a readable WARC file (Unknown archive format, first"
        " line: ['hello'])",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder", "notes.txt"]


def test_a_missing_file_leaves_an_existing_archive_as_it_was(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(built[0].read_bytes())
    before = table_counts(db)
    code, out, err = run("import-warc", "--db", str(db), str(tmp_path / "nope.warc"))
    assert (code, out) == (1, "")
    assert (
        err
        == f"archive: error: {tmp_path / 'nope.warc'}: cannot read (No such file or directory)\n"
    )
    assert table_counts(db) == before


@pytest.mark.parametrize("workers", ["0", "1"])
def test_importing_the_same_warc_again_stores_nothing_twice(
    built: tuple[Path, Path], tmp_path: Path, workers: str
) -> None:
    _, warc = built
    target = tmp_path / "a.db"
    code, out, _ = run("import-warc", "--db", str(target), "-w", workers, str(warc))
    total = len(golden_pages()) + 2
    assert code == 0 and out.endswith(", 0 already in the archive\n")
    first = table_counts(target)
    assert first["captures"] == total
    seen = "SELECT url, first_seen_at, last_seen_at, capture_id FROM articles ORDER BY url"
    articles_before = rows(target, seen)
    code, out, err = run("import-warc", "--db", str(target), "-w", workers, str(warc))
    assert (code, err) == (0, "")
    assert out == f"{warc}: 0 captures imported, {total} already in the archive\n"
    assert table_counts(target) == first
    assert rows(target, seen) == articles_before


def test_a_file_named_twice_is_imported_once(tmp_path: Path) -> None:
    warc = tmp_path / "errors.warc.gz"
    responses_warc(warc, [("https://a.example/x", "2026-03-01T10:00:00Z", b"gone")])
    code, out, _ = run("import-warc", "--db", str(tmp_path / "a.db"), str(warc), str(warc))
    assert code == 0
    assert out.splitlines() == [
        f"{warc}: 1 captures imported (1 http-error), 0 already in the archive",
        f"{warc}: 0 captures imported, 1 already in the archive",
    ]


def test_an_export_imported_back_into_its_archive_adds_nothing(tmp_path: Path) -> None:
    from tests.storage_helpers import capture, record

    db = tmp_path / "a.db"
    with ArchiveDB(db) as archive:
        # Requested with a tracking parameter and served at another URL: the WARC names the
        # URL that served it, which is what the archive compares.
        archive.store(capture(), record(), extractor_version="test")
    warc = tmp_path / "out.warc.gz"
    assert run("export", "--db", str(db), "--format", "warc", str(warc))[0] == 0
    before = table_counts(db)
    code, out, _ = run("import-warc", "--db", str(db), "-w", "0", str(warc))
    assert code == 0
    assert out == f"{warc}: 0 captures imported, 1 already in the archive\n"
    assert table_counts(db) == before


def test_only_the_same_url_time_and_body_count_as_already_stored(tmp_path: Path) -> None:
    url, date = "https://a.example/x", "2026-03-01T10:00:00Z"
    first = tmp_path / "first.warc.gz"
    responses_warc(first, [(url, date, b"gone")])
    db = tmp_path / "a.db"
    assert run("import-warc", "--db", str(db), "-w", "0", str(first))[0] == 0
    second = tmp_path / "second.warc.gz"
    responses_warc(
        second,
        [
            (url, date, b"gone"),  # the same response
            (url, "2026-03-01T10:00:01Z", b"gone"),  # a second later
            (url, date, b"gone!"),  # another body
            ("https://a.example/y", date, b"gone"),  # another URL
        ],
    )
    code, out, _ = run("import-warc", "--db", str(db), "-w", "0", str(second))
    assert code == 0
    assert out == f"{second}: 3 captures imported (3 http-error), 1 already in the archive\n"
    assert rows(db, "SELECT count(*) FROM captures")[0][0] == 4


def test_a_record_repeated_within_one_file_is_stored_once(tmp_path: Path) -> None:
    repeated = ("https://a.example/x", "2026-03-01T10:00:00Z", b"gone")
    warc = tmp_path / "twice.warc.gz"
    responses_warc(warc, [repeated, ("https://a.example/y", repeated[1], b"gone"), repeated])
    code, out, _ = run("import-warc", "--db", str(tmp_path / "a.db"), "-w", "0", str(warc))
    assert code == 0
    assert out == f"{warc}: 2 captures imported (2 http-error), 1 already in the archive\n"


def test_an_archive_from_before_the_capture_index_is_upgraded(tmp_path: Path) -> None:
    import sqlite3

    from sqlite_utils import Database

    from archive.store.db.migrations import MIGRATIONS
    from archive.store.exchange.warc import _KNOWN_SQL

    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    MIGRATIONS.apply(old, stop_before="0005_captures_url_time_index")
    assert "idx_captures_final_url" in {index.name for index in old["captures"].indexes}
    old.close()
    with ArchiveDB(path) as archive:
        names = {index.name for index in archive.db["captures"].indexes}
        plan = archive.db.execute("EXPLAIN QUERY PLAN " + _KNOWN_SQL, ["u", "t", "h"]).fetchall()
    assert "idx_captures_final_url_fetched_at" in names
    assert "idx_captures_final_url" not in names
    # The lookup of an imported response is exact: URL and time from the index.
    assert "idx_captures_final_url_fetched_at (final_url=? AND fetched_at=?)" in plan[0][-1]
