# ruff: noqa: E501  (inline HTML test cases read best on one line each)
import pytest
from bs4 import BeautifulSoup, Tag

from archive.parse import comments
from archive.parse.clean import AD_LABEL, class_kind, clean, link_density
from archive.parse.comments import COMMENTS_HEADING
from archive.parse.tree.soup import parse

BODY = "<p>" + "Running article text that must stay. " * 30 + "</p>"


def cleaned(fragment: str) -> tuple[str, list[str]]:
    doc = parse(f"<html><body><article>{BODY}{fragment}</article></body></html>")
    removed = clean(doc)
    return doc.soup.get_text(" "), [r.kind for r in removed]


@pytest.mark.parametrize(
    ("fragment", "gone", "kind"),
    [
        ('<div class="cookie-banner">We use cookies</div>', "We use cookies", "cookie banner"),
        ('<div id="gdpr">Consent please</div>', "Consent please", "cookie banner"),
        ('<div class="pied-de-page">Mentions légales</div>', "Mentions légales", "footer"),
        ('<ul class="forum"><li>Bravo à tous !</li></ul>', "Bravo à tous", "comments"),
        ('<div class="artikel-fusszeile">Impressum</div>', "Impressum", "footer"),
        ('<div class="ad-container">Buy now</div>', "Buy now", "ad"),
        ('<div class="social-share"><a href="#">Tweet</a></div>', "Tweet", "share bar"),
        ('<div class="related-articles"><a href="/x">Other story</a></div>', "Other story", "related box"),
        ('<aside class="newsletter-signup">Get our newsletter</aside>', "Get our newsletter", "newsletter sign-up"),
        ("<nav><a href='/'>Home</a></nav>", "Home", "navigation"),
        ("<footer>All rights reserved</footer>", "All rights reserved", "footer"),
        ('<div id="comments">First!</div>', "First!", "comments"),
        ('<p class="byline">By Someone</p>', "By Someone", "byline"),
        ('<div style="display: none">Hidden text</div>', "Hidden text", "hidden"),
        ('<div hidden>Hidden too</div>', "Hidden too", "hidden"),
        ("<div><span>Advertisement - Continue Reading Below</span></div>", "Continue Reading", "ad label"),
        ("<p>ADVERTISEMENT</p>", "ADVERTISEMENT", "ad label"),
        ("<div><h3>Related Stories</h3><ul><li><a href='/a'>Story A</a></li></ul></div>", "Story A", "related box"),
        ("<section><h2>Latest From Glossline</h2><a href='/b'>Story B</a></section>", "Story B", "latest-from footer"),
        ("<div><p>Lee también...</p><p><a href='/c'>Otra noticia del día</a></p></div>", "Otra noticia", "related box"),
        ("<div><h3>Weitere Videos</h3><ul><li><a href='/v'>Ein anderes Video</a></li></ul></div>", "anderes Video", "related box"),
        ("<div><h3>Ähnliche Beiträge</h3><ul><li><a href='/w'>Ein anderer Beitrag</a></li></ul></div>", "anderer Beitrag", "related box"),
        ("<div><h3>Siehe auch</h3><ul><li><a href='/s'>Ein älterer Beitrag</a></li></ul></div>", "älterer Beitrag", "related box"),
        ("<div><h3>Most read in world news</h3><ul><li><a href='/m'>A popular story</a></li></ul></div>", "popular story", "related box"),
        ("<div><h4>Zobacz również</h4><ul><li><a href='/z'>Inny artykuł</a></li></ul></div>", "Inny artykuł", "related box"),
        ("<div><h3>Das könnte Sie auch interessieren!</h3><ul><li><a href='/k'>Noch ein Text</a></li></ul></div>", "Noch ein Text", "related box"),
        ("<h3>You may also like</h3><article><p>" + "A whole other post shown as a teaser. " * 10 + "</p></article>", "other post", "related box"),
        ('<div class="cta"><p>Support our work: subscribe from ten euros a year!</p></div>', "Support our work", "newsletter sign-up"),
        ("<div class='people'><h2>About the author</h2><div><a href='/p/ann'>Ann</a><p>Ann was born in 1980 and writes on rivers.</p></div></div>", "born in 1980", "author box"),
        ("<div class='wrap'>" + BODY + "<div style='font-weight:bold'>Über den Autor</div><div class='bio'><p>Jo schreibt seit 1990 über Wein.</p></div></div>", "seit 1990", "author box"),
        ("<section><h3>Autor:innen</h3><div><p>Geboren 1983, Redakteur seit 2015.</p></div></section>", "Geboren 1983", "author box"),
    ],
)  # fmt: skip
def test_boilerplate_pass_removes_and_records(fragment: str, gone: str, kind: str) -> None:
    text, kinds = cleaned(fragment)
    assert gone not in text
    assert "Running article text" in text
    assert kind in kinds


