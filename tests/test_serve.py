"""`archive serve`: a real Datasette process on 127.0.0.1, started by the CLI against a built
archive, answers its JSON API with the archive's metadata (facets, hidden bodies, canned
queries, FTS), and keeps answering while another process writes the archive."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.cli import cli
from tests.archive_builder import build_archive, golden_pages

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


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"archive serve exited with {process.returncode}")
        try:
            get(base, "/-/versions.json")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("Datasette did not answer in time")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("serve") / "news.db"
    build_archive(db)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, db
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def test_tables_views_and_hidden_bodies(server: tuple[str, Path]) -> None:
    base, _ = server
    database = get(base, "/news.json")
    visible = {t["name"] for t in database["tables"] if not t["hidden"]}
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"articles", "captures", "crawls", "article_versions"} <= visible
    assert {"bodies", "zstd_dictionaries"} <= hidden
    views = {v["name"] for v in database["views"]}
    assert {"latest_articles", "failures_by_site", "crawl_summaries"} <= views
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


def test_print_metadata_names_the_database_by_its_file(tmp_path: Path) -> None:
    db = tmp_path / "my-archive.db"
    build_archive(db)
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
