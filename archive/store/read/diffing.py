"""Comparing two versions of an article: which fields changed, and a unified diff of the text
(or of the Markdown).

Plain data in, plain lines out; the CLI colours them.
"""

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archive.store.write.versions import SNAPSHOT_FIELDS, changed_fields, normalized

BODY_FIELDS = ("text", "markdown")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


def version_label(version: Mapping[str, Any]) -> str:
    """``version 2 (2026-03-02T09:00:00+00:00, page, extractor 3)``."""
    return (
        f"version {version['version']} ({version['created_at']}, {version['cause']},"
        f" extractor {version.get('extractor_version') or '?'})"
    )


def _shown(name: str, value: Any) -> str:
    value = normalized(name, value)
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(item if isinstance(item, str) else str(item) for item in value)
    return str(value)


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Every record field but the body (text, markdown) that differs between two versions."""
    names = [name for name in SNAPSHOT_FIELDS if name not in BODY_FIELDS]
    return [
        FieldChange(name, _shown(name, old.get(name)), _shown(name, new.get(name)))
        for name in changed_fields(old, new, tuple(names))
    ]


def text_diff(
    old: Mapping[str, Any], new: Mapping[str, Any], *, context: int = 1, markdown: bool = False
) -> list[str]:
    """A unified diff of the two texts, one line per paragraph; empty when they match
    (irrelevant whitespace left out, as for versions). With ``markdown``, of the two Markdown
    bodies, line by line (a list item, a table row, a line of code is a line)."""
    if markdown:
        before = _lines(old.get("markdown"))
        after = _lines(new.get("markdown"))
    else:
        before = _paragraphs(old.get("text"))
        after = _paragraphs(new.get("text"))
    return list(
        difflib.unified_diff(
            before,
            after,
            fromfile=version_label(old),
            tofile=version_label(new),
            lineterm="",
            n=context,
        )
    )


def _paragraphs(text: Any) -> list[str]:
    normal = normalized("text", text or "")
    return normal.split("\n\n") if normal else []


def _lines(markdown: Any) -> list[str]:
    return str(markdown).split("\n") if markdown else []
