import pytest

from archive.parse.listing import listicle_sections, mark_teasers, shows_headline, teaser_words
from archive.parse.tree.soup import parse

CARD = "<article><h3><a href='/s'>A headline link of several words</a></h3>{dek}</article>"
DEK = "A short summary of the story behind the link, in twenty words or so for the reader."


@pytest.mark.parametrize(
    ("html", "cards"),
    [
        ("<main>" + CARD.format(dek=f"<p>{DEK}</p>") * 4 + "</main>", 4),
        ("<main>" + CARD.format(dek=f"<div class='excerpt'>{DEK}</div>") * 4 + "</main>", 4),
        ("<main>" + CARD.format(dek=f"<p>{DEK}{' more' * 120}</p>") * 4 + "</main>", 0),
        ("<main>" + CARD.format(dek="") * 4 + "</main>", 0),
        ("<main><h2>Plain heading, no link</h2><p>" + DEK + "</p></main>", 0),
        ("<main><h3><a href='/x'>Two words</a></h3><p>" + DEK + "</p></main>", 0),
    ],
)
def test_mark_teasers_counts_cards(html: str, cards: int) -> None:
    assert mark_teasers(parse(html)) == cards


def test_teaser_words_count_only_the_cards() -> None:
    doc = parse(
        "<main>" + CARD.format(dek=f"<p>{DEK}</p>") * 3 + "<p>Real prose of five words.</p></main>"
    )
    mark_teasers(doc)
    assert teaser_words(doc.tags("main")) == 3 * len(DEK.split())


NUMBERED = (
    "<article><h3><a href='/s/{n}'>{n}. A headline link of several words</a></h3>"
    "<p>{dek}</p></article>"
)


@pytest.mark.parametrize(
    ("numbers", "sections"),
    [
        ([1, 2, 3, 4], 4),  # a listicle: its numbered sections are its text
        ([3, 1, 2, 4], 0),  # numbers out of order: teasers that merely start with a number
        ([1, 2], 0),  # too few to say
        ([1, 1, 1], 0),
    ],
)
def test_listicle_sections_are_numbered_in_order(numbers: list[int], sections: int) -> None:
    doc = parse("<main>" + "".join(NUMBERED.format(n=n, dek=DEK) for n in numbers) + "</main>")
    mark_teasers(doc)
    assert len(listicle_sections(doc.cards)) == sections


@pytest.mark.parametrize(
    ("h1", "title", "shows"),
    [
        ("Windpark Süd liefert ersten Strom", "Windpark Süd liefert ersten Strom", True),
        ("Business", "Business", False),  # a section's name, not a headline
        ("Search results for: sourdough", "Search results", False),  # not the title
        (
            "<a href='/story'>Bridge to close for six weeks</a>",
            "Bridge to close for six weeks",
            False,
        ),
    ],
)
def test_a_headline_is_the_title_in_an_h1_of_four_words_or_more(
    h1: str, title: str, shows: bool
) -> None:
    doc = parse(f"<html><body><h1>{h1}</h1><p>Text.</p></body></html>")
    assert shows_headline(doc, title) is shows


PAGE = "https://blog.example/2019/05/bridge-to-close/"


@pytest.mark.parametrize(
    ("href", "shows"),
    [
        (PAGE, True),  # a permalink headline: the post links to itself
        ("/2019/05/bridge-to-close", True),
        ("/2019/05/another-story/", False),
        ("https://other.example/2019/05/bridge-to-close/", False),
        ("/", False),
    ],
)
def test_a_headline_may_link_to_the_page_itself(href: str, shows: bool) -> None:
    doc = parse(
        f"<html><body><h1><a href='{href}'>Bridge to close for six weeks</a></h1></body></html>"
    )
    assert shows_headline(doc, "Bridge to close for six weeks", PAGE) is shows
