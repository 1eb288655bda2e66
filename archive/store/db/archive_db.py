"""``ArchiveDB``: the one SQLite file that holds crawls, captures, raw bodies and articles.

Opening sets WAL (readers never wait for a crawl that writes), a busy timeout, foreign keys and
``synchronous=NORMAL``, then applies pending migrations. Every write is one ``BEGIN IMMEDIATE``
transaction: it takes the write lock up front, so two writers queue on the busy timeout instead
of failing halfway, and a failure rolls back everything that write did.
"""

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.errors import DiskFullError, NotAnArchiveError, StorageError
from archive.records import ArticleRecord, Capture, Outcome
from archive.store.bodies import dictionaries
from archive.store.bodies.compress import pack_body
from archive.store.db.guard import refuse_foreign
from archive.store.db.migrations import MIGRATIONS
from archive.store.db.space import out_of_room
from archive.store.db.timestamps import utc_now
from archive.store.db.transactions import immediate
from archive.store.read import queries as reading
from archive.store.write import articles, gone
from archive.store.write.prepare import prepare
from archive.store.write.rows import capture_row, to_json

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class StoreResult:
    """What ``ArchiveDB.store`` did with one capture."""

    capture_id: int
    article_id: int | None
    article_url: str | None  # the article key, when an article was stored
    outcome: str
    reason: str | None  # the capture's error, when it gave no article


