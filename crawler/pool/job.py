"""The job an extraction worker runs for one page: extract it and pack its raw body.

Extraction is ``archive.capture.extract_capture``, the step the crawl shares with WARC import
and re-extraction; packing hashes and compresses the body into the ``bodies`` row the crawl's
reactor then only writes. Both happen in a worker process (``crawler.pool.worker``), or in the
crawl's own process when there is no pool.
"""

import logging
from dataclasses import dataclass
from typing import Any

from archive.capture import extract_capture
from archive.extract import DEFAULT_OPTIONS, ExtractOptions
from archive.records import ArticleRecord, Outcome
from archive.store.bodies.compress import CRAWL_LEVEL, Dictionary
from archive.store.bodies.compress import pack_body as pack_archive_body

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackDictionary:
    """A site's zstd dictionary as a job carries it: its bytes only the first time a worker
    is sent it (a dictionary is about 112 KiB, as much as a page), then its id alone."""

    id: int
    data: bytes | None = None


@dataclass(frozen=True, slots=True)  # slots: pickled as fast as a plain tuple
class ExtractionJob:
    """One page for a worker. ``content`` is the page as text when the caller already has it;
    otherwise (the crawl's way) only the raw ``body`` travels, with the ``encoding`` Scrapy
    found, and the worker decodes it. ``dictionary`` is the site's, for packing the body."""

    content_type: str | None
    content: str | bytes | None
    url: str
    body: bytes | None
    encoding: str | None = None
    options: ExtractOptions = DEFAULT_OPTIONS
    dictionary: PackDictionary | None = None


@dataclass(frozen=True)
class Extracted:
    """What a worker made of one page: outcome, record or reason, and the packed body."""

    outcome: str
    record: ArticleRecord | None
    reason: str | None
    packed_body: dict[str, Any] | None  # the ``bodies`` row: hash, size, compression, data
    metadata: dict[str, Any] | None = None  # a refused page's own title, dates ...


# The dictionaries this process has been sent, by id (a worker's). Bounded: when a new one
# comes and MAX_DICTIONARIES are kept, they are all dropped, and the crawl side, which keeps
# the same count for each worker (``crawler.pool.pool``), sends each again whole when needed.
_DICTIONARIES: dict[int, bytes] = {}
MAX_DICTIONARIES = 256


def pack_body(body: bytes, dictionary: PackDictionary | None = None) -> dict[str, Any]:
    """The ``bodies`` row for a raw body, as ``ArchiveDB.store(packed_body=...)`` takes it:
    the archive's one packer at the crawl's fast level, with the site's dictionary when there
    is one (which about halves a body: pages of a site share their template)."""
    data = _dictionary_bytes(dictionary)
    site_dictionary = Dictionary(dictionary.id, "", data) if dictionary and data else None
    return pack_archive_body(bytes(body), site_dictionary, level=CRAWL_LEVEL)


def _dictionary_bytes(dictionary: PackDictionary | None) -> bytes | None:
    if dictionary is None:
        return None
    if dictionary.data is not None:
        if dictionary.id not in _DICTIONARIES and len(_DICTIONARIES) >= MAX_DICTIONARIES:
            _DICTIONARIES.clear()
        _DICTIONARIES[dictionary.id] = dictionary.data
    # None only if the bytes never arrived (a worker restarted in between): pack without.
    return _DICTIONARIES.get(dictionary.id)


def extract_and_pack(job: ExtractionJob) -> Extracted:
    """Extract the job's page and pack its body (when it has one): what a worker does with a
    job, and the crawl's in-process path when there is no pool."""
    content = job.content if job.content is not None else (job.body or b"")
    done = extract_capture(
        content, job.content_type, job.url, encoding=job.encoding, options=job.options
    )
    packed = pack_body(job.body, job.dictionary) if job.body is not None else None
    return Extracted(done.outcome, done.record, done.reason, packed, done.metadata)


# A small page a worker extracts once as it starts, before its first real page: the parser's
# lazy imports, the shipped rules, the codecs and the packer load then (0.2 s, measured), so
# a page's time, which ARCHIVE_EXTRACT_TIMEOUT limits, is the page's own work.
_WARM_UP_PAGE = (
    "<html><head><title>Warm-up</title></head><body><article><p>"
    + "Words of a page that is extracted once, as the worker starts. " * 10
    + "</p></article></body></html>"
).encode()


def warm_up() -> None:
    """Extract and pack ``_WARM_UP_PAGE``, so that what a first page loads is loaded."""
    url = "http://localhost/warm-up.html"
    extract_and_pack(ExtractionJob("text/html", None, url, _WARM_UP_PAGE, encoding="utf-8"))


def run_job(job: ExtractionJob) -> Extracted:
    """``extract_and_pack(job)`` for a worker: whatever goes wrong, the page gets a result."""
    try:
        return extract_and_pack(job)
    except Exception as error:  # e.g. a body that cannot be hashed; keep the worker alive
        logger.exception("Extraction job failed on %s", job.url)
        return Extracted(Outcome.EXTRACT_ERROR, None, f"worker error: {error}", None)
