"""Turn ``Capture`` and ``ArticleRecord`` objects into database rows (and back into JSON)."""

import dataclasses
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from archive.errors import InvalidURLError
from archive.records import ArticleRecord, Capture
from archive.redaction import redact_headers
from archive.store.db.timestamps import format_timestamp
from archive.urls import article_key, host_of


def to_json(value: Any) -> str:
    """JSON text for a column; datetimes (Scrapy stats hold some) in the archive's format."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_timestamp(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    # Anything else (an exception class in Scrapy stats, a Path ...) is kept as its text.
    return str(value)


def _text(value: str | bytes) -> str:
    # Header bytes are Latin-1 by HTTP's rules; decoding never fails that way.
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def headers_json(headers: Iterable[tuple[str | bytes, str | bytes]]) -> str:
    """Headers as a JSON list of ``[name, value]`` pairs, in order, repeats kept, with
    credentials redacted (archive.redaction)."""
    pairs = [(_text(name), _text(value)) for name, value in headers]
    return to_json([list(pair) for pair in redact_headers(pairs)])


def site_of(url: str | None) -> str | None:
    """The host a capture or article belongs to, or None for a URL without one."""
    if not url:
        return None
    try:
        return host_of(url)
    except InvalidURLError:
        return None


def capture_row(
    capture: Capture, fetched_at: str, crawl_id: int | None, body_hash: str | None
) -> dict[str, Any]:
    """The ``captures`` row: URLs exactly as requested and served."""
    return {
        "crawl_id": crawl_id,
        "requested_url": capture.requested_url,
        "final_url": capture.final_url,
        "site": site_of(capture.final_url or capture.requested_url),
        "request_headers": headers_json(capture.request_headers),
        "status": capture.status,
        "response_headers": headers_json(capture.response_headers),
        "content_type": capture.content_type,
        "body_hash": body_hash,
        "fetched_at": fetched_at,
        "outcome": capture.outcome,
        "error": capture.error,
        **refused_page_columns(capture.page_metadata),
    }


def refused_page_columns(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """A refused page's title and publication date as columns to filter on, and everything it
    told about itself as JSON (migration 0008); all empty for other captures."""
    if not metadata:
        return {"page_title": None, "page_published_at": None, "page_metadata": None}
    return {
        "page_title": metadata.get("title"),
        "page_published_at": metadata.get("published_at"),
        "page_metadata": to_json(metadata),
    }


def article_row(
    capture: Capture, record: ArticleRecord, seen_at: str, extractor_version: str
) -> dict[str, Any]:
    """The ``articles`` row (without ``id`` and ``capture_id``), keyed by ``article_key``."""
    key = article_key(capture.final_url or capture.requested_url, record.canonical_url)
    return {
        "url": key,
        "canonical_url": record.canonical_url,
        "title": record.title,
        "authors": to_json(list(record.authors)),
        "published_at": record.published_at,
        "modified_at": record.modified_at,
        "site_name": record.site_name,
        "site": site_of(key),
        "language": record.language,
        "description": record.description,
        "image": record.image,
        "tags": to_json(list(record.tags)),
        "images": to_json([dataclasses.asdict(image) for image in record.images]),
        "text": record.text,
        "markdown": record.markdown,
        "word_count": record.word_count,
        "removed": to_json([dataclasses.asdict(removal) for removal in record.removed]),
        "rules": to_json(list(record.rules)),
        "published_from": record.published_from,
        "modified_from": record.modified_from,
        "authors_from": record.authors_from,
        "extractor_version": extractor_version,
        "first_seen_at": seen_at,
        "last_seen_at": seen_at,
    }
