"""The crawl's one browser: every page of a run rendered in it, a few at a time, and a
browser that dies mid-page replaced, the page rendered again in the new one.

Real chromium, real `archive save` subprocesses, servers on 127.0.0.1 only. The test kills
only the browser processes below the `archive` process it started, by their ids.
"""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.crawlsite import archive_command, child_env, rows
from tests.httpserver import LoopbackServer, Route
from tests.test_render import RENDER_FAST, ROBOTS, chromium, script_page  # noqa: F401

pytestmark = pytest.mark.crawl


def stat(stderr: str, name: str) -> int:
    """A counter from the crawl's stats dump (``-v``)."""
    found = re.search(rf"'{re.escape(name)}': (\d+)", stderr)
    assert found, f"no {name} in the stats"
    return int(found.group(1))


def test_one_browser_renders_every_page_a_few_at_a_time(
    chromium: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with LoopbackServer({"/robots.txt": Route(ROBOTS, content_type="text/plain")}) as site:
        urls = [site.add_route(f"/news/{n}.html", Route(body=script_page())) for n in range(5)]
        command = archive_command(
            "save", *urls, "--js", "-v", db=tmp_path / "a.db", ARCHIVE_JS_PAGES="2", **RENDER_FAST
        )
        run = subprocess.run(command, env=child_env(), capture_output=True, text=True, timeout=90)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert stat(run.stderr, "playwright/browser_count") == 1
    assert stat(run.stderr, "playwright/page_count") == 5
    assert 1 <= stat(run.stderr, "playwright/page_count/max_concurrent") <= 2


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):  # gone meanwhile
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], list(children.get(pid, []))
    while todo:
        process = todo.pop()
        found.append(process)
        todo += children.get(process, [])
    return found


def browser_processes(pid: int) -> list[int]:
    """The chromium processes (browser, renderers, helpers) below ``pid``."""
    found = []
    for process in descendants(pid):
        try:
            program = Path(f"/proc/{process}/cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        if b"chromium" in program:
            found.append(process)
    return found


def test_a_browser_killed_mid_page_is_replaced_and_the_page_rendered_again(
    chromium: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with LoopbackServer({"/robots.txt": Route(ROBOTS, content_type="text/plain")}) as site:
        # The first page waits for a slow script: time to kill the browser while it renders.
        site.add_route("/slow.js", Route(body=b"//", content_type="text/javascript", delay=3))
        first = site.add_route(
            "/news/a.html", Route(script_page('<script src="/slow.js"></script>'))
        )
        second = site.add_route("/news/b.html", Route(body=script_page()))
        command = archive_command(
            "save", first, second, "--js", "-v", db=tmp_path / "a.db", ARCHIVE_JS_PAGES="1",
            **RENDER_FAST,
        )  # fmt: skip
        archive = subprocess.Popen(
            command, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 60
            while not site.fetched("/slow.js") and time.monotonic() < deadline:
                time.sleep(0.05)
            killed = browser_processes(archive.pid)
            assert killed, "no browser was running"
            for process in killed:
                os.kill(process, signal.SIGKILL)
            stdout, stderr = archive.communicate(timeout=90)
        finally:
            if archive.poll() is None:
                archive.kill()
                archive.wait()
    assert archive.returncode == 0, stdout + stderr[-3000:]
    assert stat(stderr, "playwright/browser_count") == 2  # the second launched for the retry
    assert len(site.fetched("/slow.js")) == 2  # the first page was rendered again
    found = dict(rows(tmp_path / "a.db", "SELECT requested_url, outcome FROM captures"))
    assert found == {first: "article", second: "article"}