class ArchiveDB:
    """The archive database. ``ArchiveDB(path)`` opens or creates it; ``.db`` is the
    ``sqlite_utils.Database``. A file that is not an archive (not SQLite, or holding other
    tables) is refused untouched with ``NotAnArchiveError`` (``archive.store.db.guard``); so is
    a missing or empty file with ``create=False`` (for commands that only read).
    ``":memory:"`` gives a throw-away database."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = os.fspath(path)
        _check_path(self.path, create=create)
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StorageError(_reason(exc), subject=self.path) from exc
        self.db = Database(conn)
        self._batch_depth = 0  # > 0 inside batch(): writes become savepoints of its transaction
        try:
            if self.path != ":memory:":
                refuse_foreign(conn, self.path, create=create)  # before WAL touches it
            self._configure()
            self._migrate()
        except sqlite3.Error as exc:
            conn.close()
            self._raise_if_full(exc)  # e.g. switching a new file to WAL
            raise StorageError(_reason(exc), subject=self.path) from exc
        except StorageError:
            conn.close()
            raise

    def _configure(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA foreign_keys = ON")
        if self.db.execute("PRAGMA page_count").fetchone()[0] == 0:
            # A new file: let a re-pack give its freed pages back to the disk (``give_back``)
            # without a VACUUM; settable only before the first table is made.
            self.db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        if self.path != ":memory:":
            self.db.enable_wal()
            if self.db.journal_mode != "wal":
                raise StorageError("could not switch the database to WAL mode", subject=self.path)
        # Safe with WAL: a power cut may lose the last commits, never corrupt the file.
        self.db.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self) -> None:
        # Checking first is read-only, so a reader opening a current file takes no write lock.
        if not MIGRATIONS.pending(self.db):
            return
        try:
            # Under the write lock, so two processes opening a new file cannot both migrate it.
            with self._transaction():
                MIGRATIONS.apply(self.db)
        except sqlite3.Error as exc:
            self._raise_if_full(exc)
            raise StorageError(
                f"cannot create or upgrade the archive schema: {exc}", subject=self.path
            ) from exc

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        conn = self.db.conn
        if self._batch_depth:
            # Inside batch(): a savepoint keeps this write all-or-nothing, the batch commits.
            conn.execute("SAVEPOINT archive_write")
            try:
                yield
            except BaseException:
                conn.execute("ROLLBACK TO archive_write")
                conn.execute("RELEASE archive_write")
                raise
            conn.execute("RELEASE archive_write")
            return
        with immediate(self.db):
            yield

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes (``store`` calls ...) into one transaction, committed at the end.

        A commit costs about a millisecond, more than storing an article: bulk writers (an
        import, a crawl's writer) store several hundred pages per batch. Each write inside
        stays all-or-nothing on its own (a savepoint); an exception out of the block rolls
        the whole batch back. Holds the write lock for the whole block: keep batches short.
        """
        with self._writing("a batch of writes"):
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1

    def close(self) -> None:
        self.db.close()

    def give_back(self, pages: int = 25_600) -> int:
        """Return up to ``pages`` free pages (100 MiB of 4 KiB pages) to the disk, in one short
        write, and how many it returned. Only archives made since this was added can (their
        ``auto_vacuum`` is incremental); for others it returns 0 and the free pages wait to
        be reused (or for ``archive compact --vacuum``)."""
        if self.db.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:  # 2: incremental
            return 0
        if self._batch_depth:
            raise StorageError("free pages cannot be given back inside a batch", subject=self.path)
        before = self.db.execute("PRAGMA freelist_count").fetchone()[0]
        # Python's sqlite3 steps a statement once, and each step frees one page; a script
        # runs it to its end. Its own short write transaction.
        try:
            self.db.conn.executescript(
                f"BEGIN IMMEDIATE; PRAGMA incremental_vacuum({int(pages)}); COMMIT;"
            )
        except sqlite3.Error as exc:
            if self.db.conn.in_transaction:
                self.db.conn.rollback()
            raise StorageError(_reason(exc), subject=self.path) from exc
        return before - self.db.execute("PRAGMA freelist_count").fetchone()[0]

    def __enter__(self) -> "ArchiveDB":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ArchiveDB({self.path!r})"

    # -- crawls ------------------------------------------------------------------------

    def start_crawl(self, spider: str, arguments: dict[str, Any]) -> int:
        """Record the start of a crawl run; returns its id for ``store`` and ``finish_crawl``."""
        row = {"spider": spider, "arguments": to_json(arguments or {}), "started_at": utc_now()}
        with self._writing("start a crawl"):
            cursor = self.db.execute(
                "INSERT INTO crawls (spider, arguments, started_at)"
                " VALUES (:spider, :arguments, :started_at)",
                row,
            )
        return _rowid(cursor)

    def finish_crawl(self, crawl_id: int, finish_reason: str, stats: dict[str, Any]) -> None:
        """Record the end of a crawl run (Scrapy's finish reason and stats)."""
        with self._writing(f"finish crawl {crawl_id}"):
            cursor = self.db.execute(
                "UPDATE crawls SET finished_at = ?, finish_reason = ?, stats = ? WHERE id = ?",
                [utc_now(), finish_reason, to_json(stats or {}), crawl_id],
            )
        if cursor.rowcount == 0:
            raise StorageError(f"no crawl with id {crawl_id}", subject=self.path)

    # -- captures and articles ---------------------------------------------------------

    def store(
        self,
        capture: Capture,
        record: ArticleRecord | None = None,
        *,
        crawl_id: int | None = None,
        extractor_version: str | None = None,
        packed_body: dict[str, Any] | None = None,
    ) -> StoreResult:
        """Keep one capture, its body (once per hash) and, when given, its article record.

        All in one transaction. The article is upserted by its key: ``first_seen_at`` kept,
        ``last_seen_at`` and ``capture_id`` moved to this capture (unless an older capture
        arrives late, which only widens the seen window). A new row in ``article_versions``
        is made for a new article and whenever title, authors, dates or text changed
        (``archive.store.write.versions``). An ``Outcome.UNCHANGED`` capture (no record) is linked
        to the URL's article and moves its ``last_seen_at``, making no version. A 404/410 or a
        redirect to the home page marks the URL's article gone (``archive.store.write.gone``).
        ``extractor_version`` defaults to ``archive.extract.EXTRACTOR_VERSION``.
        ``packed_body`` is ``capture.body`` already hashed and compressed elsewhere (a
        crawl's extraction workers do it, so the writer only writes): a dict with the
        ``bodies`` columns ``hash``, ``size``, ``compression`` and ``data``.
        """
        prepared = prepare(capture, record, extractor_version, packed=packed_body)
        _check_packed(capture, packed_body)
        with self._writing(capture.requested_url):
            return self.write_prepared(*prepared, crawl_id)

    def write_prepared(
        self,
        capture: Capture,
        fetched_at: str,
        article: dict[str, Any] | None,
        packed: dict[str, Any] | None,
        crawl_id: int | None,
    ) -> StoreResult:
        """Write one capture whose rows are already built and whose body is packed: the
        steps ``store()`` takes, shared with batch writers (``store_many``, ``archive
        ingest``) so that every path writes the same rows. The caller holds the write
        transaction (``store()``'s own, or ``batch()``)."""
        if packed is not None and not dictionaries.readable(self.db, packed["compression"]):
            # Packed with a dictionary that has since gone (a purge drops unused ones): the
            # raw bytes are at hand, so pack them without rather than store an unreadable body.
            packed = None if capture.body is None else pack_body(bytes(capture.body))
        if packed is not None:
            self.db.execute(
                "INSERT OR IGNORE INTO bodies (hash, size, compression, data)"
                " VALUES (:hash, :size, :compression, :data)",
                packed,
            )
        body = packed["hash"] if packed else None
        capture_id = self._insert("captures", capture_row(capture, fetched_at, crawl_id, body))
        found = self._place(capture, capture_id, fetched_at, article, body)
        return StoreResult(
            capture_id=capture_id,
            article_id=found[0] if found else None,
            article_url=found[1] if found else None,
            outcome=capture.outcome,
            reason=capture.error,
        )

    def _place(
        self,
        capture: Capture,
        capture_id: int,
        fetched_at: str,
        article: dict[str, Any] | None,
        body: str | None,
    ) -> tuple[int, str] | None:
        """Put a new capture in its place: the article it gave (a version when the record
        changed), the article it found unchanged, or the article it says is gone."""
        if article is not None:
            article_id, _ = articles.upsert_article(self.db, article, capture_id, body)
            self.db.execute(
                "UPDATE captures SET article_id = ? WHERE id = ?", [article_id, capture_id]
            )
            gone.note_status(self.db, capture, capture_id, fetched_at)
            return article_id, article["url"]
        if capture.outcome == Outcome.UNCHANGED:
            return articles.note_unchanged(
                self.db, capture.requested_url, capture.final_url, capture_id, fetched_at
            )
        gone.note_status(self.db, capture, capture_id, fetched_at)
        return None

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        columns = ", ".join(row)
        values = ", ".join(f":{name}" for name in row)
        return _rowid(self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})", row))

    @contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """One write transaction; SQLite errors become a ``StorageError`` about ``what``."""
        try:
            with self._transaction():
                yield
        except sqlite3.Error as exc:
            self._raise_if_full(exc)
            raise StorageError(
                f"could not write to {self.path}: {_reason(exc)}", subject=what
            ) from exc

    def _raise_if_full(self, exc: sqlite3.Error) -> None:
        """A write that failed for want of room is a ``DiskFullError`` naming the file (it
        was rolled back: the file holds everything written before it)."""
        why = out_of_room(exc, self.path)
        if why is not None:
            raise DiskFullError(why, subject=self.path) from exc

    def writing(self, what: str) -> AbstractContextManager[None]:
        """One write transaction for a caller's own statements on ``.db`` (a re-extraction
        batch, a purge): all or nothing; SQLite errors become a ``StorageError`` about
        ``what``."""
        return self._writing(what)

    def body(self, hash: str) -> bytes:
        """The raw bytes of the body stored under ``hash`` (a capture's ``body_hash``),
        whatever method packed it (zstd dictionaries included)."""
        return dictionaries.read_body(self.db, hash)

    # -- read side (see archive.store.read.queries) ----------------------------------------

    def list_articles(self, limit: int | None = 20, site: str | None = None) -> list[dict]:
        """Articles, most recently seen first; ``site`` is a host, ``www.`` or not."""
        return self._reading(reading.list_articles, limit=limit, site=site)

    def get_article(self, url: str) -> dict | None:
        """The article with this URL (its key, canonical URL, or any captured URL), or None."""
        return self._reading(reading.get_article, url)

    def find_captures(self, url: str, limit: int | None = 20) -> list[dict]:
        """Captures (failures included) requested from or served at ``url``, newest first."""
        return self._reading(reading.find_captures, url, limit=limit)

    def search(
        self,
        query: str,
        limit: int | None = 20,
        site: str | None = None,
        highlight: tuple[str, str] = ("[", "]"),
        since: str | None = None,
    ) -> list[dict]:
        """Full-text search over title and text, best first, each hit with a ``snippet``
        whose matches are wrapped in ``highlight``; punctuation in ``query`` is safe.
        ``since`` keeps articles first seen at or after that archive timestamp."""
        return self._reading(
            reading.search, query, limit=limit, site=site, since=since, highlight=highlight
        )

    def history(self, url: str) -> dict | None:
        """The article at ``url`` with its ``versions`` (oldest first), or None."""
        return self._reading(reading.history, url)

    def _reading(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(self.db, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StorageError(f"could not read: {_reason(exc)}", subject=self.path) from exc


def _check_path(path: str, *, create: bool) -> None:
    """Refuse, before SQLite touches anything, a path that cannot be an archive file."""
    if path == ":memory:":
        return
    target = Path(path)
    if target.is_dir():
        raise StorageError("is a directory, not a database file", subject=path)
    if target.exists():
        if not target.is_file():  # /dev/null, a FIFO, a socket ...
            raise StorageError("not a regular file", subject=path)
        # The header is left for SQLite to judge ("file is not a database", see _reason):
        # opening and closing the file here would drop this process's POSIX locks on it, and
        # with them a writer's hold on the WAL, if the process already has it open.
        if not os.access(target, os.R_OK):
            raise StorageError("cannot read the file: permission denied", subject=path)
        return
    if not create:
        raise NotAnArchiveError("no archive database at this path", subject=path)
    parent = target.parent
    if not parent.is_dir():
        raise StorageError(f"folder {str(parent)!r} does not exist", subject=path)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StorageError(f"cannot create a file in folder {str(parent)!r}", subject=path)


def _check_packed(capture: Capture, packed_body: dict[str, Any] | None) -> None:
    if packed_body is None:
        return
    if capture.body is None or packed_body["size"] != len(capture.body):
        raise ValueError("packed_body must be the packing of capture.body")


def _rowid(cursor: sqlite3.Cursor) -> int:
    if cursor.lastrowid is None:
        raise StorageError("the database gave no id for a new row")
    return cursor.lastrowid


def _reason(exc: sqlite3.Error) -> str:
    message = str(exc)
    if "file is not a database" in message:
        return "not an SQLite database (left untouched)"
    if "unable to open database file" in message:
        return "cannot open or create the database file here"
    if "readonly" in message:
        return "the database file is read-only"
    if "locked" in message or "busy" in message:
        return (
            f"the database is busy (locked by another writer for over {BUSY_TIMEOUT_MS // 1000} s)"
        )
    return message