@pytest.mark.parametrize(
    "fragment",
    [
        "<p>The advertisement industry grew by ten percent last year, analysts said.</p>",
        '<p class="related">A paragraph whose class says related but which is text.</p>',
        "<h2>Related findings from the new study</h2><p>More text of the study follows here.</p>",
        '<div class="shadow-box"><p>Text in a box whose class merely contains ad.</p></div>',
        # A <header> holding one subheading heads a section of the body (an accordion's panel).
        '<ul class="accordion"><li><header class="panel-head"><h3>Advantages of renting</h3></header><div><p>Repairs are included.</p></div></li></ul>',
        # "Author" inside a sentence or a table of data opens no author's box.
        "<h2>The author of the report, and why she wrote it</h2><p>She wrote it in one winter.</p>",
        "<table><tr><td>Author</td><td>Jane Roe, who wrote the first draft</td></tr></table>",
    ],
)
def test_article_text_is_kept(fragment: str) -> None:
    soup = BeautifulSoup(fragment, "lxml")
    expected = soup.get_text(" ")
    text, _ = cleaned(fragment)
    assert expected in text


def test_container_holding_the_article_is_never_removed_by_class() -> None:
    doc = parse(f'<body><div class="sidebar-layout">{BODY * 3}</div></body>')
    clean(doc)
    assert "Running article text" in doc.soup.get_text()


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        ('<div class="share-tools">', "share bar"),
        ('<div id="most-popular">', "latest-from footer"),
        ('<div class="article-body">', None),
        ('<div class="shadow">', None),
        ('<div class="headline">', None),
        # Drupal hides a field's label, not the field: its text is article text.
        ('<div class="field field--name-field-text field--label-hidden">', None),
        ('<div class="field-label-hidden field-name-body">', None),
        ('<div class="block-title-hidden">', None),
        ('<div class="visually-hidden">', "hidden"),
        ('<div class="field--label-hidden print-only">', "hidden"),
        # A CSS utility that clips overflow hides nothing; print words hide only what a
        # printer alone shows, or what the site leaves out of print.
        ('<div class="wrapper overflow-hidden">', None),
        ('<div class="box overflow-x-hidden">', None),
        ('<div class="tip-print-step">', None),
        ('<div class="printable-area">', None),
        ('<div class="printheader">', "hidden"),
        ('<div class="d-none d-print-block">', "hidden"),
        ('<div class="container d-print-none">', "hidden"),
        ('<div class="noprint">', "hidden"),
        # Layout words naming the sidebar beside a column, not the column itself.
        ('<div class="page-wrap main-with-right-sidebar">', None),
        ('<div class="content has-sidebar">', None),
        ('<div class="layout no-sidebar">', None),
        ('<div class="right-sidebar">', "sidebar"),
        ('<div class="sidebar-with-widgets">', "sidebar"),
        ('<div id="sitemap">', "navigation"),
        # Utility-CSS variants style other elements or other states: no kind of the element.
        ('<div class="story-text [&_.image-caption]:text-sm [&_.teaser]:mt-4">', None),
        ('<div class="story-text empty:hidden print:hidden">', None),
        ('<div class="md:flex lg:[&_.related]:hidden">', None),
        # Hidden from a small screen's width up: not on the page a desktop reader sees.
        ('<div class="flex lg:hidden">', "hidden"),
        ('<div class="hidden lg:block">', "hidden"),
        ('<div class="[&_p]:mb-4 related-stories">', "related box"),
    ],
)
def test_class_kind(html: str, kind: str | None) -> None:
    tag = BeautifulSoup(html, "lxml").div
    assert class_kind(tag) == kind


@pytest.mark.parametrize(
    ("html", "density"),
    [
        ("<div>plain</div>", 0.0),
        ("<div><a>all link</a></div>", 1.0),
        ("<div>abcd<a>efgh</a></div>", 0.5),
    ],
)
def test_link_density(html: str, density: float) -> None:
    assert link_density(BeautifulSoup(html, "lxml").div) == pytest.approx(density, abs=0.01)


