"""The library half imports without Scrapy or Twisted (only the CLI's crawl commands need them)."""

import json
import subprocess
import sys

LIBRARY_MODULES = [
    "archive",
    "archive.extract",
    "archive.store",
    "archive.store.db.archive_db",
    "archive.store.db.migrations",
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
