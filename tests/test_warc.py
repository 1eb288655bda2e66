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
from archive.store.storage import ArchiveDB
from tests.archive_builder import build_archive, golden_pages

COMPARED = (
    "url, canonical_url, title, authors, published_at, modified_at, site_name, site,"
    " language, description, image, tags, images, text, word_count, first_seen_at,"
    " last_seen_at"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An archive and its WARC export."""
    folder = tmp_path_factory.mktemp("warc")
    build_archive(folder / "archive.db")
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
    assert [v for n, v in responses[0][2].headers if n == "Set-Cookie"] == ["a=1", "b=2"]
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
    assert out == f"{warc}: {total} captures ({articles} article, 1 http-error)\n"
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
    assert out == f"{warc}: 2 captures (1 article, 1 http-error)\n"
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
    assert err.splitlines() == [
        f"archive: error: {not_warc}: not a readable WARC file (Unknown archive format, first"
        " line: ['hello'])",
        f"archive: error: {cut}: not a readable WARC file (the file breaks off inside the"
        f" record of {golden_pages()[1].url})",
        f"archive: error: {missing}: cannot read (No such file or directory)",
    ]
    assert out.splitlines()[1] == f"{cut}: 1 captures (1 article)"
    after = rows(target, "SELECT count(*) FROM captures")[0][0]
    assert after == 2 * before + 1
