import pytest

from archive.parse.listing import mark_teasers, prose_words
from archive.parse.soup import parse

CARD = "<article><h3><a href='/s'>A headline link of several words</a></h3><p>{dek}</p></article>"
DEK = "A short summary of the story behind the link, in twenty words or so for the reader."


@pytest.mark.parametrize(
    ("html", "cards"),
    [
        ("<main>" + CARD.format(dek=DEK) * 4 + "</main>", 4),
        ("<main>" + CARD.format(dek=DEK + " more" * 120) * 4 + "</main>", 0),
        ("<main><h2>Plain heading, no link</h2><p>" + DEK + "</p></main>", 0),
        ("<main><h3><a href='/x'>Two words</a></h3><p>" + DEK + "</p></main>", 0),
    ],
)
def test_mark_teasers_counts_cards(html: str, cards: int) -> None:
    assert mark_teasers(parse(html)) == cards


def test_prose_words_leave_out_teaser_summaries() -> None:
    doc = parse("<main>" + CARD.format(dek=DEK) * 3 + "<p>Real prose of five words.</p></main>")
    mark_teasers(doc)
    assert prose_words(doc.tags("main")) == 5
