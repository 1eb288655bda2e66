"""From a capture to a record: the one step the crawl, WARC import and re-extraction share.

A capture is a raw body, the ``Content-Type`` it was served with and the URL it came from.
``extract_capture`` decodes the body, turns away what the server declared not to be HTML,
runs the parser, and maps every failure to an outcome and a reason, so that the same bytes
give the same record (or the same reason) whichever way they reached the archive.

Decoding follows the order browsers and Scrapy use: a byte order mark, then the encoding the
transport found (the crawl passes Scrapy's ``response.encoding``), then the charset of the
``Content-Type`` header, then the page's own ``<meta charset>`` or http-equiv declaration,
then a guess from the bytes (ASCII, UTF-8, then charset-normalizer's best match, as Scrapy
guesses). With no transport encoding (a stored body, a WARC record) the result is the text
Scrapy's ``response.text`` gave the crawl for the same body and header. w3lib and
charset-normalizer are Scrapy's own helpers for this, but neither imports Scrapy.
"""

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from archive.errors import ExtractionError, NotAnArticleError, NotHTMLError
from archive.extract import DEFAULT_OPTIONS, ExtractOptions, extract_article
from archive.records import ArticleRecord, Capture, Outcome

logger = logging.getLogger(__name__)

# Media types handed to the parser; anything else declared by the server is "not-html".
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# How much of a body with no declared type is looked at to tell text from binary data.
SNIFF_BYTES = 5000
# Control characters that text never holds (tab, line feed, form feed and carriage return
# aside): Scrapy's test for a body with no Content-Type, which then gets no encoding at all.
_BINARY_BYTES = frozenset(set(range(32)) - {9, 10, 12, 13})


@dataclass(frozen=True)
class Extraction:
    """What one capture gave: an ``article`` outcome and its record, or another outcome
    (``not-html``, ``not-article``, ``extract-error``) and the reason there is no record."""

    outcome: str
    record: ArticleRecord | None = None
    reason: str | None = None
    # A refused page's own metadata (title, dates ...), kept with its capture.
    metadata: dict[str, Any] | None = None


def extract_capture(
    body: bytes | str,
    content_type: str | None,
    url: str,
    *,
    encoding: str | None = None,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> Extraction:
    """The outcome, and the record or the reason, for one captured page.

    ``body`` is the raw bytes (or text already decoded); ``encoding`` is the one the transport
    found, when it found one. A declared non-HTML content type is not parsed at all; with no
    content type the parser decides. Decoding never fails (bytes that are not in the chosen
    encoding become U+FFFD), so a body that is not text is the parser's "not HTML: binary
    data". A parser crash is recorded, not raised: a capture is never lost to a parser bug.
    """
    media_type = media_type_of(content_type)
    if media_type is not None and media_type not in HTML_MEDIA_TYPES:
        return Extraction(Outcome.NOT_HTML, reason=f"not HTML: the server sent {media_type}")
    page = body if isinstance(body, str) else page_text(body, content_type, encoding)
    try:
        return Extraction(Outcome.ARTICLE, extract_article(page, url, options=options))
    except ExtractionError as error:
        return failure(error)
    except Exception as error:  # a parser bug must not lose the capture: record it, go on
        logger.exception("Extraction crashed on %s", url)
        reason = f"parser crashed: {type(error).__name__}: {error}"
        return Extraction(Outcome.EXTRACT_ERROR, reason=reason)


def with_extraction(
    capture: Capture, record: ArticleRecord | None = None
) -> tuple[Capture, ArticleRecord | None]:
    """An imported capture (a WARC record's) with its extraction: a 2xx capture with a body
    gets its record, or the outcome and reason it has none; the others are kept as they are.
    The ``transform`` of ``store_many`` (``record`` is the reader's None)."""
    if record is not None or capture.outcome != Outcome.ARTICLE or capture.body is None:
        return capture, record
    url = capture.final_url or capture.requested_url
    done = extract_capture(capture.body, capture.content_type, url)
    if done.record is None:
        refused = dataclasses.replace(
            capture, outcome=done.outcome, error=done.reason, page_metadata=done.metadata
        )
        return refused, None
    return capture, done.record


def failure(error: ExtractionError) -> Extraction:
    """The outcome and reason a parser's typed error stands for."""
    if isinstance(error, NotHTMLError):
        return Extraction(Outcome.NOT_HTML, reason=error.reason)
    if isinstance(error, NotAnArticleError):
        return Extraction(Outcome.NOT_ARTICLE, reason=error.reason, metadata=error.metadata or None)
    return Extraction(Outcome.EXTRACT_ERROR, reason=error.reason)


def media_type_of(content_type: str | None) -> str | None:
    """``"text/html; charset=utf-8"`` gives ``"text/html"``; empty or missing gives None."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type or None


def page_text(body: bytes, content_type: str | None, encoding: str | None = None) -> str | bytes:
    """``body`` decoded as the crawl decodes it (see the module's docstring).

    The bytes themselves when there is no encoding to go on: no transport encoding, no
    declared type and a body with control characters (Scrapy keeps such a body binary, and
    the parser then names what it is, a PDF or an image).
    """
    from w3lib.encoding import html_to_unicode, resolve_encoding

    if encoding and resolve_encoding(encoding):  # Scrapy's always is; a name Python lacks is not
        return decoded(body, encoding)
    if content_type is None and _looks_binary(body):
        return body

    # Scrapy's default when nothing is declared and no guess is made: ASCII, errors replaced.
    text = html_to_unicode(
        content_type or "", body, default_encoding="ascii", auto_detect_fun=guess_encoding
    )[1]
    return text


def decoded(body: bytes, encoding: str | None) -> str | bytes:
    """``body`` as Scrapy's ``response.text`` gives it for the ``encoding`` Scrapy found: a
    BOM first, then that encoding. The bytes themselves when there is no encoding."""
    if not encoding:
        return body
    # Imported here: a pool's crawl side need not load it for its workers.
    from w3lib.encoding import html_to_unicode

    return html_to_unicode(f"charset={encoding}", body)[1]


def guess_encoding(body: bytes) -> str | None:
    """The encoding of a body that declares none, guessed as Scrapy guesses it."""
    from w3lib.encoding import resolve_encoding

    for candidate in ("ascii", "utf-8"):
        try:
            body.decode(candidate)
        except UnicodeError:
            continue
        return resolve_encoding(candidate)
    from charset_normalizer import from_bytes  # only for the rare page that declares nothing

    match = from_bytes(body).best()
    return resolve_encoding(match.encoding) if match else None


def _looks_binary(body: bytes) -> bool:
    return any(byte in _BINARY_BYTES for byte in body[:SNIFF_BYTES])
