"""Read-only questions a crawl asks the archive before it fetches a URL.

An incremental crawl must not re-download the world: before each fetch the crawler asks when
the URL was last captured (to skip it within the refresh window), which validators the last
response carried (to send ``If-None-Match`` / ``If-Modified-Since``), which body hash it had
(to tell an unchanged page from a changed one), whether the archive has ever seen the URL
(``--only-new``) and what an interrupted crawl already stored (``--resume``).

Functions take the ``sqlite_utils.Database`` of an ``ArchiveDB`` and never write. A URL
matches a capture that requested it or was served from it (after redirects).
"""

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlite_utils import Database

from archive.errors import StorageError
from archive.records import Outcome
from archive.store.bodies import dictionaries

# Outcomes that mean "the server answered with a page we kept": a later fetch can be skipped
# or made conditional. Failures (HTTP errors, timeouts, robots.txt) never count: the next
# crawl tries them again.
ANSWERED = (Outcome.ARTICLE, Outcome.NOT_ARTICLE, Outcome.NOT_HTML, Outcome.UNCHANGED)
_ANSWERED_SQL = ", ".join(f"'{outcome}'" for outcome in ANSWERED)
# The outcomes that say what a page is (an article or not), as opposed to "unchanged".
_KINDS_SQL = ", ".join(f"'{outcome}'" for outcome in ANSWERED if outcome != Outcome.UNCHANGED)
_MATCHES_URL = "(requested_url = :url OR final_url = :url)"


def open_reader(path: str) -> Database:
    """A read-only connection to an existing archive, for a process that already writes it.

    Not an ``ArchiveDB``: opening one checks the file's header with a plain ``open()``, and
    closing any file descriptor on a database drops every POSIX lock this process holds on
    it, so another process may then checkpoint and reset the WAL under our writer's feet
    (its later commits vanish from other readers, and are lost on a kill).
    """
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    try:
        return Database(sqlite3.connect(uri, uri=True, timeout=10))
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read the archive: {exc}", subject=path) from exc


def stored_body(db: Database, body_hash: str) -> bytes:
    """The raw bytes of a stored body, whatever packed it; raises ``StorageError``."""
    return dictionaries.read_body(db, body_hash)


@dataclass(frozen=True)
class LastCapture:
    """What the archive knows about a URL's latest answered fetch."""

    fetched_at: str  # the latest answered capture, unchanged ones included
    outcome: str  # the latest capture with a body (an unchanged one: what it confirmed)
    body_hash: str | None  # that capture's body, to compare a new body with
    etag: str | None
    last_modified: str | None
    headers: list[list[str]]  # that capture's response headers, to replay its body
    final_url: str | None
    is_article: bool  # whether the URL's latest real body was stored as an article


def last_capture(db: Database, url: str) -> LastCapture | None:
    """The URL's latest answered capture and validators, or None when it has none."""
    latest = db.execute(
        f"SELECT max(fetched_at) FROM captures WHERE {_MATCHES_URL}"
        f" AND outcome IN ({_ANSWERED_SQL})",
        {"url": url},
    ).fetchone()
    if latest is None or latest[0] is None:
        return None
    # The validators and hash come from the latest capture that received a body: a 304 has
    # none, and the page it confirmed is the one fetched before it.
    row = db.execute(
        "SELECT outcome, body_hash, response_headers, final_url, article_id FROM captures"
        f" WHERE {_MATCHES_URL} AND outcome IN ({_ANSWERED_SQL}) AND body_hash IS NOT NULL"
        " ORDER BY fetched_at DESC, id DESC LIMIT 1",
        {"url": url},
    ).fetchone()
    if row is None:
        return LastCapture(latest[0], Outcome.UNCHANGED, None, None, None, [], None, False)
    outcome, body_hash, headers_json, final_url, article_id = row
    if outcome == Outcome.UNCHANGED:  # a same-body capture: its kind is the one it confirmed
        kind = db.execute(
            "SELECT outcome, article_id FROM captures"
            f" WHERE {_MATCHES_URL} AND outcome IN ({_KINDS_SQL})"
            " ORDER BY fetched_at DESC, id DESC LIMIT 1",
            {"url": url},
        ).fetchone()
        outcome, article_id = kind if kind is not None else (outcome, article_id)
    headers = _headers(headers_json)
    return LastCapture(
        fetched_at=latest[0],
        outcome=outcome,
        body_hash=body_hash,
        etag=_header(headers, "etag"),
        last_modified=_header(headers, "last-modified"),
        headers=headers,
        final_url=final_url,
        is_article=outcome == Outcome.ARTICLE or article_id is not None,
    )


def has_seen(db: Database, url: str) -> bool:
    """Whether the archive ever got an answer from this URL or holds it as an article.

    Failed fetches do not count, so ``--only-new`` still retries a URL that never worked.
    """
    captured = db.execute(
        f"SELECT 1 FROM captures WHERE {_MATCHES_URL} AND outcome IN ({_ANSWERED_SQL}) LIMIT 1",
        {"url": url},
    ).fetchone()
    if captured is not None:
        return True
    article = db.execute(
        "SELECT 1 FROM articles WHERE url = :url OR canonical_url = :url LIMIT 1", {"url": url}
    ).fetchone()
    return article is not None


def interrupted_chain(
    db: Database, spider: str, arguments: dict[str, Any], *, exclude: int | None = None
) -> list[int]:
    """The ids of the crawl runs that a ``--resume`` continues, newest first; [] for none.

    That is the latest run of ``spider`` with the same ``arguments`` (``resume`` left out)
    when it did not finish cleanly (killed: no ``finished_at``; stopped with Ctrl-C:
    ``shutdown``), plus the runs it itself resumed. ``exclude`` is the run now starting.
    """
    wanted = _resume_key(arguments)
    chain: list[int] = []
    rows = db.execute(
        "SELECT id, arguments, finished_at, finish_reason FROM crawls"
        " WHERE spider = ? AND id != ? ORDER BY id DESC",
        [spider, -1 if exclude is None else exclude],
    )
    for crawl_id, arguments_json, finished_at, finish_reason in rows:
        given = _json_object(arguments_json)
        if _resume_key(given) != wanted:
            continue
        if not chain and finished_at is not None and finish_reason == "finished":
            break  # the last run of this command completed: nothing to resume
        chain.append(int(crawl_id))
        if not given.get("resume"):
            break
    return chain


def done_in_crawls(db: Database, crawl_ids: list[int]) -> set[str]:
    """Every URL requested or served in these crawl runs, whatever became of it."""
    if not crawl_ids:
        return set()
    marks = ", ".join("?" for _ in crawl_ids)
    done: set[str] = set()
    for requested, final in db.execute(
        f"SELECT requested_url, final_url FROM captures WHERE crawl_id IN ({marks})", crawl_ids
    ):
        done.add(requested)
        if final:
            done.add(final)
    return done


def _resume_key(arguments: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in arguments.items() if k != "resume"}, sort_keys=True)


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _headers(text: str | None) -> list[list[str]]:
    try:
        pairs = json.loads(text or "[]")
    except json.JSONDecodeError:
        return []
    return [list(pair) for pair in pairs if isinstance(pair, list) and len(pair) == 2]


def _header(headers: list[list[str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None
