"""Reading our Markdown back: rendered by a CommonMark renderer (markdown-it-py, with GitHub's
tables), then read into blocks by our own walker, it must give the record's text again."""

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

from archive.parse.blocks import body_blocks
from archive.parse.text import join_paragraphs, normalize

RENDERER = MarkdownIt("commonmark").enable("table")


def rendered_text(markdown: str) -> str:
    """The text our walker reads from the HTML that ``markdown`` renders to."""
    html = RENDERER.render(markdown)
    root = BeautifulSoup(f"<div>{html}</div>", "lxml").div
    assert isinstance(root, Tag)
    return normalize(join_paragraphs([block.text for block in body_blocks([root])]))


def same_words(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())
