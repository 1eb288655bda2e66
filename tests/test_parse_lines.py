import pytest

from archive.parse.blocks import Block
from archive.parse.lines import chrome_kind, trim_chrome
from archive.records import Removal

SENTENCE = "A full sentence of article text that runs on for well over twelve words in all."


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        (["Share this on WhatsApp", SENTENCE], [SENTENCE]),
        (["Facebook Twitter Email", SENTENCE], [SENTENCE]),
        ([SENTENCE, "Updated at 1:23 p.m."], [SENTENCE]),
        (["segunda-feira, 22 de janeiro de 2018 às 0:13", SENTENCE], [SENTENCE]),
        ([SENTENCE, "Read more about it"], [SENTENCE]),
        (["This is short.", SENTENCE], ["This is short.", SENTENCE]),
        (["In 2019, the team won.", SENTENCE], ["In 2019, the team won.", SENTENCE]),
        (["Image 2 of 5", SENTENCE], [SENTENCE]),
        (["This slideshow requires JavaScript.", SENTENCE], [SENTENCE]),
        ([SENTENCE, "Like this story? Share it with a friend!", SENTENCE], [SENTENCE, SENTENCE]),
        ([SENTENCE, "Tell us what YOU think...", "comments"], [SENTENCE]),
        (
            ["Share prices fell by a third on Monday.", SENTENCE],
            ["Share prices fell by a third on Monday.", SENTENCE],
        ),
    ],
)
def test_trim_chrome(lines: list[str], kept: list[str]) -> None:
    blocks = [Block(text, "p") for text in lines]
    if lines[-1] == "Read more about it":
        blocks[-1].link_chars = len(lines[-1])
    assert [b.text for b in trim_chrome(blocks)[0]] == kept


def test_a_paragraph_that_is_one_link_is_a_teaser_not_prose() -> None:
    teaser = Block("Column: Another story you may want to read", "p", link_chars=42)
    listed = Block("A linked list item", "li", link_chars=18)
    kept, removed = trim_chrome([Block(SENTENCE, "p"), teaser, listed, Block(SENTENCE, "p")])
    assert kept == [Block(SENTENCE, "p"), listed, Block(SENTENCE, "p")]
    assert removed == [
        Removal(kind="teaser link", sample="Column: Another story you may want to read")
    ]


def test_trimmed_lines_are_recorded_with_their_kind() -> None:
    blocks = [
        Block("Share this on WhatsApp", "p"),
        Block(SENTENCE, "p"),
        Block("Image 2 of 5", "p"),
    ]
    _, removed = trim_chrome(blocks)
    assert [r.kind for r in removed] == ["share bar", "gallery label"]


@pytest.mark.parametrize(
    "line",
    [
        "Reading Time: 6 minutes",
        "4 min read",
        "3-5 minutes to read",
        "Lesezeit: 4 Minuten",
        "5 Min. Lesezeit",
        "Temps de lecture : 3 min",
        "Listen to this article",
        "Listen to this story: 12 minutes",
        "Listen to this article 7:12",  # the player's duration beside its label
        "Artikel anhören",
        "View this post on Instagram",
        "A post shared by Jane Doe (@janedoe) on Jun 3, 2019 at 4:05pm PDT",
        "View on Twitter",
        "Watch on TikTok",
        # A consent manager's stand-in for an embedded post.
        "Empfohlener redaktioneller Inhalt",
        "Externer Inhalt",
        "Twitter freischalten",
        "Inhalte von Instagram immer anzeigen",
        "Ich bin damit einverstanden, dass mir externe Inhalte angezeigt werden.",
        "An dieser Stelle findet Ihr einen externen Inhalt von Instagram, der den Artikel ergänzt.",
    ],
)
def test_reading_time_audio_and_embed_prompts_are_labels(line: str) -> None:
    assert chrome_kind(Block(line, "p")) == "label"


@pytest.mark.parametrize(
    "line",
    [
        "45 minutes",  # a recipe's cooking time is not a reading time
        "Cook time: 20 minutes",
        "Listen to the birds at dawn and you will hear at least five species in a minute.",
        "It took four minutes to read the verdict.",
        "Did you make the most of the recipe? Most readers did not.",
        "Externer Inhalt von Zulieferern macht ein Drittel des Umsatzes aus.",
    ],
)
def test_lines_that_only_look_like_labels_are_kept(line: str) -> None:
    assert chrome_kind(Block(line, "p")) is None


