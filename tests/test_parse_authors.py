# ruff: noqa: E501  (inline HTML test cases read best on one line each)
import json

import pytest

from archive.parse.meta.authors import split_byline
from archive.parse.meta.metadata import read_metadata
from archive.parse.tree.soup import parse


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Ana Ruiz and Tom Becker", ["Ana Ruiz", "Tom Becker"]),
        ("By Ana Ruiz, Tom Becker & Li Wei", ["Ana Ruiz", "Tom Becker", "Li Wei"]),
        ("BY ANA RUIZ", ["ANA RUIZ"]),
        ("By Ana Ruiz, Science Correspondent", ["Ana Ruiz"]),
        ("Posted by Joanna Park", ["Joanna Park"]),
        ("Von Anna Schmidt und Jan Berg", ["Anna Schmidt", "Jan Berg"]),
        ("Por María López y Juan Pérez", ["María López", "Juan Pérez"]),
        ("By Ana Ruiz | Updated 3 hours ago", ["Ana Ruiz"]),
        ("By staff", []),
        ("Amy Kuperinsky | NJ Advance Media for NJ.com", ["Amy Kuperinsky"]),
        ("Troy L. Smith, Cleveland.com", ["Troy L. Smith"]),
        (
            "By Mike Wuerthele and Malcolm Owen Monday, November 18, 2019",
            ["Mike Wuerthele", "Malcolm Owen"],
        ),
        ("Finian Cunningham. Sputnik International", ["Finian Cunningham"]),
        ("Текст: Венера Ерофеева", ["Венера Ерофеева"]),
        ("By the Russian and Syrian defense ministries", []),
        ("Ludwig van Beethoven", ["Ludwig van Beethoven"]),
        ("", []),
        # the labels blogs put before the name, in several languages
        ("Veröffentlicht von Chris Jung", ["Chris Jung"]),
        ("Eingestellt von Mara Lenz", ["Mara Lenz"]),
        ("Publié par Claire Dubois", ["Claire Dubois"]),
        ("Veröffentlicht", []),
        # a date after the name, the author page's link after it
        ("VON MORITZ GATHMANN am 21. April 2020", ["MORITZ GATHMANN"]),
        ("By Ana Ruiz on 3 May 2021", ["Ana Ruiz"]),
        ("Julia Deutsch Alle Artikel", ["Julia Deutsch"]),
        ("Tom Bell View all posts", ["Tom Bell"]),
        ("Sa 13 Jul 2019", []),
        # names joined by a slash; a number before the slash is part of a name
        ("Ralph Steiner/Carlo Natter", ["Ralph Steiner", "Carlo Natter"]),
        ("Bündnis 90/Die Grünen", []),
        # a photo credit is not an author
        ("Interview: Anna Weber Foto: Paul Brandt", ["Anna Weber"]),
        ("Foto: Paul Brandt", []),
        ("Фото: Наталия Губернаторова", []),
        # a pool of writers is no person ("external authors")
        ("Auswärtige Autoren (AA)", []),
        # a time after the name is a forum teaser's, not a byline's date; a copyright line
        ("von Bellarine um 16:28", []),
        ("Copyright Haufe-Lexware GmbH", []),
        # labels and reporter's titles in scripts without capitals
        ("लेखक: राहुल शर्मा", ["राहुल शर्मा"]),
        ("作者：李明", ["李明"]),
        ("文・写真：鈴木 健", ["鈴木 健"]),
        ("김민수 기자", ["김민수"]),
        ("بقلم محمد العلي", ["محمد العلي"]),
        # "Last, First" people, one or several
        ("Kowalska, Anna; Nowak, Piotr", ["Kowalska, Anna", "Nowak, Piotr"]),
        # a place, a weekday and a date after the name; an agency's acronym is no person
        ("Von Katrin Vogel, Frankfurt Montag, 09.01.2023", ["Katrin Vogel"]),
        ("Par Jean Dupont, à Lyon • Lundi 6 novembre 2023", ["Jean Dupont"]),
        ("Por EFE", []),
        # Italian "di" is a label before a name, and the start of a surname
        ("di Giulia Bianchi", ["Giulia Bianchi"]),
        ("Di Giulia Bianchi e Marco Esposito", ["Giulia Bianchi", "Marco Esposito"]),
        ("Di Stefano", ["Di Stefano"]),
        # a role in brackets, a category after "under" or "in", a label or a CMS account left
        ("Redaktion: Eva Sommer (Pressesprecherin)", ["Eva Sommer"]),
        ("Posted by Quillmaker under Local news, Sport | Tags: pool", ["Quillmaker"]),
        ("By Ana Ruiz in Politics", ["Ana Ruiz"]),
        ("Jung In-ho", ["Jung In-ho"]),  # "In" in a name, not the word "in"
        ("KB_Redaktion", []),
        ("Posted by Quill under News | Schlagwörter: Antipoden, Theorie", ["Quill"]),
    ],
)
def test_split_byline(byline: str, names: list[str]) -> None:
    assert split_byline(byline) == names