def test_see_also_box_ends_where_the_next_section_begins() -> None:
    doc = parse(
        f"<html><body><article>{BODY}<h2>See also</h2><ul><li><a href='/a'>Another page</a></li></ul>"
        "<h2>Settings</h2><ul><li><code>APP_PORT</code>, the port to listen on</li></ul>"
        "</article></body></html>"
    )
    clean(doc)
    text = doc.soup.get_text(" ")
    assert "Another page" not in text
    assert "Settings" in text and "the port to listen on" in text


def test_loose_box_heading_text_never_takes_its_container() -> None:
    # " Tags: " sits as bare text in the article's own container, beside the body.
    doc = parse(
        f"<html><body><div class='col'>{BODY} Tags: <a href='/t'>Topic</a></div></body></html>"
    )
    clean(doc)
    assert "Running article text" in doc.soup.get_text()


def test_embedded_posts_are_not_share_bars() -> None:
    text, kinds = cleaned(
        "<div class='social-media-embed'><blockquote class='twitter-tweet'><p>A quoted tweet.</p></blockquote></div>"
    )
    assert "A quoted tweet." in text
    assert "share bar" not in kinds


@pytest.mark.parametrize(
    ("heading", "opens_thread"),
    [
        ("156 Responses to “Re-caning a chair seat”", True),
        ("One thought on “Night trains”", True),
        ("3 Kommentare zu „Vereinsausflug“", True),
        ("12 comments", True),
        ("Comments (4)", True),
        ("Leave a Reply", True),
        ("Kommentar schreiben", True),
        ("Kommentieren", True),
        ("Deja un comentario", True),
        ("Two comments from the minister stood out", False),
        ("Comments on the budget were mixed", False),
        ("Recent Comments", False),
        ("Top Rated Comments", True),
        ("Most Popular Comments", True),
        ("Reader comments", True),
        ("Beliebteste Kommentare", True),
        ("Top rated comments from the panel were read aloud", False),
    ],
)
def test_comment_thread_headings(heading: str, opens_thread: bool) -> None:
    assert bool(COMMENTS_HEADING.match(heading)) is opens_thread
    tag = BeautifulSoup(f"<h3>{heading}</h3>", "lxml").h3
    assert isinstance(tag, Tag)
    assert comments.opens_thread(tag) is opens_thread  # the stems' first test lets it through


@pytest.mark.parametrize("label", ["Advertisement", "- Anzeige -", "— Werbung —", "* Publicidad *"])
def test_ad_labels_with_dashes_around(label: str) -> None:
    assert AD_LABEL.match(label)


@pytest.mark.parametrize(
    "embed",
    [
        "<blockquote class='instagram-media'><a href='#'>View this post on Instagram</a>"
        "<p>A post shared by Someone (@someone)</p></blockquote>",
        "<blockquote class='tiktok-embed'><section>@someone Caption of the clip #tag</section></blockquote>",
        "<div class='fb-post'><blockquote class='fb-xfbml-parse-ignore'><p>Caption of the post</p>"
        "Posted by Someone</blockquote></div>",
    ],
)
def test_embedded_posts_other_than_tweets_are_removed(embed: str) -> None:
    text, kinds = cleaned(embed)
    assert "Caption" not in text and "View this post" not in text and "shared by" not in text
    assert "Running article text" in text
    assert "embedded post" in kinds


def test_a_table_of_contents_goes_with_its_title() -> None:
    contents = (
        "<div id='toc'><p>Contents</p><ul><li><a href='#one'>One</a></li>"
        "<li><a href='#two'>Two</a></li><li><a href='#three'>Three</a></li></ul></div>"
    )
    text, kinds = cleaned(
        f"<p>Intro of the article.</p>{contents}<h2 id='one'>One</h2><p>Body.</p>"
    )
    assert "Contents" not in text
    assert "Intro of the article." in text and "One" in text
    assert "table of contents" in kinds


def test_a_list_linking_elsewhere_is_no_table_of_contents() -> None:
    links = "<ul><li><a href='#one'>One</a></li><li><a href='/two'>Two</a></li><li><a href='#three'>Three</a></li></ul>"
    _, kinds = cleaned(links)
    assert "table of contents" not in kinds


def test_an_audio_player_goes() -> None:
    text, kinds = cleaned(
        "<div class='audio-player'><span>Listen to this article</span><span>7:12</span></div>"
    )
    assert "Listen" not in text and "7:12" not in text
    assert "audio player" in kinds


