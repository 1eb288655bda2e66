"""A small archive built from the golden pages in tests/pages, for the export, WARC and serve
tests: real pages through the real parser into a real SQLite file."""

import json
from dataclasses import dataclass, replace
from pathlib import Path

from archive.extract import extract_article
from archive.records import ArticleRecord, Capture, Outcome
from archive.store.db.archive_db import ArchiveDB

PAGES = Path(__file__).parent / "pages"
# A fixed set of golden article pages (the folder grows as the parser improves); the first is
# the one captured twice, with an edited title.
SLUGS = (
    "blog-wordpress",
    "german-news",
    "meta-tags-two-authors",
    "newspaper-city-council",
    "review-date-only",
    "seed-article",
    "wire-service-dateline",
)


@dataclass(frozen=True)
class Page:
    slug: str
    url: str
    body: bytes


def golden_pages() -> list[Page]:
    """The pages of ``SLUGS``, each with the URL it was served from."""
    pages = []
    for slug in SLUGS:
        expected = json.loads((PAGES / slug / "expected.json").read_text(encoding="utf-8"))
        pages.append(Page(slug, expected["url"], (PAGES / slug / "source.html").read_bytes()))
    return pages


def page_capture(page: Page, day: int) -> Capture:
    return Capture(
        requested_url=page.url,
        fetched_at=f"2026-03-{day:02d}T10:00:00+00:00",
        outcome=Outcome.ARTICLE,
        final_url=page.url,
        status=200,
        request_headers=[("User-Agent", "article-archiver/test"), ("Accept", "text/html")],
        # As Scrapy leaves them: the body is decoded, the headers still say gzip.
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", "123"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ],
        content_type="text/html; charset=utf-8",
        body=page.body,
    )


def build_archive(path: Path) -> dict[str, ArticleRecord]:
    """Store every golden article (one per day from March 1st), a second, edited capture of
    the first one (a new version) and a 404; returns the records by requested URL."""
    pages = golden_pages()
    records: dict[str, ArticleRecord] = {}
    with ArchiveDB(path) as archive:
        for day, page in enumerate(pages, start=1):
            record = extract_article(page.body.decode("utf-8"), page.url)
            archive.store(page_capture(page, day), record)
            records[page.url] = record
        first = pages[0]
        edited = first.body.replace(b"Why my sourdough", b"Why our sourdough")  # a new title
        edited_record = extract_article(edited.decode("utf-8"), first.url)
        archive.store(replace(page_capture(first, 28), body=edited), edited_record)
        missing = first.url.rsplit("/", 1)[0] + "/gone-page"
        archive.store(
            Capture(
                requested_url=missing,
                fetched_at="2026-03-28T11:00:00+00:00",
                outcome=Outcome.HTTP_ERROR,
                final_url=missing,
                status=404,
                content_type="text/html",
                body=b"<html><body>Not found</body></html>",
                error="HTTP 404 Not Found",
            )
        )
    return records
