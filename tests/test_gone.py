"""Gone articles: 404, 410 or a redirect to the home page marks them; a later 200 clears it."""

import pytest

from archive.records import Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.write.gone import redirected_home
from tests.storage_helpers import capture, failure, record

URL = "https://news.example.org/2026/03/bridge-vote"


@pytest.fixture
def archive(archive: ArchiveDB) -> ArchiveDB:
    archive.store(capture(), record())
    return archive


def gone(archive: ArchiveDB) -> tuple[str | None, str | None]:
    [row] = archive.db.query("SELECT gone_at, gone_reason FROM articles")
    return row["gone_at"], row["gone_reason"]


@pytest.mark.parametrize("status", [404, 410])
def test_404_and_410_mark_the_article_gone(archive: ArchiveDB, status: int) -> None:
    result = archive.store(
        failure(
            requested_url=URL,
            final_url=URL,
            status=status,
            fetched_at="2026-03-05T08:00:00+00:00",
            error=f"HTTP {status}",
        )
    )
    assert gone(archive) == ("2026-03-05T08:00:00+00:00", f"HTTP {status}")
    [linked] = archive.db.query("SELECT article_id FROM captures WHERE id = ?", [result.capture_id])
    assert linked["article_id"] == 1
    assert archive.db["article_versions"].count == 1  # the versions stay


def test_the_first_time_seen_gone_is_kept(archive: ArchiveDB) -> None:
    for day in ("05", "06"):
        archive.store(failure(requested_url=URL, fetched_at=f"2026-03-{day}T08:00:00+00:00"))
    assert gone(archive)[0] == "2026-03-05T08:00:00+00:00"


def test_a_redirect_to_the_home_page_marks_it_gone(archive: ArchiveDB) -> None:
    archive.store(
        failure(
            requested_url=URL,
            final_url="https://news.example.org/",
            status=200,
            outcome=Outcome.NOT_ARTICLE,
            error="not an article: teaser list",
            fetched_at="2026-03-05T08:00:00+00:00",
        )
    )
    assert gone(archive) == (
        "2026-03-05T08:00:00+00:00",
        "redirects to the home page https://news.example.org/",
    )
    # The home page capture is not linked: the home page must not look up as the article.
    assert archive.get_article("https://news.example.org/") is None


def test_a_later_200_clears_the_mark(archive: ArchiveDB) -> None:
    archive.store(failure(requested_url=URL, fetched_at="2026-03-05T08:00:00+00:00"))
    archive.store(capture(fetched_at="2026-03-06T08:00:00+00:00"), record())
    assert gone(archive) == (None, None)


def test_an_older_404_stored_late_does_not_mark_it(archive: ArchiveDB) -> None:
    archive.store(capture(fetched_at="2026-03-06T08:00:00+00:00"), record())
    archive.store(failure(requested_url=URL, fetched_at="2026-03-05T08:00:00+00:00"))
    assert gone(archive) == (None, None)


def test_other_failures_and_other_urls_do_not_mark_it(archive: ArchiveDB) -> None:
    archive.store(failure(requested_url=URL, status=500, error="HTTP 500"))
    archive.store(failure(requested_url="https://news.example.org/elsewhere"))
    assert gone(archive) == (None, None)


@pytest.mark.parametrize(
    ("requested", "final", "expected"),
    [
        ("https://a.example/story", "https://a.example/", True),
        ("https://a.example/story", "https://www.a.example", True),
        ("https://a.example/story", "https://a.example/index.html", True),
        ("https://a.example/story", "https://a.example/story", False),
        ("https://a.example/story", "https://b.example/", False),
        ("https://a.example/story", "https://a.example/news/", False),
        ("https://a.example/", "https://a.example/index.html", False),
        ("https://a.example/story", "https://a.example/?q=1", False),
        ("https://a.example/story", None, False),
    ],
)
def test_redirected_home(requested: str, final: str | None, expected: bool) -> None:
    assert redirected_home(requested, final) is expected