def authors_of(head: str, body: str = "") -> list[str]:
    doc = parse(f"<html><head>{head}</head><body>{body}<p>text</p></body></html>")
    return read_metadata(doc, None).authors


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


SITE = '<meta property="og:site_name" content="Daily Planet">'


@pytest.mark.parametrize(
    ("head", "body", "names"),
    [
        (ld({"@type": "Article", "author": [{"name": "Ana Bell"}, {"name": "Carl Dunn"}]}), "", ["Ana Bell", "Carl Dunn"]),
        (ld({"@type": "Article", "author": "By E F"}), "", ["E F"]),
        (SITE + ld({"@type": "Article", "author": {"@type": "Organization", "name": "Daily Planet"}}),
         '<span class="byline">By Lois Lane</span>', ["Lois Lane"]),
        ('<meta name="author" content="G H">', "", ["G H"]),
        ('<meta property="article:author" content="https://fb.example/gh">', "", []),
        ("", '<div class="byline">By <a rel="author" href="/x">I J</a></div>', ["I J"]),
        ("", "<h1>Title</h1><p>By K L and M N</p>", ["K L", "M N"]),
        ("", '<div class="author-bio">' + "A long biography. " * 20 + "</div>", []),
        ('<meta name="dcterms.creator" content="Ana Bell">', "", ["Ana Bell"]),
        # the site's own name as author, with or without its domain's ending: a template's default
        ('<meta property="og:site_name" content="Autowoche.de"><meta name="author" content="Autowoche">', "", []),
        (ld({"@type": "Article", "author": {"@type": "Person", "name": ['<a href="/e/ana-bell">Ana Bell</a>', '<a href="/e/carl-dunn">Carl Dunn</a>']}}), "", ["Ana Bell", "Carl Dunn"]),
        (ld({"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Gastautoren"}]}) + '<meta name="author" content="Ana Bell/Carl Dunn">', "", ["Ana Bell", "Carl Dunn"]),
        ('<meta name="citation_author" content="Bell, Ana"><meta name="citation_author" content="Dunn, Carl">', "", ["Bell, Ana", "Dunn, Carl"]),
        ("", '<span class="post-author vcard">Posted by <span class="fn">O P</span></span>', ["O P"]),
        ("", '<div class="content__author">von <a href="/p/1">Q R</a> und <a href="/p/2">S T</a></div>', ["Q R", "S T"]),
        ("", '<a class="text-button author-link" href="#authors"><span>U V</span></a>', ["U V"]),
        # a reader's name in the comments, a photo's credit: not the article's author
        ("", '<span class="comment-author-link">W X</span>', []),
        ("", '<span class="media-license-author">Y Z</span>', []),
        ("", '<div class="license-info"><span class="author-name">CNN</span></div><span class="author-name"><a class="license-author" href="/f">Lord B</a></span>', []),
        ("", '<figure><img src="/a.jpg"><figcaption><span itemprop="author">Ana Bell</span></figcaption></figure><ul><li><a class="author-link" href="/a/carl">Carl Dunn</a></li></ul>', ["Carl Dunn"]),
        # a headline that starts like a byline; a blog's name marked up as its author
        ("", "<h1>Von Sprachregeln und Gender-Politik</h1><h3>Por caso de lluvia, cierran la ruta en La Plata</h3>", []),
        ("", '<h1 class="vcard author">Krimiblog-Archiv</h1><h4 class="vcard author">vom Krimiblogger</h4>', ["Krimiblogger"]),
        ("", '<form><p class="social-input-row-author">Name</p><input name="author"></form>', []),
    ],
)  # fmt: skip
def test_author_chain(head: str, body: str, names: list[str]) -> None:
    assert authors_of(head, body) == names


