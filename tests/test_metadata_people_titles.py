"""Authors (caseless scripts, organisations, datelines, "Last, First") and titles."""

import pytest

from archive.errors import NotAnArticleError
from archive.extract import extract_article
from archive.parse.meta.authors import split_byline
from archive.parse.meta.metadata import read_metadata
from archive.parse.meta.titles import best_title, strip_suffix, unescape
from archive.parse.tree.soup import parse


def _meta(head: str, body: str = ""):
    html = f"<html><head>{head}</head><body><h1>Headline</h1>{body}<p>x</p></body></html>"
    return read_metadata(parse(html), "https://news.example/a/story")


def _ld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By 山田太郎", ["山田太郎"]),
        ("राहुल शर्मा", ["राहुल शर्मा"]),
        ("محمد علي", ["محمد علي"]),
        ("김민수", ["김민수"]),
        ("Doe, Jane", ["Doe, Jane"]),  # one person, surname first
        ("By Ana Ruiz, Frankfurt", ["Ana Ruiz"]),  # a dateline, not a second person
        ("Von Hans Meier, Montag", ["Hans Meier"]),
        ("WASHINGTON", []),
        ("Montag", []),
        ("Ana Ruiz, Tom Becker and Li Wei", ["Ana Ruiz", "Tom Becker", "Li Wei"]),
        ("Author: Daniel Larsen", ["Daniel Larsen"]),
        ("john smith", []),  # lower case in a cased script: no byline
        ('"name": "Ann Lee" }', []),
    ],
)
def test_split_byline(byline: str, names: list[str]) -> None:
    assert split_byline(byline) == names


def test_json_ld_person_in_japanese_is_kept() -> None:
    meta = _meta(
        _ld('{"@type": "NewsArticle", "author": {"@type": "Person", "name": "山田 花子"}}')
    )
    assert (meta.authors, meta.authors_from) == (["山田 花子"], "json-ld")


def test_json_ld_person_in_lower_case_is_kept_as_given() -> None:
    meta = _meta(_ld('{"@type": "BlogPosting", "author": {"@type": "Person", "name": "ana ruiz"}}'))
    assert meta.authors == ["ana ruiz"]


@pytest.mark.parametrize(
    ("head", "body", "names"),
    [
        (_ld('{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "dpa"}}'), "",
         ["dpa"]),
        ('<meta name="author" content="Associated Press">', "", ["Associated Press"]),
        ("", '<div class="byline">By BBC News</div>', ["BBC News"]),
        ("", '<div class="byline">admin</div>', []),
    ],
)  # fmt: skip
def test_organisation_bylines_kept_when_no_person(head: str, body: str, names: list) -> None:
    meta = _meta(head, body)
    assert meta.authors == names
    assert meta.authors_from == ("organization" if names else None)


def test_the_site_as_json_ld_author_is_no_byline_but_a_visible_one_is() -> None:
    site = '<meta property="og:site_name" content="Daily Ledger">'
    ld = _ld(
        '{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Daily Ledger"}}'
    )
    assert _meta(site + ld).authors == []
    byline = '<div class="byline">By Daily Ledger</div>'
    assert (_meta(site, byline).authors, _meta(site, byline).authors_from) == (
        ["Daily Ledger"],
        "organization",
    )


def test_a_person_beats_an_organisation() -> None:
    head = _ld('{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Reuters"}}')
    meta = _meta(head, '<div class="byline">By Ana Ruiz</div>')
    assert (meta.authors, meta.authors_from) == (["Ana Ruiz"], "byline")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Rovers&#8217; win", "Rovers’ win"),
        ("&quot;Yes&quot;", '"Yes"'),
        ("M&uuml;nchen", "München"),
        ("Fish &amp;amp; Chips", "Fish & Chips"),  # escaped twice
        ("No entities", "No entities"),
    ],
)
def test_unescape(raw: str, clean: str) -> None:
    assert unescape(raw) == clean


@pytest.mark.parametrize(
    ("title", "site", "h1", "clean"),
    [
        ("Rovers win again | Sport", None, None, "Rovers win again"),
        ("Wahl in Berlin: Die Ergebnisse | DW | 28.04.2023", "DW", None,
         "Wahl in Berlin: Die Ergebnisse"),
        ("Headline - Site Name", "Site Name", None, "Headline"),
        ("Headline – news.example", None, None, "Headline"),
        ("Trump - the return", None, None, "Trump - the return"),  # a dash inside a title
        ("Short | Tail words", None, None, "Short | Tail words"),  # no headline left
        # a section after a dash is cut where the site's name followed it with the same dash
        ("La médiathèque ouvre – Culture – L'Écho", "L'Écho", None, "La médiathèque ouvre"),
        ("La médiathèque ouvre – Culture", None, None, "La médiathèque ouvre – Culture"),
        ("A Walk In The Hills - By Ann Lee - Hill Notes", "Hill Notes", None,
         "A Walk In The Hills - By Ann Lee"),  # three words after a dash: a byline, kept
        ("The headline itself: more | Whatever Site", None, "The headline itself: more",
         "The headline itself: more"),
    ],
)  # fmt: skip
def test_strip_suffix(title: str, site: str | None, h1: str | None, clean: str) -> None:
    assert strip_suffix(title, site, h1) == clean


def test_h1_and_og_title_agreeing_beat_the_json_ld_headline() -> None:
    found = best_title(
        "SEO variant of it", "Real headline | Sport", [], "Real headline", None, None
    )
    assert found == "Real headline"


