"""ArchiveDB, read side: list, look up and search; the search index stays in sync."""

import pytest

from archive.errors import InvalidURLError
from archive.store.db.archive_db import ArchiveDB
from archive.store.read.queries import fts_query
from tests.storage_helpers import capture, failure, record

KEY = "https://www.news.example.org/2026/03/bridge-vote"


def store(archive: ArchiveDB, url: str, fetched_at: str, **fields: object) -> None:
    archive.store(
        capture(requested_url=url, final_url=url, fetched_at=fetched_at),
        record(canonical_url=None, **fields),
    )


@pytest.fixture
def three(archive: ArchiveDB) -> ArchiveDB:
    store(
        archive,
        "https://a.example/one",
        "2026-03-01T10:00:00+00:00",
        title="Harbour bridge approved",
        text="The council voted for the bridge.",
    )
    store(
        archive,
        "https://www.b.example/two",
        "2026-03-03T10:00:00+00:00",
        title="Budget cuts",
        text="The council cut the harbour budget again.",
    )
    store(
        archive,
        "https://a.example/three",
        "2026-03-02T10:00:00+00:00",
        title="Weather",
        text="Rain all week in the harbour town.",
    )
    return archive


def test_list_articles_newest_first(three: ArchiveDB) -> None:
    listed = three.list_articles()
    assert [row["url"] for row in listed] == [
        "https://www.b.example/two",
        "https://a.example/three",
        "https://a.example/one",
    ]
    assert listed[0]["authors"] == ["Ann Example", "Bo Exämple"]  # JSON decoded
    assert listed[0]["site"] == "www.b.example"
    assert [row["title"] for row in three.list_articles(limit=1)] == ["Budget cuts"]


@pytest.mark.parametrize(
    "site", ["b.example", "www.b.example", "WWW.B.example", "https://b.example:8443/x"]
)
def test_list_articles_by_site_with_or_without_www(three: ArchiveDB, site: str) -> None:
    assert [row["title"] for row in three.list_articles(site=site)] == ["Budget cuts"]


def test_list_articles_of_an_unknown_site_is_empty(three: ArchiveDB) -> None:
    assert three.list_articles(site="c.example") == []


@pytest.mark.parametrize(
    "url",
    [
        KEY,  # the article key
        "https://WWW.news.example.org:443/2026/03/bridge-vote?utm_medium=x#top",  # its variants
        "https://news.example.org/2026/03/bridge-vote?utm_source=newsletter",  # served URL
        "https://News.Example.org/2026/03/bridge-vote?utm_source=newsletter",  # requested URL
    ],
)
def test_get_article_by_any_of_its_urls(archive: ArchiveDB, url: str) -> None:
    archive.store(capture(), record())
    article = archive.get_article(url)
    assert article is not None
    assert article["url"] == KEY
    assert article["tags"] == ["politics", "harbour"]
    assert article["images"] == [
        {"src": "https://news.example.org/img/bridge.jpg", "caption": "The bridge. AP"}
    ]
    assert [c["id"] for c in article["captures"]] == [1]


def test_get_article_by_a_redirected_url_and_by_canonical(archive: ArchiveDB) -> None:
    archive.store(
        capture(requested_url="http://short.example/x", final_url="https://a.example/long"),
        record(canonical_url="https://a.example/canonical"),
    )
    by_request = archive.get_article("http://short.example/x")
    assert by_request is not None and by_request["url"] == "https://a.example/canonical"
    # A canonical on the same site becomes the key; one elsewhere is still found by its own URL.
    archive.store(
        capture(
            requested_url="https://mirror.example/y",
            final_url="https://mirror.example/y",
            fetched_at="2026-03-04T00:00:00+00:00",
        ),
        record(canonical_url="https://origin.example/y"),
    )
    by_canonical = archive.get_article("https://origin.example/y")
    assert by_canonical is not None and by_canonical["url"] == "https://mirror.example/y"


def test_get_article_lists_its_captures_newest_first(archive: ArchiveDB) -> None:
    archive.store(capture(), record())
    archive.store(capture(fetched_at="2026-03-09T00:00:00+00:00"), record())
    article = archive.get_article(KEY)
    assert article is not None
    assert [(c["id"], c["fetched_at"]) for c in article["captures"]] == [
        (2, "2026-03-09T00:00:00+00:00"),
        (1, "2026-03-01T10:00:00+00:00"),
    ]


def test_get_article_absent_or_failed_is_none(archive: ArchiveDB) -> None:
    archive.store(failure())
    assert archive.get_article("https://news.example.org/missing") is None
    assert archive.get_article("https://nowhere.example/") is None


