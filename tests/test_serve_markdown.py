"""The markdown column as a reader sees it in Datasette: `archive serve` (a real Datasette
process on 127.0.0.1, with datasette-render-markdown and the archive's metadata) renders the
Markdown the parser wrote for a page, and the page's text must read the same there as in
`text`: Markdown's own characters stay characters, lists stay the lists they were."""

import re
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archive.extract import extract_article
from archive.parse.blocks import body_blocks
from archive.parse.text import join_paragraphs, normalize
from archive.store.db.archive_db import ArchiveDB
from archive.store.db.datasette_meta import RENDER_MARKDOWN
from tests.archive_builder import Page, page_capture
from tests.golden import PAGES, load, slugs
from tests.markdown_roundtrip import same_words
from tests.test_serve import serving

pytest.importorskip("datasette_render_markdown")
from datasette_render_markdown import render_markdown

URL = "http://127.0.0.1/guides/tide-tables.html"
FILLER = (
    "The harbour office prints the tables every winter, and the skippers who read them best "
    "are the ones who learned on the old quay before the new marina was built there."
)
PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Reading tide tables</title></head><body><article><h1>Reading tide tables</h1>
<p>{FILLER}</p>
<p>Write heights as &lt;metres&gt; above the datum, and copy the office's &amp;copy; sign,
5*3 and my_table_2026 as printed.</p>
<p>{FILLER}</p>
<ul><li>Check the morning high water.</li><li>Check the evening low water.</li></ul>
<ol><li>Find the nearest standard port.</li><li>Apply its differences.</li></ol>
<p>{FILLER}</p>
</article></body></html>"""


def rendered_markdown_cell(tmp_path: Path) -> BeautifulSoup:
    """The page stored as a crawl stores it, then its row page in Datasette: the markdown cell."""
    db = tmp_path / "guide.db"
    page = Page("tide-tables", URL, PAGE.encode("utf-8"))
    record = extract_article(PAGE, URL)
    assert "\\<metres>" in record.markdown  # the writer escaped it: CommonMark reads it as text
    with ArchiveDB(db) as archive:
        archive.store(page_capture(page, 1), record)
        article = archive.get_article(URL)
    assert article is not None
    with (
        serving(db) as (base, _),
        urllib.request.urlopen(f"{base}/guide/articles/{article['id']}", timeout=10) as response,
    ):
        html = response.read().decode("utf-8")
    cell = BeautifulSoup(html, "html.parser").find("td", class_="col-markdown")
    assert cell is not None
    return BeautifulSoup(str(cell), "html.parser")


def test_escaped_characters_read_as_text_in_datasette(tmp_path: Path) -> None:
    cell = rendered_markdown_cell(tmp_path)
    paragraph = " ".join(cell.get_text(" ").split())
    # Python-Markdown escapes fewer characters than CommonMark: a backslash before `<` or `&`
    # must still vanish, and the entity stay the text it was.
    assert "Write heights as <metres> above the datum" in paragraph
    assert "the office's &copy; sign, 5*3 and my_table_2026 as printed" in paragraph
    assert "\\" not in paragraph


def test_a_bulleted_list_then_a_numbered_list_stay_two_lists(tmp_path: Path) -> None:
    cell = rendered_markdown_cell(tmp_path)
    # CommonMark starts a new list where the marker changes from "-" to "1."; Python-Markdown
    # went on with the bulleted list.
    bulleted, numbered = cell.find("ul"), cell.find("ol")
    assert bulleted is not None and numbered is not None
    assert [li.get_text() for li in bulleted.find_all("li")] == [
        "Check the morning high water.",
        "Check the evening low water.",
    ]
    assert [li.get_text() for li in numbered.find_all("li")] == [
        "Find the nearest standard port.",
        "Apply its differences.",
    ]


@pytest.mark.parametrize("slug", [s for s in slugs() if (PAGES / s / "expected.md").exists()])
def test_golden_markdown_reads_back_as_the_text_in_datasette(slug: str) -> None:
    """Each golden page's pinned Markdown, rendered by the plugin with the archive's own
    settings (Python-Markdown, its sanitiser and linkifier), reads back as the page's text."""
    golden = load(slug)
    # A class page may pin only the fields of its class: the text is then the record's own
    # (test_golden holds the record's Markdown to expected.md).
    text = golden.expected.get("text") or extract_article(golden.html, golden.url).text
    config = RENDER_MARKDOWN["datasette-render-markdown"]
    markdown = (PAGES / slug / "expected.md").read_text(encoding="utf-8")
    html = str(render_markdown(markdown, config["extensions"], config["extra_tags"]))
    root = BeautifulSoup(html, "lxml").div
    assert root is not None
    shown = normalize(join_paragraphs([block.text for block in body_blocks([root])]))
    assert same_words(shown, text)


def datasette_html(markdown: str) -> str:
    """``markdown`` as the plugin renders it with the archive's settings, without newlines."""
    config = RENDER_MARKDOWN["datasette-render-markdown"]
    html = str(render_markdown(markdown, config["extensions"], config["extra_tags"]))
    return html.replace("\n", "")


@pytest.mark.parametrize(
    ("markdown", "lists"),
    [
        ("- a\n- b\n1. c\n2. d\n- e\n", "<ul>a b</ul><ol>c d</ol><ul>e</ul>"),
        ("1. one\n2. two\n- bullet\n\npara\n", "<ol>one two</ol><ul>bullet</ul>para"),
        # Nested: the numbered list ends inside the item, and the outer list goes on.
        ("- x\n    - a\n    1. c\n- y\n", "<ul>x<ul>a</ul><ol>c</ol>y</ul>"),
        ("- x\n    1. a\n- y\n", "<ul>x<ol>a</ol>y</ul>"),
        ("1. x\n    - a\n2. y\n", "<ol>x<ul>a</ul>y</ol>"),
        # Code is left alone.
        ("```\n- a\n1. b\n```\n", ""),
    ],
)
def test_lists_end_where_the_marker_changes_kind(markdown: str, lists: str) -> None:
    html = datasette_html(markdown)
    shape = re.sub(r"<(?!/?[uo]l>)[^>]+>", " ", html)  # only the list tags, and the words
    shape = re.sub(r"\s*(</?[uo]l>)\s*", r"\1", " ".join(shape.split()))
    if lists:
        assert shape == lists
    else:
        assert "<ul>" not in html and "<ol>" not in html and "1. b" in html
