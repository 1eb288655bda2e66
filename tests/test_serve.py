"""`archive serve`: a real Datasette process on 127.0.0.1, started by the CLI against a built
archive, answers its JSON API with the archive's metadata (facets, hidden bodies, canned
queries, FTS), and keeps answering while another process writes the archive."""

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.store.db.datasette_meta import metadata
from tests.archive_builder import golden_pages
from tests.polling import wait_until

pytest.importorskip("datasette")

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(base: str, path: str, **params: str) -> Any:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


def answers(base: str, process: subprocess.Popen) -> bool:
    if process.poll() is not None:
        raise AssertionError(f"archive serve exited with {process.returncode}")
    try:
        get(base, "/-/versions.json")
    except (urllib.error.URLError, ConnectionError):
        return False
    return True


@contextmanager
def serving(db: Path, host: str = "127.0.0.1", *options: str) -> Iterator[tuple[str, list[str]]]:
    """``archive serve`` on ``host`` (always a loopback address in tests): its base URL, and
    its stderr lines once the context closes."""
    port = free_port()
    command = [sys.executable, "-m", "archive", "serve", "--db", str(db), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", host, *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr: list[str] = []
    try:
        base = f"http://{host}:{port}"
        wait_until(
            lambda: answers(base, process),
            timeout=STARTUP_SECONDS,
            interval=0.2,
            what="Datasette to answer",
        )
        yield base, stderr
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            stderr.extend(process.stderr.read().splitlines())
            process.stderr.close()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, golden_archive_copy
) -> Iterator[tuple[str, Path]]:
    db = golden_archive_copy(tmp_path_factory.mktemp("serve") / "news.db")
    with serving(db) as (base, _):
        yield base, db


def test_tables_views_and_hidden_bodies(server: tuple[str, Path]) -> None:
    base, _ = server
    database = get(base, "/news.json")
    visible = {t["name"] for t in database["tables"] if not t["hidden"]}
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"articles", "captures", "crawls"} <= visible
    assert {"bodies", "zstd_dictionaries", "article_version_rows"} <= hidden
    views = {v["name"] for v in database["views"]}
    assert {"latest_articles", "failures_by_site", "crawl_summaries", "article_versions"} <= views
    queries = {q["name"] for q in database["queries"]}
    assert queries == {"search", "history", "recent_changes"}


def test_articles_table_facets_and_descriptions(server: tuple[str, Path]) -> None:
    base, _ = server
    data = get(base, "/news/articles.json", _shape="objects")
    assert len(data["rows"]) == len(golden_pages())
    facets = data["facet_results"]
    assert set(facets) == {"site", "language", "authors", "tags"}
    languages = {f["value"]: f["count"] for f in facets["language"]["results"]}
    assert languages["de"] == 1
    authors = {f["value"] for f in facets["authors"]["results"]}
    assert authors  # array facet: names, not JSON text
    assert not any(value.startswith("[") for value in authors)
    # Suggestions are off: no time spent proposing facets.
    assert data["suggested_facets"] == []
    settings = get(base, "/-/settings.json")
    assert settings["suggest_facets"] is False
    metadata = get(base, "/-/metadata.json")
    table = metadata["databases"]["news"]["tables"]["articles"]
    assert table["columns"]["authors"] == "JSON array of author names"


def test_views_answer(server: tuple[str, Path]) -> None:
    base, _ = server
    latest = get(base, "/news/latest_articles.json", _shape="array")
    assert len(latest) == len(golden_pages())
    failures = get(base, "/news/failures_by_site.json", _shape="array")
    assert [(f["outcome"], f["count"]) for f in failures] == [("http-error", 1)]


def test_table_search_uses_fts(server: tuple[str, Path]) -> None:
    base, _ = server
    hits = get(base, "/news/articles.json", _search="copper", _shape="array")
    assert [h["title"] for h in hits] == [
        "Copper hits eight-month high as Chinese factory data beats forecasts"
    ]
    assert get(base, "/news/articles.json", _search="zzyzxnotaword", _shape="array") == []


def test_canned_search_query_has_snippets(server: tuple[str, Path]) -> None:
    base, _ = server
    hits = get(base, "/news/search.json", query="copper", _shape="array")
    assert hits[0]["title"].startswith("Copper hits")
    assert "[copper]" in hits[0]["snippet"].lower()


def test_canned_history_and_recent_changes(server: tuple[str, Path]) -> None:
    base, _ = server
    url = golden_pages()[0].url
    history = get(base, "/news/history.json", url=url, _shape="array")
    assert [(v["version"], v["cause"]) for v in history] == [(1, "first"), (2, "page")]
    assert history[1]["title"].startswith("Why our sourdough")
    recent = get(base, "/news/recent_changes.json", _shape="array")
    assert [(r["url"], r["version"], r["cause"]) for r in recent] == [(url, 2, "page")]