def test_a_wikis_edit_links_leave_the_headings() -> None:
    text, kinds = cleaned(
        "<h2><span class='mw-headline'>Breeding</span><span class='mw-editsection'>"
        "<span class='mw-editsection-bracket'>[</span><a href='/w?action=edit'>edit</a>"
        "<span class='mw-editsection-bracket'>]</span></span></h2>"
        "<h3>Nests<a class='secedit' href='/doku?do=edit'>Edit</a></h3>"
    )
    assert "Breeding" in text and "Nests" in text
    assert "edit" not in text.lower() and "[" not in text
    assert "edit link" in kinds


@pytest.mark.parametrize(
    ("fragment", "kept"),
    [
        (
            '<p>The vote was put off after chair <a class="topic-teaser" href="/t/mo">Mara Oduya</a> asked for more talks.</p>',
            "Mara Oduya",
        ),
        (
            '<p>SCR-Sportchef <a class="tag" href="/t/zb">Zoran Bek</a> ist Tag und Nacht auf Achse.</p>',
            "Zoran Bek",
        ),
        (
            '<p>Der Minister (<a class="inner-link-tag" href="/t/m">Menhub</a>) sprach gestern vor der Presse.</p>',
            "Menhub",
        ),
        (
            '<p>Backed by the <span class="related-entity">Transport Agency</span>, the plan goes ahead.</p>',
            "Transport Agency",
        ),
    ],
)
def test_a_classed_link_inside_a_sentence_stays(fragment: str, kept: str) -> None:
    text, _ = cleaned(fragment)
    assert kept in text


@pytest.mark.parametrize(
    ("fragment", "gone"),
    [
        (
            '<div>Topics: <a class="tag" href="/t/h">Harbour</a>, <a class="tag" href="/t/f">Ferries</a></div>',
            "Harbour",
        ),
        (
            '<p>The raised beds in May, seen from the house. <span class="media-author">Foto: Karl Brandt</span></p>',
            "Karl Brandt",
        ),
        (
            '<p>Read the whole story here <span class="sr-only">opens in a new window</span> on our site.</p>',
            "new window",
        ),
    ],
)
def test_a_classed_element_beside_no_sentence_still_goes(fragment: str, gone: str) -> None:
    text, _ = cleaned(fragment)
    assert gone not in text


SENTENCE_120 = (
    "Harbour Roast was the first blend the founders roasted in the shed behind the ferry "
    "office, and it has stayed on the shelf for thirty years."
)


@pytest.mark.parametrize(
    ("inside", "holds"),
    [
        (f"<p>{SENTENCE_120}</p>", True),
        (f"<div>{SENTENCE_120}</div>", True),
        (f"<p>{SENTENCE_120[:60]}.</p>", False),  # too short for running text
        (f"<h2>{SENTENCE_120}</h2>", False),  # a headline, not prose
        (f"<p><a href='/x'>{SENTENCE_120}</a></p>", False),  # a link's text
        (f"<p>{SENTENCE_120.rstrip('.')} and</p>", False),  # no sentence end
        ("<a href='/a'>Jane Doe</a> · <span>4 min read</span> · <span>312</span>", False),
    ],
)
def test_header_classed_block_holding_a_sentence_stays(inside: str, holds: bool) -> None:
    doc = parse(
        f"<html><body><article><div class='entry-header'>{inside}</div>"
        f"<p>{SENTENCE_120} {SENTENCE_120}</p></article></body></html>"
    )
    removed = clean(doc)
    assert (doc.soup.find("div", class_="entry-header") is not None) is holds
    assert any(r.kind == "header" for r in removed) is not holds


SIGNUP = (
    "<div><div><h2>The Weekly Dispatch Newsletter</h2></div><div><p>Get our best stories every "
    "Friday.</p><form><input type='email'><button>Sign up</button></form></div></div>"
)


def test_a_sign_up_forms_box_goes_with_its_heading_and_pitch() -> None:
    text, kinds = cleaned("<div>" + BODY + SIGNUP + BODY + "</div>")
    assert "Weekly Dispatch" not in text and "best stories" not in text
    assert text.count("Running article text") == 90  # cleaned() puts one more body first
    assert "form" in kinds


def test_a_form_beside_text_that_is_no_sign_up_takes_only_itself() -> None:
    search = "<div><p>Find a recipe by its name.</p><form><input type='text'></form></div>"
    text, _ = cleaned("<div>" + BODY + search + "</div>")
    assert "Find a recipe" in text