def test_get_article_rejects_an_invalid_url(archive: ArchiveDB) -> None:
    with pytest.raises(InvalidURLError, match="unsupported scheme 'ftp'"):
        archive.get_article("ftp://a.example/x")


def test_search_ranks_title_hits_first_with_a_snippet(three: ArchiveDB) -> None:
    hits = three.search("harbour")
    assert hits[0]["title"] == "Harbour bridge approved"
    assert {hit["title"] for hit in hits} == {"Harbour bridge approved", "Budget cuts", "Weather"}
    budget = next(hit for hit in hits if hit["title"] == "Budget cuts")
    assert budget["snippet"] == "The council cut the [harbour] budget again."
    assert budget["url"] == "https://www.b.example/two"


def test_search_options(three: ArchiveDB) -> None:
    assert [h["title"] for h in three.search("council NOT budget")] == ["Harbour bridge approved"]
    assert [h["title"] for h in three.search("harbour", site="a.example", limit=5)] == [
        "Harbour bridge approved",
        "Weather",
    ]
    assert len(three.search("harbour", limit=1)) == 1
    assert [h["title"] for h in three.search("budg*")] == ["Budget cuts"]
    assert [h["title"] for h in three.search('"all week"')] == ["Weather"]
    hit = three.search("rain", highlight=("<b>", "</b>"))[0]
    assert hit["snippet"].startswith("<b>Rain</b> all week")
    # Porter stemming: "voting" finds "voted".
    assert [h["title"] for h in three.search("voting")] == ["Harbour bridge approved"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "C++",
        "AND",
        "harbour AND",
        "OR harbour",
        "(",
        "a)",
        "*",
        "NEAR(",
        "don't",
        "title:x",
        "-x",
        "^x",
        "harbour NOT",
        "NOT NOT",
        '""',
        "'",
        "\\",
        "{title}: x",
    ],
)
def test_search_punctuation_never_raises(three: ArchiveDB, query: str) -> None:
    assert isinstance(three.search(query), list)


@pytest.mark.parametrize("query", ["", "   ", "!!!", "- * ("])
def test_search_with_nothing_searchable_is_empty(three: ArchiveDB, query: str) -> None:
    assert fts_query(query) == ""
    assert three.search(query) == []


def test_fts_query_quotes_terms_and_keeps_operators_between_terms() -> None:
    assert fts_query('council NOT "harbour bridge" budg*') == (
        '"council" NOT "harbour bridge" "budg"*'
    )
    assert fts_query("OR a") == '"OR" "a"'
    assert fts_query('say "hi') == '"say" "hi"'


def test_search_index_follows_updates_and_deletes(archive: ArchiveDB) -> None:
    archive.store(capture(), record(text="An aqueduct was planned."))
    assert [h["url"] for h in archive.search("aqueduct")] == [KEY]
    archive.store(
        capture(fetched_at="2026-03-02T00:00:00+00:00"), record(text="A viaduct was built instead.")
    )
    assert archive.search("aqueduct") == []
    assert index_rowids(archive, "aqueduct") == []
    assert [h["url"] for h in archive.search("viaduct")] == [KEY]
    # Any write path, raw SQL included, goes through the triggers.
    archive.db.execute("UPDATE articles SET title = 'Tunnel plans' WHERE id = 1")
    assert [h["title"] for h in archive.search("tunnel")] == ["Tunnel plans"]
    assert archive.search("approves") == []
    archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    archive.db.execute("UPDATE captures SET article_id = NULL")
    archive.db.execute("DELETE FROM articles")
    assert archive.search("viaduct") == []
    assert index_rowids(archive, "viaduct") == []
    archive.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")


def index_rowids(archive: ArchiveDB, word: str) -> list[int]:
    """Rowids straight from the FTS index, without joining the articles table."""
    sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    return [row[0] for row in archive.db.execute(sql, [word]).fetchall()]


def test_find_captures_includes_failures_newest_first(archive: ArchiveDB) -> None:
    archive.store(failure())
    archive.store(failure(fetched_at="2026-03-02T00:00:00+00:00", status=500, error="HTTP 500"))
    archive.store(capture(), record())
    found = archive.find_captures("https://NEWS.example.org/missing#x")
    assert [(c["id"], c["status"], c["error"]) for c in found] == [
        (2, 500, "HTTP 500"),
        (1, 404, "HTTP 404 Not Found"),
    ]
    assert found[0]["article_id"] is None
    assert archive.find_captures("https://nowhere.example/") == []