def test_every_version_reads_whole_in_the_versions_view(server: tuple[str, Path]) -> None:
    """Stored once (migration 0011), shown in full: each version's text and Markdown."""
    base, _ = server
    versions = get(base, "/news/article_versions.json", _shape="array", _size="max")
    articles = get(base, "/news/articles.json", _shape="array", _size="max")
    bodies = {a["id"]: (a["text"], a["markdown"]) for a in articles}
    assert len(versions) == len(golden_pages()) + 1 and all(bodies.values())
    # The golden archive's one change is a title: both versions have the article's body.
    assert all((v["text"], v["markdown"]) == bodies[v["article_id"]] for v in versions)
    stored = get(base, "/news.json", sql="select count(*) as n from article_version_rows"
                 " where text is null and markdown is null", _shape="array")  # fmt: skip
    assert stored == [{"n": len(versions)}]


WRITER = """
import sys
from archive.records import Capture, Outcome
from archive.store.db.archive_db import ArchiveDB
with ArchiveDB(sys.argv[1]) as archive:
    for i in range(int(sys.argv[2])):
        url = f"https://load.example/{i}"
        archive.store(Capture(requested_url=url, fetched_at="2026-04-01T00:00:00+00:00",
                              outcome=Outcome.FETCH_ERROR, error="timeout",
                              body=b"x" * 50_000 + str(i).encode()))
print("done")
"""


def test_readers_never_see_a_locked_database(server: tuple[str, Path]) -> None:
    base, db = server
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), "400"], stdout=subprocess.PIPE, text=True
    )
    reads = 0
    try:
        while writer.poll() is None or reads < 20:
            data = get(base, "/news/captures.json", _size="1", _nocount="1")
            assert "rows" in data
            count = get(base, "/news.json", sql="select count(*) as n from captures")
            assert count["rows"][0][0] >= 9
            reads += 1
    finally:
        out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0
    assert out == "done\n"
    assert reads >= 20


def test_print_metadata_names_the_database_by_its_file(tmp_path: Path, golden_archive_copy) -> None:
    db = golden_archive_copy(tmp_path / "my-archive.db")
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--print-metadata"])
    assert result.exit_code == 0
    metadata = json.loads(result.stdout)
    assert list(metadata["databases"]) == ["my-archive"]
    queries = metadata["databases"]["my-archive"]["queries"]
    assert "articles_fts match :query" in queries["search"]["sql"]


def test_serve_a_missing_archive_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no archive here" in result.stderr


def status_of(base: str, path: str, **params: str) -> int:
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_served_on_loopback_it_answers_arbitrary_sql_and_shows_captures(
    server: tuple[str, Path],
) -> None:
    base, _ = server
    assert status_of(base, "/news.json", sql="select count(*) from captures") == 200
    assert status_of(base, "/news/captures.json") == 200


@pytest.mark.parametrize("how", [("--host", "127.0.0.2"), ("--host", "127.0.0.1", "--public")])
def test_served_elsewhere_it_is_read_only_without_bodies_or_request_headers(
    tmp_path: Path, how: tuple[str, ...], golden_archive_copy
) -> None:
    """127.0.0.2 is loopback, but not the default address: served as for any other one."""
    db = golden_archive_copy(tmp_path / "news.db")
    with serving(db, how[1], *how[2:]) as (base, stderr):
        assert status_of(base, "/news.json", sql="select 1") == 403
        assert status_of(base, "/news.json", sql="select data from bodies") == 403
        for table in ("bodies", "captures", "zstd_dictionaries"):
            assert status_of(base, f"/news/{table}.json") == 403, table
        assert status_of(base, "/news/captures/1.json") == 403
        assert status_of(base, "/news.db") in (403, 404)  # no download of the whole file
        # Articles, views and the canned queries still answer.
        assert len(get(base, "/news/articles.json", _shape="array")) == len(golden_pages())
        hits = get(base, "/news/search.json", query="copper", _shape="array")
        assert hits[0]["title"].startswith("Copper hits")
        log = get(base, "/news/capture_log.json", site="", outcome="", _shape="objects")
        assert log["rows"] and "request_headers" not in log["rows"][0]
        assert "response_headers" not in log["rows"][0]
    assert stderr[0] == (
        f"Serving {db} read-only on {how[1]}:{base.rsplit(':', 1)[1]}: canned queries only,"
        " no SQL of your own; raw bodies and request headers hidden."
    )


def test_public_metadata_refuses_sql_and_the_raw_tables() -> None:
    meta = metadata("news.db", public=True)
    database = meta["databases"]["news"]
    assert meta["allow_sql"] is False and database["allow_sql"] is False
    for table in ("bodies", "captures", "zstd_dictionaries", "ingested_captures"):
        assert database["tables"][table]["allow"] is False
    assert "request_headers" not in database["queries"]["capture_log"]["sql"]
    assert "allow_sql" not in metadata("news.db")


def test_markdown_column_is_rendered_as_html(server: tuple[str, Path]) -> None:
    base, db = server
    page = next(p for p in golden_pages() if p.slug == "newspaper-city-council")
    from archive.store.db.archive_db import ArchiveDB

    with ArchiveDB(db) as archive:
        article = archive.get_article(page.url)
    assert article is not None
    with urllib.request.urlopen(f"{base}/news/articles/{article['id']}", timeout=10) as response:
        html = response.read().decode("utf-8")
    # datasette-render-markdown made HTML of the list, the subheading and the quote.
    assert "<h2>What the plan includes</h2>" in html
    assert "<li>Eleven removable flood gates at street ends</li>" in html
    assert "<blockquote>" in html
    assert "## What the plan includes" not in html  # the text column is not rendered
