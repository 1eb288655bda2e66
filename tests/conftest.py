"""Fixtures shared by the test files (pytest finds them here; no import needed).

- ``archive``: an empty archive (``ArchiveDB``) in the test's tmp_path, closed afterwards. A
  file that needs stored rows overrides it with a fixture of the same name that takes this
  one and stores them.
- ``serve``: starts the one test HTTP server (``tests.httpserver.LoopbackServer``) with the
  given routes, on 127.0.0.1 or another loopback address, and stops it after the test.
- ``site``: the loopback news site of ``tests.crawlsite`` (articles, fronts, feeds, sitemaps,
  robots.txt) on that server.
- ``golden_archive_copy``: a copy of the archive built from the golden pages
  (``tests.archive_builder``); it is built once per run, and each caller gets its own copy.
- ``wait_until`` and ``capture_count`` (``tests.polling``): poll for something to happen
  instead of sleeping a fixed time.
"""

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from archive.store.db.archive_db import ArchiveDB
from tests.archive_builder import build_archive
from tests.crawlsite import news_site
from tests.httpserver import LoopbackServer, Route
from tests.polling import capture_count as count_captures
from tests.polling import wait_until as poll_until


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[ArchiveDB]:
    db = ArchiveDB(tmp_path / "archive.db")
    yield db
    db.close()


Serve = Callable[..., LoopbackServer]
Routes = dict[str, Route]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """``serve(routes, host="127.0.0.1")``: a started server, stopped after the test."""
    with contextlib.ExitStack() as servers:

        def start(routes: Routes | None = None, host: str = "127.0.0.1") -> LoopbackServer:
            return servers.enter_context(LoopbackServer(routes, host=host))

        yield start


@pytest.fixture
def site(serve: Serve) -> LoopbackServer:
    server = serve()
    news_site(server)
    return server


@pytest.fixture(scope="session")
def _golden_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden-archive") / "archive.db"
    build_archive(path)
    return path


@pytest.fixture(scope="session")
def golden_archive_copy(_golden_archive: Path) -> Callable[[Path], Path]:
    """``golden_archive_copy(path)``: the golden pages' archive copied to ``path``."""

    def copy(path: Path) -> Path:
        # SQLite's backup API: a consistent copy, whatever the source's journal holds.
        with (
            contextlib.closing(sqlite3.connect(_golden_archive)) as source,
            contextlib.closing(sqlite3.connect(path)) as target,
        ):
            source.backup(target)
        return path

    return copy


@pytest.fixture(scope="session")
def wait_until() -> Callable[..., object]:
    return poll_until


@pytest.fixture(scope="session")
def capture_count() -> Callable[[Path], int]:
    return count_captures
