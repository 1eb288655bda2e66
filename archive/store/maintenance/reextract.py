"""Re-extraction: run the current parser over stored raw bodies, without any network.

Each article's current record came from one capture (``articles.capture_id``); its body is
re-parsed and, when title, authors, dates or text change, a version with cause 'parser' is
made (``archive.store.write.versions``). Every re-parsed capture is stamped with the extractor
version (``captures.reextracted_version``), so an interrupted run resumes where it stopped.
Work goes in batches: extraction runs outside any transaction, then each batch is written in
one transaction, so a crash loses at most the batch in flight and never half of one.
"""

import difflib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from archive.errors import ExtractionError
from archive.records import ArticleRecord, Capture, Outcome
from archive.store.db.archive_db import ArchiveDB
from archive.store.db.timestamps import utc_now
from archive.store.read.queries import site_clause
from archive.store.write import versions
from archive.store.write.rows import article_row

log = logging.getLogger(__name__)

BATCH_SIZE = 100
EXAMPLES_PER_FIELD = 3
Extractor = Callable[[str | bytes, str], ArticleRecord]


@dataclass(frozen=True)
class Target:
    """One article to re-extract, from the capture its record came from."""

    article_id: int
    url: str  # the article key
    capture_id: int
    fetch_url: str  # the URL the body was served from (for relative links)
    body_hash: str
    content_type: str | None  # as served: its charset decodes the body, as in the crawl


@dataclass(frozen=True)
class Example:
    url: str
    field: str
    old: str
    new: str


@dataclass
class ReextractReport:
    """What a re-extraction did (or, with ``dry_run``, would do)."""

    extractor_version: str
    dry_run: bool
    total: int = 0  # articles selected
    changed: int = 0  # records with a tracked change: a new 'parser' version each
    unchanged: int = 0
    failed: int = 0  # the parser now finds no article there; the record is kept
    skipped: int = 0  # a crawl stored a newer capture meanwhile
    fields: dict[str, int] = field(default_factory=dict)  # per field: records that differ
    examples: list[Example] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)


def select_targets(
    archive: ArchiveDB,
    extractor_version: str,
    *,
    site: str | None = None,
    since: str | None = None,
    every: bool = False,
) -> list[Target]:
    """Articles to re-extract: those made by another extractor version (all with ``every``),
    whose capture was not yet re-extracted by this version; ``since`` bounds the capture's
    ``fetched_at``; ``site`` is a host as for ``list_articles``."""
    where, site_params = site_clause(site, "a.site")
    sql = (
        "SELECT a.id, a.url, c.id, coalesce(c.final_url, c.requested_url), c.body_hash,"
        " c.content_type"
        " FROM articles a JOIN captures c ON c.id = a.capture_id"
        " WHERE c.body_hash IS NOT NULL AND c.reextracted_version IS NOT ?"
    )
    params: list[Any] = [extractor_version]
    if not every:
        sql += " AND a.extractor_version IS NOT ?"
        params.append(extractor_version)
    if since:
        sql += " AND c.fetched_at >= ?"
        params.append(since)
    rows = archive.db.execute(sql + where + " ORDER BY a.id", params + site_params).fetchall()
    return [Target(int(r[0]), r[1], int(r[2]), r[3], r[4], r[5]) for r in rows]


def reextract(
    archive: ArchiveDB,
    *,
    site: str | None = None,
    since: str | None = None,
    every: bool = False,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
    extractor: Extractor | None = None,
    extractor_version: str | None = None,
) -> ReextractReport:
    """Re-extract the selected articles (see ``select_targets``); ``progress`` is called
    after each batch with the number of articles it held and the total. Each body goes
    through ``archive.capture.extract_capture`` with its capture's content type, so it is
    decoded and judged as the crawl did; ``extractor`` replaces only the parser (given the
    decoded page), and ``extractor_version`` defaults to the current parser's."""
    if extractor_version is None:
        # Imported here: storage sits below the parser in the layering.
        from archive.extract import EXTRACTOR_VERSION

        extractor_version = EXTRACTOR_VERSION
    report = ReextractReport(extractor_version=extractor_version, dry_run=dry_run)
    targets = select_targets(archive, extractor_version, site=site, since=since, every=every)
    report.total = len(targets)
    for batch in _chunks(targets, max(batch_size, 1)):
        results = [(target, _extract(archive, extractor, target)) for target in batch]
        if dry_run:
            for target, outcome in results:
                current = _current(archive, report, target)
                if current is not None:
                    _tally(report, target, current, outcome)
        else:
            with archive.writing("re-extraction"):
                stamp = utc_now()
                for target, outcome in results:
                    _apply(archive, report, target, outcome, stamp)
        if progress is not None:
            progress(len(batch), report.total)
    return report