def test_json_ld_headline_wins_when_h1_and_og_title_disagree() -> None:
    assert best_title("The headline", "Other", [], "Site logo", None, None) == "The headline"


def test_json_ld_headline_cut_with_an_ellipsis_gives_way_to_the_whole_og_title() -> None:
    cut = "Harbour cranes stand still as dockers strike for a se…"
    whole = "Harbour cranes stand still as dockers strike for a second week"
    assert best_title(cut, whole, [], None, None, None) == whole
    assert best_title(cut, "Another title", [], None, None, None) == cut


def test_meta_titles_escaped_twice_are_unescaped() -> None:
    meta = _meta(
        '<meta property="og:title" content="Australian &amp;#039;megablaze&amp;#039; out">'
    )
    assert meta.title == "Australian 'megablaze' out"


def test_title_from_json_ld_is_unescaped() -> None:
    meta = _meta(_ld('{"@type": "NewsArticle", "headline": "Caf&eacute; &#8216;Zur Post&#8217;"}'))
    assert meta.title == "Café ‘Zur Post’"


def test_refused_page_carries_its_metadata() -> None:
    html = (
        '<html lang="de"><head><title>Galerie | Blatt</title>'
        '<meta property="og:site_name" content="Blatt">'
        '<meta property="article:published_time" content="2022-08-28T19:30:00+02:00">'
        "</head><body><h1>Galerie</h1><p>Drei Bilder.</p></body></html>"
    )
    with pytest.raises(NotAnArticleError) as caught:
        extract_article(html, "https://blatt.example/galerie")
    error = caught.value
    assert (error.title, error.published_at) == ("Galerie", "2022-08-28T19:30:00+02:00")
    assert error.metadata["published_from"] == "meta"
    assert "authors" not in error.metadata  # only what the page gave


def test_author_meta_beats_a_webpage_node_but_not_the_article_node() -> None:
    graph = (
        '{"@graph": [{"@type": "WebPage", "author": {"@id": "#p"}},'
        ' {"@type": "Person", "@id": "#p", "name": "Posting Account"}]}'
    )
    meta = '<meta name="author" content="Rita Weber">'
    assert (_meta(_ld(graph) + meta).authors, _meta(_ld(graph)).authors) == (
        ["Rita Weber"],
        ["Posting Account"],
    )
    article = _ld('{"@type": "BlogPosting", "author": {"@type": "Person", "name": "Ina Berg"}}')
    assert _meta(article + meta).authors == ["Ina Berg"]


def test_a_json_ld_person_that_is_an_account_name_is_no_author() -> None:
    head = _ld('{"@type": "BlogPosting", "author": {"@type": "Person", "name": "fhaacker"}}')
    assert _meta(head).authors == []


def test_the_pages_only_h1_beats_a_differently_worded_metadata_title() -> None:
    h1 = "The royal split: nine things we learned from the interview"
    assert best_title("What we learned", "What we learned", [], h1, None, None) == h1
    # two h1s: which one is the headline is not known, the metadata's title stays
    assert best_title("What we learned", None, [], h1, None, None, h1_count=2) == "What we learned"
    # a label of a word or three is no headline
    assert best_title("What we learned", None, [], "Aktuelle Meldungen", None, None) == (
        "What we learned"
    )


def test_an_h1_that_holds_the_metadata_title_adds_a_kicker() -> None:
    h1 = "Auftragshoch : Luftfahrt hebt ab und der Zulieferer profitiert"
    og = "Luftfahrt hebt ab und der Zulieferer profitiert | Zeitung"
    assert best_title(None, og, [], h1, None, "Zeitung") == (
        "Luftfahrt hebt ab und der Zulieferer profitiert"
    )


def test_an_h1_beside_the_headline_in_the_title_is_the_site_name() -> None:
    page = "Notes from the Allotment: Rain garden, one year on"
    found = best_title(None, "Rain garden, one year on", [], "Notes from the Allotment", page, None)
    assert found == "Rain garden, one year on"


def test_a_blog_name_h1_after_the_headline_in_the_title_gives_way() -> None:
    page = "Ferry timetable changes again : Tides and Timetables | Since 2009"
    assert best_title(None, None, [], "Tides and Timetables", page, None) == (
        "Ferry timetable changes again"
    )
    # "Site | Long headline": the h1 is the headline, longer than what stands before it
    page = "Tides | Ferry timetable changes again"
    assert best_title(None, None, [], "Ferry timetable changes again", page, None) == (
        "Ferry timetable changes again"
    )


def test_suffixes_cut_by_the_first_h2_and_a_bare_bar_before_the_site() -> None:
    assert best_title(None, None, [], None, "BLACK BAGS – LW – Blog", None, h2="BLACK BAGS") == (
        "BLACK BAGS"
    )
    assert best_title(None, "見出しの文|ポータル", [], None, None, "ポータル|最新") == "見出しの文"
    assert strip_suffix("A | B|C words here", None, None) == "A | B|C words here"
    assert strip_suffix("Headline words › news.example", None, None) == "Headline words"


def test_an_h1_that_puts_a_label_before_the_title_gives_the_title() -> None:
    h1 = "Mitteilung der Gesundheitsdirektion : Impfen bleibt bis Ende Februar möglich"
    page = "Impfen bleibt bis Ende Februar möglich"
    assert best_title(None, "Mitteilungen", [], h1, page, None) == page
    # a <title> of a word or three inside the h1 is no headline
    assert best_title(None, None, [], "Kanton Bern : Aktuelles", "Aktuelles", None) == (
        "Kanton Bern : Aktuelles"
    )
