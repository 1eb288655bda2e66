"""Applying per-site rules (``archive.rules``) to a parsed page, before the generic passes.

A rule's field selectors are read first (the generic passes would remove bylines and date
lines), then its ``remove`` selectors strip elements, and its ``body`` selector, when it
matches, names the main content so that the generic scoring is skipped.
"""

import dataclasses
from collections.abc import Sequence

from bs4 import Tag

from archive.parse.meta.authors import split_byline, unique_names
from archive.parse.meta.dates import date_from_text, normalize_date
from archive.parse.meta.metadata import RULE, Metadata
from archive.parse.text import clean_inline, sample
from archive.parse.tree.soup import Document, is_gone
from archive.records import Removal
from archive.rules import FieldSelector, Rule

_DATE_FIELDS = ("published_at", "modified_at")


def _value(tag: Tag, selector: FieldSelector) -> str:
    if selector.attribute:
        value = tag.get(selector.attribute)
        return clean_inline(value if isinstance(value, str) else "")
    return clean_inline(tag.get_text(" "))


def _field(doc: Document, name: str, selector: FieldSelector) -> str | list[str] | None:
    if name == "authors":
        names = [
            person
            for tag in doc.soup.select(selector.selector)
            for person in split_byline(_value(tag, selector))
        ]
        return unique_names(names) or None
    tag = doc.soup.select_one(selector.selector)
    if tag is None:
        return None
    value = _value(tag, selector)
    if name in _DATE_FIELDS:
        return normalize_date(value) or date_from_text(value)
    return value or None


def apply_fields(doc: Document, rules: Sequence[Rule], meta: Metadata) -> Metadata:
    """``meta`` with each field a rule's selector finds on the page taken from the page."""
    changes: dict[str, object] = {}
    for rule in rules:
        for name, selector in rule.fields.items():
            if name in changes:
                continue  # the first rule that finds a field wins
            value = _field(doc, name, selector)
            if value:
                changes[name] = value
    for name in ("published", "modified", "authors"):
        key = "authors" if name == "authors" else f"{name}_at"
        if key in changes:
            changes[f"{name}_from"] = RULE
    return dataclasses.replace(meta, **changes) if changes else meta  # type: ignore[arg-type]


def strip(doc: Document, rules: Sequence[Rule]) -> list[Removal]:
    """Remove what the rules' ``remove`` selectors match; record each removal."""
    removed: list[Removal] = []
    for rule in rules:
        for selector in rule.remove:
            for tag in doc.soup.select(selector):
                if is_gone(tag):
                    continue
                text = clean_inline(tag.get_text(" "))
                if text:
                    removed.append(Removal(kind=f"rule {rule.name}", sample=sample(text)))
                tag.decompose()
                doc.sizes = None  # the sizes as parsed no longer hold
    return removed


def rule_body(doc: Document, rules: Sequence[Rule]) -> list[Tag]:
    """The body elements named by the first rule whose ``body`` selector matches, outermost
    only, in document order; empty when no rule names one that is on the page."""
    for rule in rules:
        if not rule.body:
            continue
        found = [t for t in doc.soup.select(rule.body) if not is_gone(t)]
        chosen = set(map(id, found))
        outermost = [t for t in found if not any(id(p) in chosen for p in t.parents)]
        if outermost:
            return outermost
    return []
