"""``RenderAddon``: install the rendering download handler when a crawl may render a page.

Listed in ``crawler.settings.ADDONS``; it does nothing unless ``ARCHIVE_JS`` is on or a rules
file says ``js = true``, so a crawl without them runs exactly as before: no scrapy-playwright
handler, no Playwright driver, no browser. With them, it points Scrapy's http(s) download
handler at ``crawler.render.handler.RenderingHandler`` and sets scrapy-playwright up for one
Chromium per crawl, launched from ``ARCHIVE_JS_BROWSER`` (Debian's ``/usr/bin/chromium``;
Playwright never downloads a browser here). Settings the user gave (``-s``) are kept.
"""

import shutil

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from archive.errors import ArchiveError
from crawler.render.choice import rendering_wanted

HANDLER = "crawler.render.handler.RenderingHandler"
# As the machines this runs on need them: no sandbox as root in a container, no GPU, and no
# background traffic (updates, sync, field trials) that a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-extensions",
    # Each page's JavaScript heap is capped, so one page cannot take the machine's memory.
    "--js-flags=--max-old-space-size=512",
]

# No network of its own: every host name, IP literals too, is "not found" to the browser, so
# it connects nowhere by itself (no preconnect, DNS prefetch or request the route missed).
# What a page loads comes from crawler.render.gate, fetched by Scrapy. Kept in the launch
# options even when the user gives their own.
NO_NETWORK = "--host-resolver-rules=MAP * ~NOTFOUND"


class RenderAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        if not rendering_wanted(settings):
            return
        try:
            import scrapy_playwright  # noqa: F401
        except ImportError as exc:
            raise ArchiveError(
                "rendering pages (--js, ARCHIVE_JS or js = true in rules) needs scrapy-playwright:"
                " pip install 'article-archiver[js]'"
            ) from exc
        browser = browser_path(settings.get("ARCHIVE_JS_BROWSER") or "")
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        handlers.update({"http": HANDLER, "https": HANDLER})
        settings.set(
            "DOWNLOAD_HANDLERS", handlers, priority=_priority(settings, "DOWNLOAD_HANDLERS")
        )
        pages = max(settings.getint("ARCHIVE_JS_PAGES"), 1)
        defaults = {
            "PLAYWRIGHT_BROWSER_TYPE": "chromium",
            "PLAYWRIGHT_LAUNCH_OPTIONS": {
                "executable_path": browser,
                "headless": True,
                "args": [*CHROMIUM_ARGS, NO_NETWORK],
            },
            "PLAYWRIGHT_MAX_CONTEXTS": 1,
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": pages,
        }
        for name, value in defaults.items():
            settings.set(name, value, priority="addon")
        _keep_no_network(settings)


def _keep_no_network(settings: BaseSettings) -> None:
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    args = list(launch.get("args") or [])
    if NO_NETWORK not in args:
        launch["args"] = [*args, NO_NETWORK]
        priority = _priority(settings, "PLAYWRIGHT_LAUNCH_OPTIONS")
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority=priority)


def browser_path(given: str) -> str:
    """The browser's executable: a path, or a name looked up on PATH."""
    found = shutil.which(given) if given else None
    if found is None:
        raise ArchiveError(
            f"ARCHIVE_JS_BROWSER={given!r}: no such browser (on Debian: apt-get install chromium)"
        )
    return found


def _priority(settings: BaseSettings, name: str) -> int:
    return max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
