"""A loopback HTTP server for crawl tests: fixed routes on 127.0.0.1, a random port.

    with LoopbackServer({"/a": Route(body=b"<html>...")}) as server:
        url = server.url("/a")

Routes can delay their answer (to trip a download timeout), redirect, or send any status and
headers. Every request is recorded (path and headers) so tests can count attempts and check
what the crawler sent. Paths without a route answer 404.
"""

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds to wait before answering
    truncate: int | None = None  # send only this many body bytes, then close the connection


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


@dataclass
class _State:
    routes: dict[str, Route]
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.seen.append(Seen(self.path, dict(self.headers.items())))
        route = state.routes.get(self.path, Route(404, b"<html><body>Not found</body></html>"))
        if route.delay:
            time.sleep(route.delay)
        # The crawler may have given up waiting (a timeout test): then there is no one to answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(route)

    def _answer(self, route: Route) -> None:
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        for name, value in route.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        if route.truncate is None:
            self.wfile.write(route.body)
            return
        self.wfile.write(route.body[: route.truncate])
        self.close_connection = True  # the client sees the connection end mid-body

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class LoopbackServer:
    """Serve ``routes`` on ``host`` (127.0.0.1, or another loopback address such as 127.0.0.2
    to stand for a second host) from a background thread while the context is open."""

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1") -> None:
        self._server = _Server((host, 0), _Handler)
        self._server.state = _State(dict(routes))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def add_route(self, path: str, route: Route) -> str:
        """Serve ``route`` at ``path`` from now on; its URL."""
        with self._server.state.lock:
            self._server.state.routes[path] = route
        return self.url(path)

    def all_requests(self) -> list[Seen]:
        with self._server.state.lock:
            return list(self._server.state.seen)

    def requests_for(self, path: str) -> list[Seen]:
        return [seen for seen in self.all_requests() if seen.path == path]

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def unused_port() -> int:
    """A loopback port with nothing listening (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
