"""Body images in the Markdown when asked for (``ExtractOptions(images=True)``, ``--images``):
each where it stands, its figure's caption below it; ``text`` and the rest of the Markdown
unchanged; by default no image at all."""

import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner

from archive.cli import cli
from archive.extract import ExtractOptions, extract_article
from archive.parse.blocks import body_blocks
from archive.parse.markdown.layout import render_markdown
from archive.parse.text import join_paragraphs
from tests.archive_builder import build_archive, golden_pages
from tests.markdown_roundtrip import RENDERER

BASE = "https://news.example.org/2025/05/story.html"
PAGES = Path(__file__).parent / "pages"


def markdown_of(markup: str, *, images: bool = True) -> str:
    root = BeautifulSoup(f"<div>{markup}</div>", "lxml").div
    assert isinstance(root, Tag)
    return render_markdown(body_blocks([root], images=images), BASE)


def text_of(markup: str, *, images: bool) -> str:
    root = BeautifulSoup(f"<div>{markup}</div>", "lxml").div
    assert isinstance(root, Tag)
    return join_paragraphs([block.text for block in body_blocks([root], images=images)])


FIGURE = (
    "<p>Before.</p><figure><img src='/img/a.jpg' alt='The [old] bridge'>"
    "<figcaption>The bridge in 1900. <span class='credit'>Photo: City Archive</span>"
    "</figcaption></figure><p>After.</p>"
)


@pytest.mark.parametrize(
    ("markup", "markdown"),
    [
        (FIGURE, "Before.\n\n![The \\[old\\] bridge](https://news.example.org/img/a.jpg)\n\n"
                 "The bridge in 1900. Photo: City Archive\n\nAfter."),
        # Inside a paragraph: after it (the paragraph's text stays whole).
        ("<p>One <img src='b.png' alt='b'> two.</p>",
         "One two.\n\n![b](https://news.example.org/2025/05/b.png)"),
        # Lazy loading: the address in data-src; a <picture>'s <img>.
        ("<p>A.</p><img data-src='/lazy.jpg' src='data:image/gif;base64,R0l'>",
         "A.\n\n![](https://news.example.org/lazy.jpg)"),
        ("<picture><source srcset='/p.webp'><img src='/p.jpg' alt='p'></picture><p>A.</p>",
         "![p](https://news.example.org/p.jpg)\n\nA."),
        # Icons, avatars and pixels are no pictures; an image without an address is none.
        ("<p>A.</p><img src='/i.png' width='16' height='16'><img alt='no address'>", "A."),
        # In a list item: in the item.
        ("<ul><li><img src='/c.png' alt='c'>Item.</li><li>Two.</li></ul>",
         "- ![c](https://news.example.org/c.png)\n\n    Item.\n\n- Two."),
        # A figure of two images: the caption under the last.
        ("<figure><img src='/1.jpg'><img src='/2.jpg'><figcaption>Both.</figcaption></figure>"
         "<p>A.</p>",
         "![](https://news.example.org/1.jpg)\n\n![](https://news.example.org/2.jpg)\n\n"
         "Both.\n\nA."),
        # A caption's Markdown characters are escaped like any text.
        ("<figure><img src='/x.jpg'><figcaption>*Not* emphasis</figcaption></figure><p>A.</p>",
         "![](https://news.example.org/x.jpg)\n\n\\*Not\\* emphasis\n\nA."),
    ],
)  # fmt: skip
def test_images_stand_where_they_stood(markup: str, markdown: str) -> None:
    assert markdown_of(markup) == markdown
    assert text_of(markup, images=True) == text_of(markup, images=False)


def test_without_the_option_no_image_and_no_caption() -> None:
    assert markdown_of(FIGURE, images=False) == "Before.\n\nAfter."


def test_a_renderer_shows_the_image_and_its_caption() -> None:
    html = RENDERER.render(markdown_of(FIGURE))
    assert '<img src="https://news.example.org/img/a.jpg" alt="The [old] bridge" />' in html
    assert "<p>The bridge in 1900. Photo: City Archive</p>" in html


