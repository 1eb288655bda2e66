"""Pages that are not UTF-8, archived, re-extracted and imported from WARC as a user runs the
commands: `archive save` against a loopback server, `archive reextract --all`, `archive
export --format warc` and `archive import-warc`, each in its own process, and the real SQLite
files afterwards.

The charset is in the HTTP header only (as on many Russian, Greek and Japanese sites), or
only in the page's ``<meta charset>``. Re-extraction must decode each stored body exactly as
the crawl did: zero changed articles, every title and paragraph as written.
"""

import sqlite3
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.httpserver import LoopbackServer, Route
from tests.test_cli_crawl import FAST, archive_cmd

pytestmark = pytest.mark.crawl


@dataclass(frozen=True)
class Page:
    path: str
    title: str
    paragraph: str  # repeated, numbered, to make a page long enough to be an article
    encoding: str  # Python's codec for the body
    content_type: str
    head: str = ""  # extra markup for <head> (a <meta charset>)

    def html(self) -> str:
        paragraphs = "".join(f"<p>{self.paragraph} ({n})</p>" for n in range(1, 5))
        return (
            f"<!DOCTYPE html><html><head>{self.head}<title>{self.title}</title></head><body>"
            f"<article><h1>{self.title}</h1>{paragraphs}</article></body></html>"
        )

    def body(self) -> bytes:
        return self.html().encode(self.encoding)


RUSSIAN = (
    "Городской совет проголосовал за строительство нового моста через гавань после долгих"
    " споров о цене, сроках и о том, кто будет платить за ремонт старой набережной."
)
JAPANESE = (
    "市議会は 長い 議論の 末に 港に 新しい 橋を 架ける 計画を 承認した 。 工事は 来年の 春に"
    " 始まり 、 費用は 国と 市が 半分ずつ 負担する 。"
)
GREEK = (
    "Το δημοτικό συμβούλιο ψήφισε την κατασκευή νέας γέφυρας στο λιμάνι μετά από μακριές"
    " συζητήσεις για το κόστος, τον χρόνο και το ποιος θα πληρώσει την επισκευή."
)
PAGES = [
    Page("/ru.html", "Мост через гавань", RUSSIAN, "cp1251", "text/html; charset=windows-1251"),
    Page("/ja.html", "港に新しい橋", JAPANESE, "shift_jis", "text/html; charset=Shift_JIS"),
    Page("/el.html", "Γέφυρα στο λιμάνι", GREEK, "iso-8859-7", "text/html; charset=ISO-8859-7"),
    Page("/utf16.html", "Мост и паром", RUSSIAN, "utf-16", "text/html; charset=UTF-16"),
    # No byte order mark: only the header says what the bytes are.
    Page("/utf16be.html", "Паром через гавань", RUSSIAN, "utf-16-be", "text/html; charset=utf-16"),
    Page(
        "/meta.html",
        "Новый мост",
        RUSSIAN,
        "cp1251",
        "text/html",
        head='<meta charset="windows-1251">',
    ),
]


def articles(db: Path) -> dict[str, tuple[str, str]]:
    """Title and text of each article, by the path of its URL."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url, title, text FROM articles").fetchall()
    return {"/" + url.split("/", 3)[3]: (title, text) for url, title, text in rows}


def assert_as_written(found: dict[str, tuple[str, str]]) -> None:
    assert sorted(found) == sorted(page.path for page in PAGES)
    for page in PAGES:
        title, text = found[page.path]
        assert title == page.title, page.path
        for n in range(1, 5):
            assert f"{page.paragraph} ({n})" in text, page.path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("encodings")
    routes = {page.path: Route(body=page.body(), content_type=page.content_type) for page in PAGES}
    with LoopbackServer(routes) as server:
        urls = [server.url(page.path) for page in PAGES]
        saved = archive_cmd("save", *urls, "--db", "crawled.db", *FAST, cwd=folder)
    assert saved.returncode == 0, saved.stdout + saved.stderr
    return folder / "crawled.db"


def test_the_crawl_stores_each_page_as_written(crawled: Path) -> None:
    assert_as_written(articles(crawled))


def test_reextraction_decodes_as_the_crawl_did(crawled: Path) -> None:
    before = articles(crawled)
    done = archive_cmd("reextract", "--all", "--db", crawled.name, cwd=crawled.parent)
    assert done.returncode == 0, done.stderr
    assert f"{len(PAGES)} unchanged" in done.stdout + done.stderr
    assert " 0 changed" in done.stdout + done.stderr
    assert articles(crawled) == before
    assert_as_written(articles(crawled))
    with sqlite3.connect(crawled) as conn:
        causes = conn.execute("SELECT cause, count(*) FROM article_versions GROUP BY cause")
        assert causes.fetchall() == [("first", len(PAGES))]
        stamped = conn.execute("SELECT count(*) FROM captures WHERE reextracted_version IS NULL")
        assert stamped.fetchone() == (0,)  # every capture was really re-parsed


def test_an_exported_warc_imports_as_written(crawled: Path) -> None:
    folder = crawled.parent
    exported = archive_cmd(
        "export", "--format", "warc", "out.warc.gz", "--db", crawled.name, cwd=folder
    )
    assert exported.returncode == 0, exported.stderr
    imported = archive_cmd("import-warc", "out.warc.gz", "--db", "imported.db", cwd=folder)
    assert imported.returncode == 0, imported.stderr
    assert_as_written(articles(folder / "imported.db"))


def test_another_tools_warc_imports_as_written(tmp_path: Path) -> None:
    with (tmp_path / "theirs.warc").open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        for page in PAGES:
            body = page.body()
            headers = [("Content-Type", page.content_type), ("Content-Length", str(len(body)))]
            writer.write_record(
                writer.create_warc_record(
                    f"http://news.example{page.path}",
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
                )
            )
    done = archive_cmd("import-warc", "theirs.warc", "--db", "a.db", "-w", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_as_written(articles(tmp_path / "a.db"))
