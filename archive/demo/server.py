"""Serve the demo news site that ships inside the package, on loopback, in a background thread.

``archive demo`` and the tests use it the same way::

    with serve_site() as site:
        crawl([site.index_url, *site.article_urls()])

Standard library only: a ``ThreadingHTTPServer`` over the packaged ``site/`` folder, quiet (request
lines go to the debug log, not to stderr) and explicit about charsets, so that what a crawler
receives from it looks like what a real news site sends.
"""

import json
import logging
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from archive.errors import ArchiveError

logger = logging.getLogger(__name__)

SITE_DIR = Path(__file__).resolve().with_name("site")
MANIFEST_NAME = "manifest.json"

# http.server would send a bare "text/html"; real sites name the charset, and the pages hold
# non-ASCII text (the German pages, "£", "©"), so say it rather than leave it to sniffing.
_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
}


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files from the site folder; logs through ``logging`` instead of stderr."""

    extensions_map = {  # noqa: RUF012 (the base class declares it an instance variable)
        **SimpleHTTPRequestHandler.extensions_map,
        **_CONTENT_TYPES,
    }
    server_version = "ArchiveDemo/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The default prints a traceback to stderr; a client hanging up early (a crawler that
        # hit its size limit, a closed browser tab) is not worth one.
        logger.debug("error serving %s", client_address, exc_info=True)


class DemoServer:
    """The demo site served on ``host:port`` (port 0 picks a free one) until ``close()``."""

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        if not directory.is_dir():
            raise ArchiveError("demo site folder not found", subject=str(directory))
        self.directory = directory
        handler = partial(_QuietHandler, directory=str(directory))
        self._httpd = _QuietServer((host, port), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="archive-demo-server", daemon=True
        )
        self._manifest: dict[str, Any] | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://host:port``, without a trailing slash."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url_for(self, path: str) -> str:
        """The served URL of a path relative to the site folder (``politics/x.html``)."""
        return f"{self.base_url}/{path.lstrip('/')}"

    @property
    def manifest(self) -> dict[str, Any]:
        """The site's ``manifest.json``: its articles, what each must and must not hold."""
        if self._manifest is None:
            path = self.directory / MANIFEST_NAME
            try:
                self._manifest = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ArchiveError(
                    f"cannot read the demo manifest: {exc}", subject=str(path)
                ) from exc
        return self._manifest

    @property
    def index_url(self) -> str:
        """The front page: a list of teasers linking every article (not itself an article)."""
        return self.url_for(self.manifest["index"])

    def article_urls(self) -> list[str]:
        """The served URL of every article page the manifest lists, in manifest order."""
        return [self.url_for(article["path"]) for article in self.manifest["articles"]]

    def start(self) -> Self:
        self._thread.start()
        logger.info("serving %s at %s", self.directory, self.base_url)
        return self

    def close(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def serve_site(
    directory: str | Path | None = None, host: str = "127.0.0.1", port: int = 0
) -> DemoServer:
    """Start serving ``directory`` (default: the packaged demo site) in a background thread.

    The server is already running when this returns; use it as a context manager, or call
    ``close()``, to stop it.
    """
    site = Path(directory) if directory is not None else SITE_DIR
    return DemoServer(site, host, port).start()
