"""The standfirst set apart from the body (archive/parse/lede.py), through extract_article."""

import pytest

from archive.extract import extract_article

BODY = "<p>" + "The body of the story runs on in full sentences, one after another. " * 6 + "</p>"


def page(header: str, body: str = BODY) -> str:
    return (
        "<html><head><title>Headline</title></head><body><main>"
        f"<header><h1>Headline</h1>{header}</header><div class='story'>{body}{body}</div>"
        "</main></body></html>"
    )


STANDFIRST = "A short summary of the story, set apart in the header beside the headline."


@pytest.mark.parametrize(
    "name", ["lead", "article-intro", "c-standfirst", "field-perex", "dek", "sommario", "resumen"]
)
def test_classed_standfirst_heads_the_body(name: str) -> None:
    text = extract_article(page(f"<p class='{name}'>{STANDFIRST}</p>"), "https://x.example/a").text
    assert text.startswith(STANDFIRST + "\n\n")
    assert text.count(STANDFIRST) == 1


def test_unclassed_paragraph_and_label_are_no_standfirst() -> None:
    text = extract_article(page(f"<p>{STANDFIRST}</p><p class='lead'>Short.</p>"), None).text
    assert STANDFIRST not in text and "Short." not in text


def test_standfirst_already_in_the_body_is_not_repeated() -> None:
    body = f"<p class='intro'>{STANDFIRST}</p>{BODY}"
    text = extract_article(page("", body), None).text
    assert text.count(STANDFIRST) == 2  # once in each of the two copies of the body, no more


LONG = (
    "The regional council has approved the plan to reopen the old railway line to the coast, "
    "after three years of studies, two long public hearings and a close vote that split "
    "every party."
)


def test_heading_of_whole_sentences_under_the_headline_is_a_standfirst() -> None:
    assert len(LONG) >= 180
    text = extract_article(page(f"<h2>{LONG}</h2>"), None).text
    assert text.startswith(LONG)
    short = "Council approves the plan."
    assert short not in extract_article(page(f"<h2>{short}</h2>"), None).text


def test_standfirst_removed_with_the_header_inside_the_body_heads_it() -> None:
    """The body element holds the article's <header> (removed as chrome, with the standfirst
    in it) and the paragraphs: the standfirst is put back at the head."""
    html = (
        "<html><head><title>Headline</title></head><body><article>"
        f"<header><h2>Headline</h2><div class='intro'>{STANDFIRST}</div>"
        f"<div class='author'>von <a href='/p'>Jane Doe</a></div></header>{BODY}{BODY}"
        "</article></body></html>"
    )
    text = extract_article(html, "https://x.example/a").text
    assert text.startswith(STANDFIRST + "\n\n")
    assert "Jane Doe" not in text


def test_standfirst_removed_after_the_body_began_is_not_put_back() -> None:
    """A summary box removed further down (after the body's first kept paragraph) is no head."""
    html = (
        "<html><head><title>Headline</title></head><body><article>"
        f"<h1>Headline</h1>{BODY}<header><div class='intro'>{STANDFIRST}</div></header>{BODY}"
        "</article></body></html>"
    )
    assert STANDFIRST not in extract_article(html, "https://x.example/a").text


INTRO = "An introduction of a sentence or two, set beside the headline in the page's stage area."


def staged(stage: str, headline: str = "<h1>Headline</h1>") -> str:
    """A page whose headline and introduction stand in a stage apart from the body's column."""
    return (
        "<html><head><title>Headline</title></head><body><section>"
        f"<div class='stage'>{headline}{stage}</div>"
        f"<div class='columns'><div class='col'>{BODY}{BODY}</div></div>"
        "</section></body></html>"
    )


def test_paragraphs_between_headline_and_body_head_it() -> None:
    second = "A second sentence of the introduction, which goes on for a good while longer than it."
    text = extract_article(staged(f"<p>{INTRO}</p><p>{second}</p>"), "https://x.example/a").text
    assert text.startswith(f"{INTRO}\n\n{second}\n\nThe body")


@pytest.mark.parametrize(
    "stage",
    [
        "<p>Updated 12 March 2021, 10:15.</p>",  # too short for running text
        f"<p>{INTRO.rstrip('.')} and more</p>",  # no sentence end
        f"<figure><img src='a.jpg'><p>{INTRO}</p></figure>",  # a caption
        f"<p><a href='/elsewhere'>{INTRO}</a></p>",  # a link
    ],
)
def test_no_loose_standfirst_from_labels_captions_or_links(stage: str) -> None:
    text = extract_article(staged(stage), "https://x.example/a").text
    assert text.startswith("The body")


def test_no_loose_standfirst_without_a_headline_before_the_body() -> None:
    text = extract_article(staged(f"<p>{INTRO}</p>", headline=""), "https://x.example/a").text
    assert INTRO not in text
