"""Markdown with the body's images in place, made again from the stored page.

The archive keeps one Markdown per record, the default form (images left out: they are in
``images``). Asked for the images (``archive export --format markdown --images``, ``archive
show --markdown --images``), the page the record came from is read from ``bodies`` and parsed
again with ``ExtractOptions(images=True)``: one archive serves both forms, and nothing stored
changes. No network is used.
"""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sqlite_utils import Database

from archive.errors import ExtractionError
from archive.store.bodies.dictionaries import read_body

_CAPTURE_OF_ARTICLE = (
    "SELECT c.body_hash, c.content_type, coalesce(c.final_url, c.requested_url)"
    " FROM articles a JOIN captures c ON c.id = a.capture_id"
    " WHERE a.url = ? AND EXISTS (SELECT 1 FROM bodies b WHERE b.hash = c.body_hash)"
)


def markdown_with_images(db: Database, article: Mapping[str, Any]) -> str | None:
    """The article's Markdown with its images, from the page its record came from; None when
    that page is not stored or no longer parses as an article (the stored Markdown stands)."""
    # Imported here: storage sits below the parser, and only this reading needs it.
    from archive.capture import page_text
    from archive.extract import ExtractOptions, extract_article

    row = db.execute(_CAPTURE_OF_ARTICLE, [article.get("url")]).fetchone()
    if row is None:
        return None
    body_hash, content_type, fetch_url = row
    page = page_text(read_body(db, body_hash), content_type)
    try:
        record = extract_article(page, fetch_url, options=ExtractOptions(images=True))
    except ExtractionError:
        return None
    return record.markdown


def with_images(db: Database, articles: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each article with ``markdown`` made again with its images (see the module)."""
    for article in articles:
        markdown = markdown_with_images(db, article)
        yield {**article, "markdown": markdown} if markdown else article