@pytest.mark.parametrize(
    "line",
    [
        "Foto: Ingrid Muster",
        "Photo: Agency / Jane Doe",
        "Crédits photos : Agence",
        "© Example Press 2020",
    ],
)
def test_photo_credit_lines_are_chrome(line: str) -> None:
    assert chrome_kind(Block(line, "p")) == "credit"


def test_a_sentence_about_photos_is_kept() -> None:
    line = (
        "Photos: the council released twelve of them on Monday, all taken by residents of the town."
    )
    assert chrome_kind(Block(line, "p")) is None


@pytest.mark.parametrize(
    "line",
    ["EMAIL STORY | PRINT", "Print this page", "Drucken | Versenden | Merken", "A- A+ Print"],
)
def test_tool_bars_of_older_layouts_are_share_lines(line: str) -> None:
    assert chrome_kind(Block(line, "p")) == "share bar"


@pytest.mark.parametrize("line", ["Save the date", "Print edition sales fell by a third."])
def test_lines_about_print_or_saving_are_kept(line: str) -> None:
    assert chrome_kind(Block(line, "p")) is None


def test_a_table_of_links_is_chrome_and_a_data_table_is_not() -> None:
    links = "Sister paper one | Sister paper two\nThe weekly | Radio station"
    assert chrome_kind(Block(links, "tr", link_chars=len(links) - 6)) == "link table"
    data = "Larry Ogunjobi | 55 | 2 tackles\nMyles Garrett | 61 | 1 sack"
    assert chrome_kind(Block(data, "tr", link_chars=len("Larry OgunjobiMyles Garrett"))) is None


@pytest.mark.parametrize(
    "prompt",
    [
        "Follow The Courier on Twitter and Instagram @courier and on Facebook for more news.",
        "Síguenos en Telegram, Instagram, Facebook y Twitter para recibir todas las noticias.",
        "Get the latest news straight to your phone with the Courier app.",
        "Lust auf mehr? Lass dir die besten Storys jede Woche in deinen Posteingang schicken.",
    ],
)
def test_a_follow_or_subscribe_prompt_that_closes_the_body_is_trimmed(prompt: str) -> None:
    kept, removed = trim_chrome([Block(SENTENCE, "p"), Block(prompt, "p")])
    assert kept == [Block(SENTENCE, "p")]
    assert removed[0].kind == "trailing links"


def test_a_prompt_inside_the_body_and_a_closing_sentence_about_apps_are_kept() -> None:
    prompt = Block("Strikers told readers to subscribe to the union newsletter for updates.", "p")
    closing = Block("The council said the app had been downloaded by few residents.", "p")
    kept, _ = trim_chrome([Block(SENTENCE, "p"), prompt, Block(SENTENCE, "p"), closing])
    assert kept == [Block(SENTENCE, "p"), prompt, Block(SENTENCE, "p"), closing]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (
            "This entry was posted on Wednesday, March 3rd, 2010 at 10:21 am and is filed under"
            " Travel, Trains. You can follow any responses to this entry through the RSS 2.0 feed.",
            "post meta",
        ),
        (
            "Der Beitrag wurde am Freitag, den 4. Juni 2021 um 9:12 Uhr veröffentlicht und wurde"
            " unter Allgemein, Reisen abgelegt.",
            "post meta",
        ),
        # A sentence of the body that starts alike but says where nothing is filed.
        ("This entry was posted late because the author was travelling for a month.", None),
    ],
)
def test_blog_themes_post_meta_line_is_chrome(line: str, kind: str | None) -> None:
    assert chrome_kind(Block(line, "p")) == kind


@pytest.mark.parametrize(
    "line",
    [
        "Did you make this recipe? Tag us on Instagram!",
        "Hast du das Rezept ausprobiert? Bewerte es!",
        "¿Has probado esta receta? Cuéntanos",
    ],
)
def test_a_recipe_cards_rating_prompt_is_a_call_to_action(line: str) -> None:
    assert chrome_kind(Block(line, "p")) == "call to action"


@pytest.mark.parametrize(
    "lead",
    [
        "By Carl Lindqvist, Staff Writer",
        "Carl Lindqvist, AP National Security Writer",
        "Par Claire Dumas - le 12/01/2024",
        "Von Max Muster und Erika Beispiel",
        "Thursday, October 14, 2004",
        "3. Dezember 2009",
        "14 de junio de 2023",
    ],
)
def test_bylines_and_dates_before_the_first_sentence_are_trimmed(lead: str) -> None:
    kept, _ = trim_chrome([Block(lead, "p"), Block(SENTENCE, "p")])
    assert [b.text for b in kept] == [SENTENCE]


