"""The one step before every write of a capture: check it, stamp it, build its ``articles`` row
and pack its body. ``ArchiveDB.store``, the bulk writer (``store_many``, in its worker
processes) and the distributed writer (``archive ingest``) all take it, then hand the result to
``ArchiveDB.write_prepared``, so every path writes the same rows."""

from typing import Any, NamedTuple

from archive.records import ArticleRecord, Capture, Outcome
from archive.store.bodies.compress import Dictionary, pack_body
from archive.store.db.timestamps import normalize_timestamp
from archive.store.write.rows import article_row


class Prepared(NamedTuple):
    """A capture ready for ``ArchiveDB.write_prepared``: all but the SQL."""

    capture: Capture
    fetched_at: str  # normalized
    article: dict[str, Any] | None  # the ``articles`` row, when the capture gave a record
    packed: dict[str, Any] | None  # the ``bodies`` row, when the capture has a body


def prepare(
    capture: Capture,
    record: ArticleRecord | None,
    extractor_version: str | None = None,
    *,
    packed: dict[str, Any] | None = None,
    dictionary: Dictionary | None = None,
) -> Prepared:
    """``capture`` (and ``record``) checked and turned into rows. ``packed`` is the body
    already packed elsewhere (a crawl's extraction workers, a distributed worker); without it
    ``capture.body`` is packed here, with the site's ``dictionary`` when given.
    ``extractor_version`` defaults to ``archive.extract.EXTRACTOR_VERSION``."""
    check_consistent(capture, record)
    fetched_at = normalize_timestamp(capture.fetched_at)
    if packed is None and capture.body is not None:
        packed = pack_body(bytes(capture.body), dictionary)
    article = None
    if record is not None:
        article = article_row(capture, record, fetched_at, version_or_current(extractor_version))
    return Prepared(capture, fetched_at, article, packed)


def check_consistent(capture: Capture, record: ArticleRecord | None) -> None:
    # A record with a failed outcome (or the reverse) would put a lie into the archive.
    if (record is not None) != (capture.outcome == Outcome.ARTICLE):
        raise ValueError(
            f"capture outcome {capture.outcome!r} with record={record is not None}:"
            " a record is stored exactly when the outcome is Outcome.ARTICLE"
        )


def version_or_current(extractor_version: str | None) -> str:
    """``extractor_version``, or the current parser's when None."""
    if extractor_version is not None:
        return extractor_version
    # Imported here, not at the top: storage sits below the parser in the layering.
    from archive.extract import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION
