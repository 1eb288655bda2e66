"""A page full of terminal escapes never reaches the terminal raw: the extractor drops control,
zero-width and bidi characters from every field it makes, and every command shows what an
older record still holds escaped. Checked through the real CLI in subprocesses, against a page
served from 127.0.0.1 and an older record stored as the extractor before version 5 left it."""

import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from archive.extract import EXTRACTOR_VERSION, extract_article
from archive.parse.text import _HIDDEN_OR_SPACE, clean_inline, visible
from archive.records import ArticleRecord, Capture, Image, Outcome
from archive.screen import _UNSAFE_CODES, Screen, json_safe, shown
from archive.store.db.archive_db import ArchiveDB
from tests.crawlsite import child_env
from tests.httpserver import LoopbackServer, Route

ESC, BEL, CSI8 = "\x1b", "\x07", "\x9b"
# What a hostile page writes: retitle the terminal, clear it, move up a line and rewrite it,
# an 8-bit CSI, a bidi override and isolate, zero-width characters, DEL and a backspace.
TRAPS = (
    f"{ESC}]0;owned{BEL}",
    f"{ESC}[2J",
    f"{ESC}[1A{ESC}[2K",
    f"{CSI8}31m",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
    "\x7f",
    "\x08",
)
# Raw in a terminal stream: any C0 control but line feed and tab, DEL, C1, bidi controls.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile(word: str) -> str:
    return word.join(TRAPS)


def hostile_page() -> str:
    prose = " ".join(
        f"The harbour{trap} council met on day {n} to discuss the sea wall and its repair."
        for n, trap in enumerate(TRAPS * 3)
    )
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Harbour {hostile("news")} today</title>
<meta name="author" content="Ann\u202e Marl\u200bowe{ESC}">
<script type="application/ld+json">{{"@type": "NewsArticle",
 "headline": "Harbour \\u001b]0;owned\\u0007news", "author": {{"name": "Ann Marl\\u001bowe"}},
 "keywords": ["sea\\u009b wall"]}}</script>
