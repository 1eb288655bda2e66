"""One measurement of the tree gives each element's text size, as get_text() would."""

from pathlib import Path

import pytest
from bs4 import Tag

from archive.parse.clean import _prose_chars
from archive.parse.tree.measure import Sizes
from archive.parse.tree.soup import parse

PAGES = Path(__file__).parent / "pages"


@pytest.mark.parametrize("slug", ["newspaper-city-council", "blog-wordpress", "german-news"])
def test_sizes_match_get_text_for_every_element(slug: str) -> None:
    doc = parse((PAGES / slug / "source.html").read_text(encoding="utf-8"))
    sizes = Sizes(doc.nodes)
    tags = [node for node in doc.nodes if isinstance(node, Tag)]
    assert len(tags) > 40
    for tag in tags:
        assert sizes.of(tag) == (len(tag.get_text()), _prose_chars(tag)), tag.name


def test_removed_subtrees_are_skipped() -> None:
    doc = parse("<html><body><div><p>keep <a href='/x'>link</a></p><p>gone</p></div></body></html>")
    doc.soup.find_all("p")[1].decompose()
    div = doc.soup.div
    assert Sizes(doc.nodes).of(div) == (len("keep link"), len("keep "))
