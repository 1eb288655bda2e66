"""The library half imports without Scrapy or Twisted (only the CLI's crawl commands need them),
and a process that needs one small part of it loads that part only (the package ``__init__``
files import their names lazily). ``tests/test_layers.py`` checks the imports statically."""

import json
import subprocess
import sys

LIBRARY_MODULES = [
    "archive",
    "archive.extract",
    "archive.store",
    "archive.store.db.archive_db",
    "archive.store.db.migrations",
    "archive.store.bodies.compact",
    "archive.store.exchange.warc",
    "archive.store.maintenance.reextract",
    "archive.distributed.ingest",
    "archive.scheduling",
    "archive.urls",
    # The CLI imports the crawler lazily, inside the commands that crawl.
    "archive.cli",
]


def test_library_modules_import_without_scrapy_or_twisted() -> None:
    code = (
        "import json, sys\n"
        f"for name in {LIBRARY_MODULES!r}:\n"
        "    __import__(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('scrapy', 'twisted', 'crawler'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_check_would_see_scrapy() -> None:
    # Guards the test above: the same probe does report Scrapy once something imports it.
    code = "import sys, scrapy; print('scrapy' in sys.modules, 'twisted' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.split() == ["True", "True"]


def _loaded_after(statement: str) -> list[str]:
    code = (
        "import json, sys\n"
        f"{statement}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('archive', 'bs4', 'lxml', 'sqlite_utils'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_worker_that_packs_bodies_loads_neither_the_parser_nor_the_database() -> None:
    assert _loaded_after("import archive.store.bodies.compress") == [
        "archive",
        "archive.errors",
        "archive.lazy",
        "archive.store",
        "archive.store.bodies",
        "archive.store.bodies.compress",
    ]


def test_the_packages_still_export_their_names_on_first_use() -> None:
    loaded = _loaded_after(
        "from archive.store import ArchiveDB, StoreResult, utc_now\n"
        "from archive import extract_article, Outcome, StorageError, __version__\n"
        "from archive.scheduling import Scheduler, load_schedule"
    )
    assert {"archive.store.db.archive_db", "archive.extract", "archive.scheduling.runner"} <= set(
        loaded
    )