<meta name="description" content="A {CSI8}2J description {ESC}]2;x{BEL}">
<meta property="og:site_name" content="Courier{ESC}[5m">
<meta name="keywords" content="harbour{ESC}[31m, wall\u202e">
</head><body><article><h1>Harbour {hostile("news")} today</h1>
<p>{prose}</p><p>{prose}</p>
<figure><img src="/wall.jpg"><figcaption>The wall{ESC}[1A at dawn\u2067</figcaption></figure>
</article></body></html>"""


def strings_of(record: ArticleRecord) -> list[str]:
    values: list[str] = []
    for value in record.to_dict().values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                values += [v for v in item.values() if isinstance(v, str)]
            elif isinstance(item, str):
                values.append(item)
    return values


def test_the_extractor_drops_hidden_characters_from_every_field() -> None:
    record = extract_article(hostile_page(), "http://127.0.0.1/news/harbour.html")
    hidden = {chr(code) for code in _HIDDEN_OR_SPACE}
    for value in strings_of(record):
        assert not hidden.intersection(value), repr(value)
    # ESC, BEL, CSI, bidi, zero-width, DEL and backspace gone; the printable rest kept.
    # (JSON-LD's \\u001b escapes decode to the same raw characters the markup holds.)
    assert record.title == "Harbour ]0;ownednews"
    assert record.description == "A 2J description ]2;x"
    assert record.tags == ["sea wall"]
    assert record.authors == ["Ann Marlowe"]
    assert record.site_name == "Courier[5m"
    assert "The harbour]0;owned council met on day 0 " in record.text
    assert "The harbour council met on day 4 " in record.text  # a bidi override: gone
    assert [image.caption for image in record.images] == ["The wall[1A at dawn"]


def test_visible_keeps_text_and_line_structure() -> None:
    text = "Zoë's café\n\nline\tcolumn 日本語 👍🏽 ﷽"
    assert visible(text) == text
    assert visible("a\r\nb\x0cc\x85d") == "a\nbcd"
    assert clean_inline("a\x0bb \u200b c\x1b[1Ad") == "a b c[1Ad"  # VT is a space in a line


def test_the_screen_knows_every_character_the_extractor_drops() -> None:
    assert set(_HIDDEN_OR_SPACE) <= set(_UNSAFE_CODES) | {0x0A, 0x09}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain title", "plain title"),
        (f"{ESC}]0;owned{BEL}title", "\\x1b]0;owned\\x07title"),
        (f"a{CSI8}2Jb\u202ec", "a\\x9b2Jb\\u202ec"),
        ("two\nlines\tand tab", "two\\x0alines\\x09and tab"),
        (None, ""),
        (42, "42"),
    ],
)
def test_shown_escapes_as_python_writes_it(value: object, expected: str) -> None:
    assert shown(value) == expected


def test_shown_keeps_lines_of_multi_line_text() -> None:
    assert shown(f"one{ESC}[1A\ntwo\tthree", one_line=False) == "one\\x1b[1A\ntwo\tthree"


def test_json_safe_is_the_same_json_value() -> None:
    value = {"title": f"a{ESC}b{CSI8}c\u202ed\x7fe é"}
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert not RAW.search(text)
    assert json.loads(text) == value
    assert "é" in text  # only what is unsafe is escaped


def test_the_screen_lets_the_clis_own_sequences_through() -> None:
    out = io.StringIO()
    screen = Screen(out)  # type: ignore[arg-type]
    screen.write("\r\x1b[K\x1b[1m\x1b[32mstored\x1b[0m  ")
    screen.write(f"{ESC}]0;t{BEL}{ESC}[2J{ESC}[1A{CSI8}x\r\n")
    assert out.getvalue() == (
        "\r\x1b[K\x1b[1m\x1b[32mstored\x1b[0m  \\x1b]0;t\\x07\\x1b[2J\\x1b[1A\\x9bx\\x0d\n"
    )
    with pytest.raises(TypeError):
        screen.write(b"")  # type: ignore[arg-type]


# The whole path: a loopback site, `archive save`, then every command that shows a record.

OLD_URL = "http://127.0.0.1:9/old/story.html"  # stored, never fetched (port 9: discard)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive", *args],
        cwd=cwd,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=90,
    )


def store_old_record(db: Path, body: bytes) -> None:
    """Two versions of an article as an extractor before version 5 stored them: every field
    with the page's control characters still in it."""
    dirty = f"Old {hostile('story')}"
    record = ArticleRecord(
        url=OLD_URL,
        title=dirty,
        authors=[f"Writer{ESC}[8m"],
        site_name=f"Site{CSI8}1m",
        tags=[f"tag{ESC}]0;x{BEL}"],
        images=[Image("http://127.0.0.1:9/a.jpg", f"cap{ESC}[2J")],
        text=f"First {dirty} paragraph harbour.\n\nSecond {ESC}[1A paragraph.",
        word_count=8,
        extractor_version="4",
    )
    capture = Capture(
        requested_url=OLD_URL,
        fetched_at="2026-03-01T10:00:00+00:00",
        outcome=Outcome.ARTICLE,
        final_url=OLD_URL,
        status=200,
        content_type="text/html; charset=utf-8",
        body=body,
    )
    with ArchiveDB(db) as archive:
        archive.store(capture, record, extractor_version="4")
        second = replace(capture, fetched_at="2026-03-02T10:00:00+00:00", body=body + b" ")
        newer = replace(record, text=record.text + f" Third{ESC}[2J.")
        archive.store(second, newer, extractor_version="4")


def assert_nothing_raw(result: subprocess.CompletedProcess[str], command: str) -> None:
    for name, stream in (("stdout", result.stdout), ("stderr", result.stderr)):
        found = RAW.search(stream)
        assert found is None, f"{command}: raw {found.group()!r} on {name}:\n{stream[-2000:]}"


@pytest.mark.crawl
def test_a_page_of_terminal_escapes_read_back_through_every_command(tmp_path: Path) -> None:
    page = hostile_page().encode()
    with LoopbackServer({"/news/harbour.html": Route(body=page)}) as server:
        url = server.url("/news/harbour.html")
        db = str(tmp_path / "a.db")
        saved = run("save", url, "--db", db, cwd=tmp_path)
        assert saved.returncode == 0, saved.stderr
        assert_nothing_raw(saved, "save")
        assert "stored" in saved.stdout
    store_old_record(tmp_path / "a.db", page)
    (tmp_path / "page.html").write_bytes(page)
    commands = [
        ("list", "--db", db),
        ("list", "--json", "--db", db),
        ("show", OLD_URL, "--db", db),
        ("show", OLD_URL, "--json", "--db", db),
        ("show", url, "--db", db),
        ("search", "harbour", "--db", db),
        ("search", "harbour", "--json", "--db", db),
        ("history", OLD_URL, "--db", db),
        ("history", OLD_URL, "--json", "--db", db),
        ("diff", OLD_URL, "--db", db),
        ("export", "--format", "jsonl", "--db", db),
        ("extract", "page.html", "--url", url),
        ("show", f"http://127.0.0.1:9/no{ESC}]0;x{BEL}such", "--db", db),  # an error line
        ("reextract", "--dry-run", "--db", db),
    ]
    for args in commands:
        result = run(*args, cwd=tmp_path)
        assert_nothing_raw(result, " ".join(args))
        if "--json" in args or args[0] in ("export", "extract"):
            assert result.returncode == 0, result.stderr
            whole = args[0] in ("show", "extract")  # one indented document, else JSON lines
            for document in [result.stdout] if whole else result.stdout.splitlines():
                json.loads(document)
    shown_old = run("show", OLD_URL, "--db", db, cwd=tmp_path).stdout
    assert "Old \\x1b]0;owned\\x07story\\x1b[2Jstory" in shown_old  # escaped, not dropped
    as_json = json.loads(run("show", OLD_URL, "--json", "--db", db, cwd=tmp_path).stdout)
    assert as_json["title"].startswith(f"Old {ESC}]0;owned{BEL}story{ESC}[2J")  # the value, intact


@pytest.mark.crawl
def test_reextraction_mends_records_an_older_extractor_left_dirty(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    store_old_record(db, hostile_page().encode())
    result = run("reextract", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_nothing_raw(result, "reextract")
    with ArchiveDB(db, create=False) as archive:
        row = archive.db.execute(
            "SELECT title, text, authors, extractor_version FROM articles WHERE url = ?",
            [OLD_URL],
        ).fetchone()
    title, text, authors, version = row
    assert version == EXTRACTOR_VERSION
    for value in (title, text, authors):
        assert not RAW.search(value) and "\u200b" not in value, repr(value)
    assert title == "Harbour ]0;ownednews"  # the page's own title, cleaned