def _chunks(items: list[Target], size: int) -> Iterator[list[Target]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _extract(
    archive: ArchiveDB, extractor: Extractor | None, target: Target
) -> dict[str, Any] | str:
    """The new record as ``articles`` columns, or the reason the parser gave none."""
    from archive.capture import extract_capture, page_text

    body = archive.body(target.body_hash)
    if extractor is None:
        done = extract_capture(body, target.content_type, target.fetch_url)
        if done.record is None:
            return done.reason or done.outcome
        record = done.record
    else:
        try:
            record = extractor(page_text(body, target.content_type), target.fetch_url)
        except ExtractionError as error:
            return error.reason
    capture = Capture(requested_url=target.fetch_url, fetched_at="", outcome=Outcome.ARTICLE)
    row = article_row(capture, record, "", "")
    return {name: row[name] for name in versions.SNAPSHOT_FIELDS}


def _tally(
    report: ReextractReport,
    target: Target,
    current: dict[str, Any],
    outcome: dict[str, Any] | str,
) -> None:
    """Count what this result changes against the ``current`` record."""
    if isinstance(outcome, str):
        report.failed += 1
        report.failures.append((target.url, outcome))
        return
    for name in versions.changed_fields(current, outcome, versions.SNAPSHOT_FIELDS):
        report.fields[name] = report.fields.get(name, 0) + 1
        shown = sum(1 for example in report.examples if example.field == name)
        # Examples only for the fields that make versions: the ones a reader checks first.
        if name in versions.TRACKED_FIELDS and shown < EXAMPLES_PER_FIELD:
            old, new = _difference(name, current.get(name), outcome.get(name))
            report.examples.append(Example(target.url, name, old, new))
    if versions.changed_fields(current, outcome):
        report.changed += 1
    else:
        report.unchanged += 1


def _current(archive: ArchiveDB, report: ReextractReport, target: Target) -> dict[str, Any] | None:
    """The article's record now, or None (counted as skipped) when it no longer comes from
    the target's capture: a crawl stored a newer one since the targets were chosen."""
    current = versions.current_record(archive.db, target.article_id)
    if current is None or current["capture_id"] != target.capture_id:
        report.skipped += 1
        return None
    return current


def _apply(
    archive: ArchiveDB,
    report: ReextractReport,
    target: Target,
    outcome: dict[str, Any] | str,
    stamp: str,
) -> None:
    current = _current(archive, report, target)
    if current is None:
        return
    _tally(report, target, current, outcome)
    if isinstance(outcome, dict):
        versions.update_article(
            archive.db,
            target.article_id,
            outcome,
            cause=versions.PARSER,
            capture_id=target.capture_id,
            extractor_version=report.extractor_version,
            created_at=stamp,
        )
    # Stamped even when the parser found no article, so a resumed run does not retry it.
    archive.db.execute(
        "UPDATE captures SET reextracted_version = ?, reextracted_at = ? WHERE id = ?",
        [report.extractor_version, stamp, target.capture_id],
    )


def _difference(name: str, old: Any, new: Any) -> tuple[str, str]:
    """A short before/after for an example: for text, the first paragraph that differs."""
    if name != "text":
        return _short(_display(name, old)), _short(_display(name, new))
    before = str(old or "").split("\n\n")
    after = str(new or "").split("\n\n")
    removed, added = "", ""
    for line in difflib.unified_diff(before, after, lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---") and not removed:
            removed = line[1:]
        elif line.startswith("+") and not line.startswith("+++") and not added:
            added = line[1:]
    return _short(removed), _short(added)


def _display(name: str, value: Any) -> str:
    value = versions.normalized(name, value)
    if value is None or value == []:
        return "(none)"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _short(value: Any, width: int = 90) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"