@pytest.mark.parametrize(
    ("name", "site", "host", "publisher"),
    [
        ("NDR", None, "www.ndr.example", True),  # the host's name
        ("Gazzettina.it", None, "www.gazzettina.it", True),  # the host written out
        ("stol.example / Suedtirol Online", None, "www.stol.example", True),  # one of its names
        ("The Electronic Frontier Foundation", None, "www.eff.org", True),  # its initials
        ("Interscenario", "INTERSCENAR.IO", None, True),  # the site's name, letters only
        ("Anna Ndr", None, "www.ndr.example", False),
        ("Politics.co.uk staff", None, "www.politics.co.uk", False),  # a newsroom by its domain
        ("BBC News", None, "www.bbc.co.uk", False),  # a host too short to tell
    ],
)
def test_the_site_named_as_author(
    name: str, site: str | None, host: str | None, publisher: bool
) -> None:
    from archive.parse.meta.authors import _is_publisher

    assert _is_publisher(name, site, host) is publisher


def test_a_newsroom_named_by_the_domain_counts_only_where_a_byline_shows_it() -> None:
    from archive.parse.meta.authors import authors

    def run(body: str) -> tuple[list[str], str | None]:
        ld = {"name": "Ledger.co.uk staff"}
        doc = parse(f"<html><body><h1>Headline here</h1>{body}<p>text</p></body></html>")
        return authors(ld, {}, doc, None, None, "www.ledger.co.uk")

    assert run("") == ([], None)
    assert run("<p>By Ledger.co.uk staff</p>") == (["Ledger.co.uk staff"], "organization")


@pytest.mark.parametrize(
    ("body", "texts"),
    [
        # a label alone in its element: the name follows, up to the next <br>
        (
            "<p><strong>Autor:</strong> <a>Klaus Beispiel</a><br>Tags: x</p>",
            ["Autor: Klaus Beispiel"],
        ),
        ("<div><span>By</span><span><a>Dana Reyes</a></span></div>", ["By Dana Reyes"]),
        # "von" inside a sentence is no byline
        (
            "<p>Ein Buch <i>Titel</i> von Alys Arden, das ich sehr mag und das "
            + "lang " * 30
            + "</p>",
            [],
        ),
        ("<p>- Redaktion: Eva Sommer (Sprecherin)</p>", ["Redaktion: Eva Sommer (Sprecherin)"]),
    ],
)
def test_text_bylines(body: str, texts: list[str]) -> None:
    from archive.parse.meta.bylines import text_bylines

    doc = parse(f"<html><body><h1>Headline here</h1>{body}</body></html>")
    assert [" ".join(t.split()) for t in text_bylines(doc)] == [" ".join(t.split()) for t in texts]


def test_a_posted_by_line_opening_a_long_block_is_read_up_to_a_bylines_length() -> None:
    from archive.parse.meta.bylines import text_bylines

    tags = ", ".join(f"<a>tag{n}</a>" for n in range(40))
    body = f"<div><h2>Post</h2>Posted by Quill under <a>News</a> | Tags: {tags}</div>"
    doc = parse(f"<html><body><h1>Headline here</h1>{body}</body></html>")
    found = text_bylines(doc)
    assert len(found) == 1 and len(found[0]) < 120
    assert " ".join(found[0].split()).startswith("Posted by Quill under News | Tags: tag0")
    assert split_byline(found[0]) == ["Quill"]


def test_the_site_named_as_author_counts_only_where_a_byline_shows_it() -> None:
    from archive.parse.meta.authors import authors

    meta = {"author": ["Sportbund Nord"]}

    def run(body: str) -> tuple[list[str], str | None]:
        doc = parse(f"<html><body><h1>Headline here</h1>{body}<p>text</p></body></html>")
        return authors(None, meta, doc, "Sportbund Nord", None, "www.sportbund-nord.example")

    assert run("") == ([], None)
    assert run("<p>Von Sportbund Nord, 4. 2. 2022</p>") == (["Sportbund Nord"], "organization")


def test_the_newsrooms_generic_name_is_no_person_and_counts_where_shown() -> None:
    from archive.parse.meta.authors import authors

    ld = {"@type": "Person", "name": ["Redaktion"]}

    def run(body: str) -> tuple[list[str], str | None]:
        doc = parse(f"<html><body><h1>Headline here</h1>{body}<p>text</p></body></html>")
        return authors(ld, {}, doc, "Rundschau", None, "www.rundschau.example")

    assert run("") == ([], None)
    assert run('<div class="author">Von Redaktion - 8. Februar 2022</div>') == (
        ["Redaktion"],
        "organization",
    )
    assert split_byline("Redaktion") == []
