"""What crawl workers hand the single writer through Redis, and what the writer hands back.

Workers fetch and extract; only ``archive ingest`` writes the SQLite file. Between them sit a
Redis list of messages (``items_key``) and, going the other way, a mirror of each URL's last
answered fetch (``frontier_key``) that the incremental gate of every worker reads instead of
the archive file. This module holds the message format and the key names, so both sides (the
``crawler.distributed`` package and ``archive.distributed.ingest``) agree without importing each
other, and no Redis client is needed to use it.

A message is a pickled dict of plain values (str, int, float, bool, None, bytes, lists,
dicts); ``decode`` refuses anything else, so a message cannot name a class to build. Kinds:

- ``crawl-start`` (``crawl``: the run's uid, ``spider``, ``arguments``),
- ``capture`` (``uid``: the capture's stable id made by the worker, ``crawl``, ``spider``,
  ``capture``: the ``Capture`` fields without the body, ``record``: the ``ArticleRecord`` as
  a dict or None, ``packed``: the ``bodies`` row or None),
- ``crawl-finish`` (``crawl``, ``reason``, ``stats``).
"""

import dataclasses
import io
import pickle
from typing import Any

from archive.records import ArticleRecord, Capture, Image, Outcome, Removal

DEFAULT_PREFIX = "archive"


def items_key(prefix: str = DEFAULT_PREFIX) -> str:
    """The list workers push finished pages onto (LPUSH) and the writer drains (right end)."""
    return f"{prefix}:items"


def processing_key(prefix: str = DEFAULT_PREFIX) -> str:
    """The writer's list of messages taken but not yet committed (BLMOVE target)."""
    return f"{prefix}:items:processing"


def failed_key(prefix: str = DEFAULT_PREFIX) -> str:
    """Messages the writer could not store (kept for a person to look at, never dropped)."""
    return f"{prefix}:items:failed"


def writer_lock_key(prefix: str = DEFAULT_PREFIX) -> str:
    """Held by the one running writer (a key with a short expiry, renewed as it works)."""
    return f"{prefix}:writer"


def frontier_key(url: str, prefix: str = DEFAULT_PREFIX) -> str:
    """The hash mirroring what the archive knows of ``url``'s last answered fetch."""
    return f"{prefix}:frontier:{url}"


# -- messages --------------------------------------------------------------------------


def encode(message: dict[str, Any]) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


class _PlainUnpickler(pickle.Unpickler):
    """Builds plain values only: a message naming any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a handoff message may not name {module}.{name}")


def decode(data: bytes) -> dict[str, Any]:
    """The message in ``data``; raises ``ValueError`` for anything but a plain message."""
    try:
        message = _PlainUnpickler(io.BytesIO(data)).load()
    except (pickle.UnpicklingError, EOFError, TypeError, ValueError) as exc:
        raise ValueError(f"not a handoff message: {exc}") from exc
    if not isinstance(message, dict) or "kind" not in message:
        raise ValueError("not a handoff message: no kind")
    return message


def capture_message(
    uid: str,
    crawl: str,
    spider: str,
    capture: Capture,
    record: ArticleRecord | None,
    packed: dict[str, Any] | None,
) -> dict[str, Any]:
    """A finished page: the capture (its body travels packed only), its record, its body."""
    fields = dataclasses.asdict(dataclasses.replace(capture, body=None))
    return {
        "kind": "capture",
        "uid": uid,
        "crawl": crawl,
        "spider": spider,
        "capture": fields,
        "record": record.to_dict() if record is not None else None,
        "packed": packed,
    }


def capture_from(message: dict[str, Any]) -> Capture:
    fields = dict(message["capture"])
    for name in ("request_headers", "response_headers"):
        fields[name] = [tuple(pair) for pair in fields.get(name) or []]
    return Capture(**fields)


def record_from(message: dict[str, Any]) -> ArticleRecord | None:
    fields = message.get("record")
    if fields is None:
        return None
    fields = dict(fields)
    fields["images"] = [Image(**image) for image in fields.get("images") or []]
    fields["removed"] = [Removal(**removal) for removal in fields.get("removed") or []]
    return ArticleRecord(**fields)


# -- the frontier mirror -------------------------------------------------------------------

# Outcomes that are answers a later fetch may skip or make conditional (as in
# archive.store.read.frontier.ANSWERED); failures are tried again, so they are not mirrored.
_ANSWERED = (Outcome.ARTICLE, Outcome.NOT_ARTICLE, Outcome.NOT_HTML, Outcome.UNCHANGED)


def mirror_fields(
    capture: Capture, packed: dict[str, Any] | None, is_article: bool
) -> dict[str, str] | None:
    """The frontier entry (Redis hash fields) a stored capture gives its URLs, or None for a
    failure. The fields are those of ``archive.store.read.frontier.LastCapture``; an unchanged
    capture (a 304 has no body) leaves the body hash and the page's kind as they were."""
    if capture.outcome not in _ANSWERED:
        return None
    entry = {"fetched_at": capture.fetched_at}
    if packed is not None:
        entry["body_hash"] = packed["hash"]
        headers = {name.lower(): value for name, value in capture.response_headers}
        entry["etag"] = headers.get("etag", "")
        entry["last_modified"] = headers.get("last-modified", "")
    if capture.outcome != Outcome.UNCHANGED:
        entry["outcome"] = capture.outcome
        entry["is_article"] = "1" if is_article else "0"
    return entry


def frontier_entry(last: Any) -> dict[str, str]:
    """The mirror of an ``archive.store.read.frontier.LastCapture`` read from the archive."""
    return {
        "fetched_at": last.fetched_at,
        "outcome": last.outcome,
        "body_hash": last.body_hash or "",
        "etag": last.etag or "",
        "last_modified": last.last_modified or "",
        "is_article": "1" if last.is_article else "0",
    }
