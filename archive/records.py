"""The records that flow through the archive: what a parser returns and what storage keeps."""

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Image:
    """An image of the article, with its whole caption (caption and credit joined by a space)."""

    src: str
    caption: str | None = None


@dataclass(frozen=True)
class Removal:
    """A piece of boilerplate the parser stripped, so a user can see why text is missing."""

    kind: str  # "latest-from footer", "caption", "related box", "ad label", ...
    sample: str  # the first few words of what was removed


@dataclass(frozen=True)
class ArticleRecord:
    """The clean record of one article page.

    Dates are ISO 8601 strings exactly as precise as the page gives them: an instant with its
    offset ("2018-10-09T14:05:00+00:00"), or a bare date ("2018-10-09") that is never padded
    with an invented time or zone. ``language`` is the primary subtag in lower case.
    """

    url: str
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    site_name: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    text: str = ""
    word_count: int = 0
    removed: list[Removal] = field(default_factory=list)
    # Where the dates and the authors came from: "json-ld", "meta", "time" (a <time>
    # element), "url", "text" (written out in the page), "byline" (an element marked up as
    # one; authors only), "rule" (a site rule's field selector) or "guess" (htmldate's search
    # over the whole page, dates only: archive/parse/meta/guessdate.py); None when not found.
    published_from: str | None = None
    modified_from: str | None = None
    authors_from: str | None = None
    # The names of the site rules that applied (archive/rules), and the parser version.
    rules: list[str] = field(default_factory=list)
    extractor_version: str | None = None
    # The body as CommonMark with GitHub's tables: the same blocks as ``text``, with their
    # headings, lists, quotes, tables, code and links (archive/parse/markdown).
    markdown: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready data (lists and dicts)."""
        return dataclasses.asdict(self)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


class Outcome:
    """What became of one capture; stored in ``captures.outcome`` for faceting."""

    ARTICLE = "article"  # stored as an article
    NOT_ARTICLE = "not-article"  # HTML without an article (section front, teaser list)
    NOT_HTML = "not-html"  # a PDF, an image, anything but HTML
    HTTP_ERROR = "http-error"  # the server answered with a 4xx or 5xx status
    FETCH_ERROR = "fetch-error"  # timeout, refused connection, DNS, size limit ...
    ROBOTS = "robots"  # forbidden by robots.txt, never fetched
    EXTRACT_ERROR = "extract-error"  # HTML we could not parse into a record
    UNCHANGED = "unchanged"  # a 304, or the same body as the URL's last capture: no new version
    REFUSED = "refused"  # an internal address (loopback, private ...): never connected to


@dataclass(frozen=True)
class Capture:
    """One fetch of one URL, successful or not, exactly as requested and served.

    Headers are lists of ``[name, value]`` pairs so repeated headers survive. ``body`` is the
    raw response body (``None`` when nothing was received); storage compresses it and keeps it
    once per content hash. ``error`` is a readable reason whenever ``outcome`` is not
    ``Outcome.ARTICLE``.
    """

    requested_url: str
    fetched_at: str  # ISO 8601 UTC with seconds and +00:00
    outcome: str
    final_url: str | None = None
    status: int | None = None
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    body: bytes | None = None
    error: str | None = None
    # What a refused page (not an article) told about itself: title, dates, authors ... as
    # ``NotAnArticleError.metadata`` gives them; None for every other capture.
    page_metadata: dict[str, Any] | None = None
