"""The one test HTTP server (tests/httpserver.py): what the crawl tests rely on it for."""

import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.httpserver import LoopbackServer, Route, folder_routes


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers.items()), error.read()


def test_routes_statuses_headers_and_the_record_of_requests(serve) -> None:
    server = serve(
        {
            "/a": Route(b"<p>a</p>", headers=(("X-Test", "1"),)),
            "/busy": Route(b"ok", statuses=(503,)),
        }
    )
    assert get(server.url("/a?utm_source=x"))[::2] == (200, b"<p>a</p>")  # query ignored
    assert get(server.url("/a"))[1]["X-Test"] == "1"
    assert [get(server.url("/busy"))[0] for _ in range(2)] == [503, 200]
    assert get(server.url("/nothing"))[0] == 404
    assert [s.path for s in server.fetched("/a")] == ["/a?utm_source=x", "/a"]
    assert [s.status for s in server.seen()] == [200, 200, 503, 200, 404]


def test_an_etag_route_answers_304_to_a_matching_if_none_match(serve) -> None:
    server = serve({"/e": Route(b"body", etag=True)})
    _, headers, _ = get(server.url("/e"))
    assert get(server.url("/e"), **{"If-None-Match": headers["ETag"]})[::2] == (304, b"")
    assert get(server.url("/e"), **{"If-None-Match": '"other"'})[0] == 200


def test_a_reset_or_truncated_answer_fails_the_client(serve) -> None:
    server = serve({"/r": Route(b"x", reset=True), "/t": Route(b"x" * 100, truncate=10)})
    with pytest.raises((ConnectionError, urllib.error.URLError)):
        get(server.url("/r"))
    with pytest.raises(Exception, match="IncompleteRead"):
        get(server.url("/t"))


def test_it_listens_on_another_loopback_address_and_only_on_loopback(serve) -> None:
    second = serve({"/": Route(b"second host")}, host="127.0.0.2")
    assert second.base == f"http://127.0.0.2:{second.port}"
    assert get(second.url("/"))[2] == b"second host"
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", second.port), 1):
        pass  # nothing of it on 127.0.0.1
    for host in ("0.0.0.0", "192.0.2.1", "::"):
        with pytest.raises(ValueError, match="loopback"):
            LoopbackServer({}, host=host)


def test_a_folder_is_served_with_types_and_index_pages(serve, tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "index.html").write_text("<h1>News</h1>", encoding="utf-8")
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    server = serve(folder_routes(tmp_path))
    status, headers, body = get(server.url("/news/"))
    assert (status, headers["Content-Type"], body) == (
        200,
        "text/html; charset=utf-8",
        b"<h1>News</h1>",
    )
    assert get(server.url("/news/index.html"))[2] == b"<h1>News</h1>"
    assert get(server.url("/feed.xml"))[1]["Content-Type"] in (
        "application/xml",
        "text/xml; charset=utf-8",
    )


def test_a_held_route_answers_only_once_released(serve, wait_until) -> None:
    server = serve({"/h": Route(b"late", held=True)})
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(get, server.url("/h"))
        wait_until(lambda: server.fetched("/h"), what="the request to arrive")
        assert not answer.done()
        server.release()
        assert answer.result(timeout=10)[2] == b"late"
