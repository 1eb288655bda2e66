"""The one HTTP server the tests start: threaded, on a loopback address, a random port.

    with LoopbackServer({"/a": Route(b"<html>...")}) as server:
        url = server.url("/a")

It serves a dict of routes (path -> ``Route``; ``folder_routes(folder)`` makes one from the
files of a folder) and answers 404 for any other path. A route can send any status and
headers, an ETag it honours in ``If-None-Match``, a different status on each of the first
requests (a 503 storm, then success), answer late or only when the test says so (``held``,
``release()``), reset the connection, or send part of its body and then stall or close.
Every request is recorded (path, headers, status, arrival time) so a test can say exactly
what the crawler fetched, and how many requests were answered at once.

The server binds only loopback addresses: 127.0.0.1 by default, or another one of 127.0.0.0/8
(``host="127.0.0.2"``) where a test needs a second "host", e.g. for address checks.
"""

import contextlib
import hashlib
import ipaddress
import mimetypes
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HTML = "text/html; charset=utf-8"


@dataclass
class Route:
    """How one path answers. Mutable, so a test can slow down or change a served page."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = HTML
    headers: tuple[tuple[str, str], ...] = ()
    etag: bool = False  # send an ETag and answer a matching If-None-Match with 304
    statuses: tuple[int, ...] = ()  # answers to the first requests (then `status`)
    delay: float = 0.0  # seconds to wait before answering
    held: bool = False  # answer only once the test calls server.release()
    reset: bool = False  # close the connection with a TCP reset instead of answering
    truncate: int | None = None  # send only this many body bytes, then close the connection
    stall_seconds: float = 0.0  # with `truncate`: wait this long before closing


HELD_AT_MOST = 60.0  # seconds a held answer waits for release() (a test that forgot it)
NOT_FOUND = Route(b"<html><body>Not found</body></html>", status=404)


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    status: int
    at: float  # time.monotonic() when the request arrived


@dataclass
class _State:
    routes: dict[str, Route]
    seen: list[Seen] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    active: int = 0  # requests being answered right now
    peak: int = 0  # the most answered at once


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.active += 1
            state.peak = max(state.peak, state.active)
        try:
            self._get(state)
        finally:
            with state.lock:
                state.active -= 1

    def _get(self, state: _State) -> None:
        arrived = time.monotonic()
        route = state.routes.get(self.path) or state.routes.get(self.path.split("?")[0])
        route = route or NOT_FOUND
        with state.lock:
            number = state.counts.get(self.path, 0)
            state.counts[self.path] = number + 1
        status = route.statuses[number] if number < len(route.statuses) else route.status
        tag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
        if route.etag and status == 200 and self.headers.get("If-None-Match") == tag:
            status = 304
        with state.lock:
            state.seen.append(Seen(self.path, dict(self.headers.items()), status, arrived))
        if route.delay:
            time.sleep(route.delay)  # the server is slow on purpose
        if route.held:
            state.released.wait(timeout=HELD_AT_MOST)
        # The crawler may have given up waiting (a timeout test): then there is no one to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(route, status, tag)

    def _answer(self, route: Route, status: int, tag: str) -> None:
        if route.reset:
            # SO_LINGER 0: close() sends a TCP reset instead of a clean end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        body = b"" if status == 304 else route.body
        self.send_response(status)
        if route.content_type and status != 304:
            self.send_header("Content-Type", route.content_type)
        if route.etag and status in (200, 304):
            self.send_header("ETag", tag)
        for name, value in route.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if route.truncate is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[: route.truncate])
        self.wfile.flush()
        if route.stall_seconds:
            time.sleep(route.stall_seconds)  # a body that stops coming, on purpose
        self.close_connection = True  # the client sees the connection end mid-body

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class LoopbackServer:
    """Serve ``routes`` on a loopback address from a background thread while the context is
    open. ``routes`` stays live: a test may add or replace routes while the server runs."""

    def __init__(self, routes: dict[str, Route] | None = None, *, host: str = "127.0.0.1") -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"test servers listen on loopback addresses only, not {host}")
        self._server = _Server((host, 0), _Handler)
        self._server.state = _State(dict(routes or {}))
        # A short poll interval: shutdown() waits for the loop's next look (0.5 s by default),
        # which every test that starts a server would pay.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add_route(self, path: str, route: Route) -> str:
        """Serve ``route`` at ``path`` from now on; its URL."""
        with self._server.state.lock:
            self._server.state.routes[path] = route
        return self.url(path)

    @property
    def routes(self) -> dict[str, Route]:
        return self._server.state.routes

    def release(self) -> None:
        """Let the held routes answer (now and from now on)."""
        self._server.state.released.set()

    @property
    def peak_concurrency(self) -> int:
        return self._server.state.peak

    def seen(self) -> list[Seen]:
        """Every request so far, in order of arrival."""
        with self._server.state.lock:
            return list(self._server.state.seen)

    def fetched(self, path: str) -> list[Seen]:
        """The requests for ``path`` (query string ignored)."""
        return [s for s in self.seen() if s.path.split("?")[0] == path]

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def folder_routes(folder: Path, *, prefix: str = "/") -> dict[str, Route]:
    """A route for each file below ``folder`` (its type guessed from its name); a folder's
    ``index.html`` also answers for the folder's own path."""
    routes: dict[str, Route] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/"):
            kind += "; charset=utf-8"
        route = Route(path.read_bytes(), content_type=kind)
        routes[prefix + relative] = route
        if path.name == "index.html":
            routes[prefix + relative.removesuffix("index.html")] = route
    return routes


def unused_port() -> int:
    """A loopback port with nothing listening (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
