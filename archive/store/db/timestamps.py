"""Timestamps the archive makes: UTC, ISO 8601, whole seconds, ``+00:00``.

One format everywhere means the ``*_at`` columns sort and compare correctly as text.
"""

from datetime import UTC, datetime

from archive.errors import StorageError


def utc_now() -> str:
    """Now, e.g. ``2026-11-28T17:30:05+00:00``."""
    return format_timestamp(datetime.now(UTC))


def format_timestamp(moment: datetime) -> str:
    """``moment`` in the archive's format; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def normalize_timestamp(value: str) -> str:
    """An ISO 8601 instant given by a caller, rewritten in the archive's format.

    Accepts any offset (and ``Z``); raises ``StorageError`` for text that is not an instant.
    """
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"not an ISO 8601 timestamp: {value!r}") from exc
    return format_timestamp(moment)