@pytest.mark.parametrize(
    "lead",
    [
        "By the river, the mill still turns.",
        "Von Anfang an war klar, dass es regnet.",
        "May 2004",
        "Anna Berg, the writer, spoke first.",
    ],
)
def test_short_lead_sentences_are_no_bylines(lead: str) -> None:
    if lead == "May 2004":
        lead = "In May 2004 the mill closed for good."
    kept, _ = trim_chrome([Block(lead, "p"), Block(SENTENCE, "p")])
    assert kept[0].text == lead


def test_the_headline_repeated_from_the_title_is_trimmed() -> None:
    blocks = [Block("Grain elevator to be saved as museum", "td"), Block(SENTENCE, "p")]
    kept, _ = trim_chrome(blocks, title="Prairie Gazette - Grain elevator to be saved as museum")
    assert [b.text for b in kept] == [SENTENCE]


def test_a_copyright_footer_line_is_trimmed_but_a_sentence_about_rights_is_kept() -> None:
    footer = (
        "Sister papers: Lake News | Hill Times | Plains Weekly "
        "Copyright © 2004 Gazette Co. All rights reserved."
    )
    links = Block(footer, "tr", link_chars=len("Lake NewsHill TimesPlains Weekly"))
    assert [b.text for b in trim_chrome([Block(SENTENCE, "p"), links])[0]] == [SENTENCE]
    notice = Block("© 2019 Verlag GmbH. Alle Rechte vorbehalten.", "p")
    assert [b.text for b in trim_chrome([Block(SENTENCE, "p"), notice])[0]] == [SENTENCE]
    story = Block("The label said all rights reserved to the band were (c) 2004 theirs.", "p")
    assert trim_chrome([Block(SENTENCE, "p"), story])[0][-1] is story


@pytest.mark.parametrize(
    "line",
    [
        "Warning: Cannot modify header information - headers already sent in"
        " /var/www/wp-includes/pluggable.php on line 1296",
        "Strict Standards: Non-static method Gallery::init() should not be called statically in"
        " /www/htdocs/wp-content/plugins/gallery.php on line 813",
        "Deprecated: Function ereg() is deprecated in /home/site/index.php on line 7",
    ],
)
def test_php_messages_printed_into_the_page_are_chrome(line: str) -> None:
    assert chrome_kind(Block(line, "p")) == "server message"


def test_a_sentence_about_a_warning_is_kept() -> None:
    line = "Warning: the ferry on line 4 will not run in the storm, the harbour office said."
    assert chrome_kind(Block(line, "p")) is None


@pytest.mark.parametrize(
    ("text", "links", "bar"),
    [
        ("Home | Garden | Bees", len("HomeGardenBees"), True),
        ("News » Local » Harbour »", len("NewsLocalHarbour"), True),
        ("Band 14 / Chapter 121", len("Band 14Chapter 121"), True),
        ("http://amzn.to/2iJFhRj", len("http://amzn.to/2iJFhRj"), False),  # one address shown
        ("What makes an »international emergency«?", 40, False),  # quotes, no separators
        ("Read more | Archive", len("Archive"), False),  # words outside the links
    ],
)
def test_a_bar_of_links_and_separators_is_chrome(text: str, links: int, bar: bool) -> None:
    # As a line after a <br> (a paragraph that is one link is a teaser link besides).
    assert (chrome_kind(Block(text, "br", links)) == "link bar") is bar


@pytest.mark.parametrize(
    "line",
    [
        "Image 1 of / 8",
        "Photo 3 of 12",
        "4 / 9",
        "Caption",
        "Close",
        "Back to Gallery",
        "Next image",
        "Zurück zur Bildergalerie",
    ],
)
def test_a_gallery_viewers_counter_and_controls_are_chrome(line: str) -> None:
    assert chrome_kind(Block(line, "div")) == "gallery label"


@pytest.mark.parametrize("line", ["Close to the river, the mill still turns.", "Caption contest"])
def test_sentences_that_open_with_a_controls_word_are_kept(line: str) -> None:
    assert chrome_kind(Block(line, "p")) is None


def test_a_caption_cut_short_and_its_opened_twin_are_dropped() -> None:
    whole = "The ferry leaves the north dock on Tuesday morning, its first run in a year. less"
    cut = "The ferry leaves the north dock on Tuesday morning, its first ... more"
    blocks = [Block(s, "div") for s in (whole, cut, SENTENCE)]
    kept, removed = trim_chrome(blocks)
    assert [b.text for b in kept] == [SENTENCE]
    assert [r.kind for r in removed] == ["caption", "caption"]


