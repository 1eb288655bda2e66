"""WARC files in and out, through warcio.

Export: each capture that kept a body becomes a ``response`` record (status line, the response
headers, the raw body) with its ``request`` record (the request headers), joined by
``WARC-Concurrent-To`` as warcio pairs them. The stored body is the decoded one (Scrapy undoes
gzip and chunking), so ``Content-Encoding``, ``Transfer-Encoding`` and ``Content-Length`` are
rewritten to describe the bytes written, or a WARC reader would try to decode them again.

Import: every ``response`` record of an HTTP(S) URL becomes a ``Capture`` (requested and final
URL the record's target, fetched at ``WARC-Date``), with the request headers of its request
record when one is next to it. Other record types (warcinfo, metadata, revisit, resource) are
skipped. ``check_warc`` tells a file that cannot be imported before anything is opened, and
``SkipKnown`` leaves out the responses the archive already holds, so importing a WARC twice
(or an export back into its archive) stores nothing twice.
"""

import json
import logging
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from io import BytesIO
from typing import IO, Any, BinaryIO

from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import StorageError
from archive.records import Capture, Outcome
from archive.redaction import redact_headers
from archive.store.bodies.compress import body_hash
from archive.store.bodies.dictionaries import unpack
from archive.store.db.timestamps import normalize_timestamp
from archive.store.write.batch import BATCH_SIZE

log = logging.getLogger(__name__)

# Headers that describe the transfer, not the stored bytes.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_EXPORT_SQL = """
    SELECT c.id, c.requested_url, c.final_url, c.status, c.request_headers,
           c.response_headers, c.fetched_at, b.compression, b.data
    FROM captures c JOIN bodies b ON b.hash = c.body_hash
    WHERE c.status IS NOT NULL{where}
    ORDER BY c.id
"""


def warc_date(fetched_at: str) -> str:
    """``2026-03-01T10:00:00+00:00`` as WARC wants it: ``2026-03-01T10:00:00Z``."""
    return normalize_timestamp(fetched_at).replace("+00:00", "Z")


def _http_headers(status: int, headers: list[list[str]], size: int) -> StatusAndHeaders:
    pairs = redact_headers((name, value) for name, value in headers)
    kept = [(name, value) for name, value in pairs if name.lower() not in _TRANSFER_HEADERS]
    kept.append(("Content-Length", str(size)))
    return StatusAndHeaders(f"{status}", kept, protocol="HTTP/1.1")


def _request_headers(url: str, headers: list[list[str]]) -> StatusAndHeaders:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = redact_headers((name, value) for name, value in headers)
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"GET {path} HTTP/1.1", pairs, is_http_request=True)


def export_warc(db: Database, out: IO[bytes], *, site: str | None = None) -> int:
    """Write every capture with a body as a request/response pair; gzip per record.

    Returns the number of captures written.
    """
    where, params = ("", []) if not site else (" AND c.site = ?", [site])
    writer = WARCWriter(out, gzip=True)
    count = 0
    for row in db.execute(_EXPORT_SQL.format(where=where), params):
        _write_pair(db, writer, row)
        count += 1
    return count


def _write_pair(db: Database, writer: WARCWriter, row: tuple[Any, ...]) -> None:
    _id, requested, final, status, request_headers, headers, fetched_at = row[:7]
    body = unpack(db, row[8], row[7])
    url = final or requested
    date = warc_date(fetched_at)
    response = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=_http_headers(status, json.loads(headers), len(body)),
        warc_headers_dict={"WARC-Date": date},
    )
    request = writer.create_warc_record(
        url,
        "request",
        payload=BytesIO(b""),
        length=0,
        http_headers=_request_headers(url, json.loads(request_headers)),
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_request_response_pair(request, response)


def _capture(record: ArcWarcRecord, request_headers: list[tuple[str, str]]) -> Capture:
    url = _target(record)
    http = record.http_headers
    status = int(http.get_statuscode() or 0) or None
    body = record.content_stream().read()
    headers = [(name, value) for name, value in http.headers]
    date = record.rec_headers.get_header("WARC-Date") or ""
    ok = status is not None and 200 <= status < 300
    return Capture(
        requested_url=url,
        fetched_at=normalize_timestamp(date.replace("Z", "+00:00")),
        outcome=Outcome.ARTICLE if ok else Outcome.HTTP_ERROR,
        final_url=url,
        status=status,
        request_headers=request_headers,
        response_headers=headers,
        content_type=http.get_header("Content-Type"),
        body=body,
        error=None if ok else f"HTTP {status}",
    )


def read_warc(stream: BinaryIO, name: str) -> Iterator[Capture]:
    """The HTTP responses in a WARC (gzipped or not) as captures, in file order.

    A response's outcome is ``article`` for 2xx (the caller extracts and may change it) and
    ``http-error`` otherwise. Its request headers come from the request record next to it,
    before it (wget) or after it (warcio), joined by ``WARC-Concurrent-To``. Raises
    ``StorageError`` naming ``name`` for a file that is not a WARC or breaks off.
    """
    pending: ArcWarcRecord | None = None  # a response waiting for a request after it
    request: ArcWarcRecord | None = None  # the last request, for a response after it
    try:
        for record in ArchiveIterator(stream, arc2warc=True):
            if record.rec_type == "response" and _is_http(record):
                if pending is not None:
                    yield _capture(pending, [])
                pending = None
                if request is not None and _paired(request, record):
                    yield _capture(_buffered(record), _headers_of(request))
                else:
                    pending = _buffered(record)  # read now: the iterator moves on
                request = None
            elif record.rec_type == "request":
                if pending is not None and _paired(record, pending):
                    yield _capture(pending, _headers_of(record))
                    pending, request = None, None
                else:
                    request = _buffered(record)
        if pending is not None:
            yield _capture(pending, [])
    except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
        raise StorageError(f"not a readable WARC file ({_short(exc)})", subject=name) from exc


def check_warc(path: str) -> None:
    """Raise ``StorageError`` naming ``path`` unless it can be read and its first record is a
    WARC (or ARC) record: a missing, unreadable or foreign file is told before the archive is
    opened. An empty file passes (it holds no captures); a file that breaks off later is
    found by ``read_warc``."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the first record
    except OSError as exc:
        raise StorageError(f"cannot read ({exc.strerror or exc})", subject=path) from exc
    with stream:
        records = ArchiveIterator(stream, arc2warc=True)
        try:
            next(iter(records), None)
        except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
            raise StorageError(f"not a readable WARC file ({_short(exc)})", subject=path) from exc
        finally:
            records.close()


