"""The item every archive spider yields: one fetch of one URL, whether it worked or not."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from archive.records import ArticleRecord


def utc_now() -> str:
    """Now, as the archive writes timestamps: ISO 8601 in UTC, with seconds and ``+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class PageItem:
    """What a spider saw for one requested URL, before extraction and storage.

    ``outcome`` is set by the spider when the fetch itself failed (``fetch-error``, ``robots``,
    ``http-error``), with the reason in ``fetch_error``; otherwise the extract pipeline sets it
    (``article``, ``not-html``, ``not-article``, ``extract-error``), with its reason in
    ``extract_error`` and the record in ``record``. Headers are ``[name, value]`` pairs so
    repeated headers survive.
    """

    requested_url: str
    spider: str
    fetched_at: str = field(default_factory=utc_now)
    final_url: str | None = None
    status: int | None = None
    request_headers: list[list[str]] = field(default_factory=list)
    response_headers: list[list[str]] = field(default_factory=list)
    content_type: str | None = None
    body: bytes | None = None
    encoding: str | None = None
    fetch_error: str | None = None
    outcome: str | None = None
    extract_error: str | None = None
    record: ArticleRecord | None = None
    page_metadata: dict[str, Any] | None = None  # a refused page's title, dates ... (or None)
    # The body hashed and compressed by an extraction worker (crawler.pool), for storage.
    packed_body: dict[str, Any] | None = None

    @property
    def reason(self) -> str | None:
        """Why this page is not an article (``None`` when it is one or is not yet extracted)."""
        return self.fetch_error or self.extract_error
