"""Cutting short chrome containers outside the article before the tree is built."""

import functools
from pathlib import Path

import pytest

import archive.extract
from archive.errors import ExtractionError
from archive.parse.tree.prefilter import cut_chrome
from archive.parse.tree.soup import parse

LINKS = "".join(f'<a href="/s{i}">Section {i}</a>' for i in range(8))
PROSE = "The harbour wall was finished in June, two years late. " * 12


@pytest.mark.parametrize(
    ("markup", "kept", "kind"),
    [
        (f"<body><nav>{LINKS}</nav><p>x</p></body>", "<body><p>x</p></body>", "navigation"),
        (f"<footer><p>© 2019 Post</p>{LINKS}</footer><p>x</p>", "<p>x</p>", "footer"),
        (f"<aside class='rail'><h3>Most read</h3>{LINKS}</aside>", "", "sidebar"),
        (f"<header id=top><nav>{LINKS}</nav></header>", "", "header"),
        (f"<main><footer>{LINKS}</footer><p>x</p></main>", "<main><p>x</p></main>", "footer"),
    ],
)
def test_short_chrome_outside_the_article_is_cut_and_recorded(
    markup: str, kept: str, kind: str
) -> None:
    out, removed = cut_chrome(markup)
    assert out == kept
    assert [r.kind for r in removed] == [kind]


@pytest.mark.parametrize(
    "markup",
    [
        f"<article><nav>{LINKS}</nav></article>",  # inside the article
        f"<header><h1>The headline</h1>{LINKS}</header>",  # the title fallback reads <h1>
        "<footer><span class='byline'>By Ana Ruiz</span></footer>",  # a byline
        "<aside><time datetime='2019-05-01'>May 1</time></aside>",
        "<footer><div class='post-date'>May 1, 2019</div></footer>",
        f"<aside><p>{PROSE}</p></aside>",  # much running text: the tree passes decide
        f"<nav>{LINKS}",  # unclosed
    ],
)
def test_containers_that_may_matter_are_left_to_the_tree(markup: str) -> None:
    assert cut_chrome(markup) == (markup, [])


def test_nested_containers_of_one_name_are_cut_whole() -> None:
    markup = f"<nav><nav>{LINKS}</nav><nav>{LINKS}</nav></nav><p>after</p>"
    assert cut_chrome(markup)[0] == "<p>after</p>"


PAGES = Path(__file__).parent / "pages"


@pytest.mark.parametrize("slug", sorted(p.name for p in PAGES.iterdir() if p.is_dir()))
def test_cutting_changes_no_record(slug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cut is an early copy of what the boilerplate pass does: records stay the same."""
    html = (PAGES / slug / "source.html").read_text(encoding="utf-8")
    url_file = PAGES / slug / "url.txt"
    url = url_file.read_text(encoding="utf-8").strip() if url_file.exists() else None

    def record(cut: bool) -> object:
        monkeypatch.setattr(archive.extract, "parse", functools.partial(parse, cut=cut))
        try:
            data = archive.extract.extract_article(html, url).to_dict()
        except ExtractionError as error:
            return type(error).__name__, error.reason
        data.pop("removed")
        return data

    assert record(cut=True) == record(cut=False)