ARTICLE = """<html><head><title>Bridge</title></head><body><article><h1>Bridge</h1>
<figure><img src="/hero.jpg" alt="Hero"><figcaption>The hero picture.</figcaption></figure>
<p>Share on Facebook</p>
<p>The council voted on Tuesday to rebuild the old harbour bridge, which has been closed to
traffic since the storm of last winter damaged two of its piers beyond repair.</p>
<p>Work starts in spring and should take two years, the council said in a statement that also
named the firm that will do it, a local company that built the ferry terminal.</p>
<p>Related: <a href="/a">Other story</a></p>
<figure><img src="/related-thumb.jpg"></figure>
</article></body></html>"""


def test_a_record_with_images_keeps_its_text_and_drops_chrome_images() -> None:
    url = "https://news.example.org/2025/05/bridge.html"
    plain = extract_article(ARTICLE, url)
    with_images = extract_article(ARTICLE, url, options=ExtractOptions(images=True))
    assert with_images.text == plain.text and "Share on" not in plain.text
    # The hero stood before a share line the body leaves out: it moves on to the body's
    # first paragraph. A thumbnail after the body's last line goes with the chrome it closes.
    assert with_images.markdown.startswith(
        "![Hero](https://news.example.org/hero.jpg)\n\nThe hero picture.\n\nThe council voted"
    )
    assert "related-thumb" not in with_images.markdown
    assert "![" not in plain.markdown and "hero picture" not in plain.markdown


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_extract_images_option() -> None:
    folder = PAGES / "meta-tags-two-authors"
    url = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["url"]
    args = ["extract", str(folder / "source.html"), "--url", url, "--format", "markdown"]
    code, out, err = run(*args, "--images")
    assert code == 0, err
    assert out == (folder / "expected-images.md").read_text(encoding="utf-8")
    code, out, _ = run(*args)
    assert out == (folder / "expected.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "news.db"
    build_archive(path)
    return path


def test_show_markdown_with_images_reads_the_stored_page(archive_path: Path) -> None:
    page = next(p for p in golden_pages() if p.slug == "seed-article")
    code, out, err = run("show", page.url, "--db", str(archive_path), "--markdown", "--images")
    assert code == 0, err
    body = out.split("\n---\n\n", 1)[1]
    assert body == (PAGES / page.slug / "expected-images.md").read_text(encoding="utf-8")
    code, _, err = run("show", page.url, "--db", str(archive_path), "--images")
    assert code == 2 and err == "archive: error: --images applies to --markdown\n"


def test_export_markdown_with_images(archive_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "md"
    args = ["export", "--db", str(archive_path), "--format", "markdown", str(folder)]
    code, _, err = run(*args, "--images")
    assert code == 0, err
    bodies = {}
    for path in folder.iterdir():
        head, body = path.read_text(encoding="utf-8").split("\n---\n\n", 1)
        bodies[yaml.safe_load(head.removeprefix("---\n"))["url"]] = body
    for slug in ("blog-wordpress", "meta-tags-two-authors", "seed-article"):
        expected = json.loads((PAGES / slug / "expected.json").read_text(encoding="utf-8"))
        want = (PAGES / slug / "expected-images.md").read_text(encoding="utf-8")
        assert bodies[expected["url"]] == want, slug
    with_images = sum("![" in body for body in bodies.values())
    assert with_images >= 3
    code, _, err = run("export", "--db", str(archive_path), "--images", str(tmp_path / "a.jsonl"))
    assert code == 2 and err == "archive: error: --images applies to --format markdown\n"


def test_an_article_whose_page_is_gone_keeps_its_stored_markdown(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    build_archive(path)
    page = next(p for p in golden_pages() if p.slug == "seed-article")
    from archive.store.db.archive_db import ArchiveDB

    with ArchiveDB(path) as archive:
        article = archive.get_article(page.url)
        assert article is not None
        # As if the raw pages were dropped: the records stay.
        archive.db.execute("UPDATE captures SET body_hash = NULL")
        archive.db.execute("DELETE FROM bodies")
        archive.db.conn.commit()
    code, out, err = run("show", page.url, "--db", str(path), "--markdown", "--images")
    assert code == 0
    assert out.split("\n---\n\n", 1)[1] == article["markdown"] + "\n"
    assert "the stored Markdown (without images) stands" in err
    folder = tmp_path / "md"
    code, _, err = run("export", "--db", str(path), "--format", "markdown", "--images", str(folder))
    assert code == 0, err
    assert not any("![" in f.read_text(encoding="utf-8") for f in folder.iterdir())
