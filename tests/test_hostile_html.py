"""Hostile HTML: pages built to exhaust the parser answer with a record or a typed error in
seconds, never a RecursionError or a traceback. The pages are generated here, not committed.

Why depth cannot hurt: lxml's HTML parser (without ``huge_tree``, as ``archive.parse.soup``
builds it) nests at most 256 elements and hangs deeper ones beside the 256th, so the tree the
parser walks is never deeper than that, and the parser's own walks are loops, not recursion.
"""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from archive.capture import extract_capture

PROSE = " ".join(
    f"The council met on day {n} to discuss the harbour wall and its long repair." for n in range(8)
)
# Generous for a busy two-core machine: alone, the slowest page (200,000 elements) takes 5 s.
BOUND = 20.0


def deep(levels: int, tag: str = "div") -> str:
    return f"<html><body>{f'<{tag}>' * levels}<p>{PROSE}</p>{f'</{tag}>' * levels}</body></html>"


def wide(elements: int) -> str:
    cells = "".join(f"<span>w{n}</span>" for n in range(elements - 10))
    return f"<html><body><article><p>{PROSE}</p><div>{cells}</div></article></body></html>"


def huge(megabytes: int) -> str:
    paragraph = f"<p>{PROSE}</p>\n"
    count = megabytes * 1024 * 1024 // len(paragraph) + 1
    return f"<html><body><article>{paragraph * count}</article></body></html>"


@contextmanager
def bounded(seconds: float = BOUND) -> Iterator[None]:
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s"


@contextmanager
def shallow_stack(limit: int) -> Iterator[None]:
    """A recursion limit that any recursion over the page's depth would pass."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def answer(page: str | bytes, content_type: str | None = "text/html; charset=utf-8") -> str:
    """The outcome of extracting ``page`` as a crawl does: ``extract_capture`` returns the
    parser's typed errors as outcomes and records anything else as "parser crashed"."""
    body = page.encode() if isinstance(page, str) else page
    done = extract_capture(body, content_type, "http://127.0.0.1/page.html")
    assert not (done.reason or "").startswith("parser crashed"), done.reason
    return done.outcome


@pytest.mark.parametrize("tag", ["div", "span", "table", "b"])
def test_a_page_nested_100000_deep(tag: str) -> None:
    page = deep(100_000, tag)
    with bounded(), shallow_stack(sys.getrecursionlimit() // 2 + 150):
        outcome = answer(page)
    assert outcome in ("article", "not-article")


def test_a_page_nested_deep_and_never_closed() -> None:
    page = "<html><body>" + "<div><p>x" * 100_000 + PROSE
    with bounded():
        assert answer(page) in ("article", "not-article")


def test_a_page_of_200000_elements() -> None:
    with bounded():
        assert answer(wide(200_000)) == "article"


def test_a_50_megabyte_page() -> None:
    page = huge(50)
    assert len(page) > 50 * 1024 * 1024
    with bounded():
        assert answer(page) == "article"


LATIN1_PROSE = PROSE.replace("harbour", "café").encode("latin-1")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # Declared UTF-16 in the page, written in Latin-1 (no byte order mark).
        (b'<html><head><meta charset="utf-16"></head><body><p>' + LATIN1_PROSE, "text/html"),
        # The header says Shift_JIS, the bytes are UTF-8.
        (f"<html><body><article><p>{PROSE} 日本語</p>".encode(), "text/html; charset=shift_jis"),
        # The header says UTF-8, the bytes are Latin-1 (invalid UTF-8 in every word with é).
        (b"<html><body><article><p>" + LATIN1_PROSE, "text/html; charset=utf-8"),
        # A charset no codec knows, and one that decodes every byte as something else.
        (b"<html><body><p>" + LATIN1_PROSE, "text/html; charset=x-no-such-charset"),
        (b"<html><body><p>" + LATIN1_PROSE, "text/html; charset=utf-32"),
        # Half a multi-byte character at the end, and NUL bytes inside.
        (f"<html><body><p>{PROSE} é".encode()[:-1] + b"\x00\x00", None),
    ],
)
def test_a_page_whose_charset_lies(body: bytes, content_type: str | None) -> None:
    with bounded(5.0):
        outcome = answer(body, content_type)
    assert outcome in ("article", "not-article", "not-html")