# The same response as one already stored: served at the same URL, at the same second (the
# archive keeps whole seconds, as WARC-Date does), with the same body.
_KNOWN_SQL = """
    SELECT 1 FROM captures
    WHERE final_url = ? AND fetched_at = ? AND body_hash IS ?
    LIMIT 1
"""


class SkipKnown:
    """Leaves out the captures the archive already holds, counting them in ``skipped``.

    The lookup sees committed rows only; ``store_many`` reads up to two batches ahead of its
    commits, so the identities of the last captures let through are remembered as well, and a
    WARC that repeats a record close by is caught too.
    """

    def __init__(self, db: Database, *, remember: int = 4 * BATCH_SIZE) -> None:
        self.db = db
        self.skipped = 0
        self._recent: OrderedDict[tuple[str, str, str | None], None] = OrderedDict()
        self._remember = remember

    def __call__(self, captures: Iterable[Capture]) -> Iterator[Capture]:
        for capture in captures:
            identity = _identity(capture)
            if identity in self._recent or self._stored(identity):
                self.skipped += 1
                continue
            self._recent[identity] = None
            if len(self._recent) > self._remember:
                self._recent.popitem(last=False)
            yield capture

    def _stored(self, identity: tuple[str, str, str | None]) -> bool:
        return self.db.execute(_KNOWN_SQL, identity).fetchone() is not None


def _identity(capture: Capture) -> tuple[str, str, str | None]:
    digest = None if capture.body is None else body_hash(bytes(capture.body))
    url = capture.final_url or capture.requested_url
    return url, normalize_timestamp(capture.fetched_at), digest


def _paired(request: ArcWarcRecord, response: ArcWarcRecord) -> bool:
    request_id, response_id = _record_id(request), _record_id(response)
    return bool(request_id and response_id) and (
        request.rec_headers.get_header("WARC-Concurrent-To") == response_id
        or response.rec_headers.get_header("WARC-Concurrent-To") == request_id
    )


def _headers_of(request: ArcWarcRecord) -> list[tuple[str, str]]:
    http = request.http_headers
    return [] if http is None else [(name, value) for name, value in http.headers]


def _target(record: ArcWarcRecord) -> str:
    # Some tools (old wget) wrap the URI in angle brackets.
    return (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")


def _is_http(record: ArcWarcRecord) -> bool:
    return record.http_headers is not None and _target(record).startswith(("http://", "https://"))


def _record_id(record: ArcWarcRecord) -> str:
    return record.rec_headers.get_header("WARC-Record-ID") or ""


def _buffered(record: ArcWarcRecord) -> ArcWarcRecord:
    """The record with its decoded payload read now (after the iterator advances the record's
    stream is spent); a record cut short by the end of the file raises ``ValueError``."""
    body = record.content_stream().read()
    record.raw_stream.read()  # whatever the decoding left of the record
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise ValueError(f"the file breaks off inside the record of {_target(record)}")
    record.content_stream = lambda: BytesIO(body)  # type: ignore[method-assign]
    return record


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