def test_a_paragraph_that_ends_in_less_without_a_cut_twin_is_kept() -> None:
    line = "Prices rose by a third, and the town's shoppers now buy less"
    kept, _ = trim_chrome([Block(SENTENCE, "p"), Block(line, "p"), Block(SENTENCE, "p")])
    assert line in [b.text for b in kept]


def test_the_headline_again_inside_the_body_is_trimmed_but_not_a_subheading() -> None:
    title = "Ferry returns after repairs - Ledger"
    copy = Block("Ferry returns after repairs", "div")
    blocks = [Block(SENTENCE, "p"), copy, Block(SENTENCE, "p")]
    kept, removed = trim_chrome(blocks, title=title)
    assert [b.text for b in kept] == [SENTENCE, SENTENCE]
    assert removed[0].kind == "headline copy"
    blocks[1] = Block("Ferry returns after repairs", "h2")
    assert len(trim_chrome(blocks, title=title)[0]) == 3


@pytest.mark.parametrize(
    "line",
    [
        "Protesters gather outside the university on Monday (Image: GETTY )",
        "A worker loads trims into his truck in Hialeah, Fla. (AP Photo/Alan Diaz, File)",
        "The two pose for a photo in Montecito, California. (Photo by Jo Park/Getty Images)",
        "Mehr als zweihundert Menschen kamen zum Markt. (Foto: Anna Berg)",
        "(Image credit: Blue Origin)",
    ],
)
def test_a_caption_that_ends_with_its_photo_credit_is_chrome(line: str) -> None:
    assert chrome_kind(Block(line, "div")) == "credit"


def test_a_paragraph_that_ends_with_a_bracket_is_kept() -> None:
    line = "The mayor signed the order on Monday (the third this year), aides said (see below)"
    assert chrome_kind(Block(line, "p")) is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Like this:", "label"),
        ("Gefällt mir Lade...", "label"),
        ("Like Loading…", "label"),
        ("Teilen mit:", "share bar"),
        ("I like this: a town that keeps its trees.", None),
    ],
)
def test_a_blogs_like_and_share_prompts_are_chrome(line: str, kind: str | None) -> None:
    assert chrome_kind(Block(line, "p")) == kind


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("Michael Conroy, AP", True),
        ("Jo Park / Getty Images", True),
        ("Tom Davies Associated Press", True),
        ("Sakib Ali/Daily Example/Getty Images", True),
        ("The Associated Press", True),
        ("Reporting by Ann Lee, AP", False),
        ("The AP reported it first", False),
    ],
)
def test_a_photographers_name_and_agency_on_a_line_is_a_credit(line: str, credit: bool) -> None:
    assert (chrome_kind(Block(line, "div")) == "credit") is credit


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Image copyright Getty Images", "credit"),
        ("Photo credit Reuters", "credit"),
        ("© Jo Park Needle poking skin during a flu shot at a community health centre.", "credit"),
        ("Media playback is unsupported on your device", "gallery label"),
        ("Image copyright law changed in 2019, and the courts took years to catch up.", None),
    ],
)
def test_picture_labels_without_a_colon_are_chrome(line: str, kind: str | None) -> None:
    assert chrome_kind(Block(line, "div")) == kind


CAPTION = (
    "Council member Rosa Delgado speaks during the meeting at City Hall, where the budget passed."
)


def test_a_caption_three_times_in_a_row_is_dropped_with_the_credits_between() -> None:
    lines = [CAPTION, "Photo: Sam Ortiz", CAPTION, "Photo: Sam Ortiz", CAPTION, SENTENCE]
    kept, removed = trim_chrome([Block(text, "div") for text in lines])
    assert [b.text for b in kept] == [SENTENCE]
    assert [r.kind for r in removed].count("caption") == 3


@pytest.mark.parametrize(
    "lines",
    [
        [CAPTION, CAPTION, SENTENCE],  # a quote set out again
        [CAPTION, SENTENCE, CAPTION, SENTENCE, CAPTION],  # a recipe's line, apart each time
        [CAPTION, CAPTION, CAPTION, SENTENCE],  # nothing of a viewer between the copies
        ["via Example News", "via Example News", "via Example News", SENTENCE],  # short
    ],
)
def test_copies_that_are_few_apart_or_short_are_kept(lines: list[str]) -> None:
    kept, _ = trim_chrome([Block(text, "div") for text in lines])
    assert len(kept) == len(lines)


def test_paragraphs_said_three_times_are_left_to_their_author() -> None:
    kept, _ = trim_chrome([Block(text, "p") for text in [CAPTION, CAPTION, CAPTION, SENTENCE]])
    assert len(kept) == 4
