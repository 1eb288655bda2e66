# ruff: noqa: E501  (inline HTML test cases read best on one line each)
from bs4 import BeautifulSoup

from archive.parse.blocks import body_blocks, collect_images, running_words
from archive.parse.content import main_content, paragraph_score
from archive.parse.lines import trim_chrome
from archive.parse.tree.soup import parse

PARA = "<p>This paragraph, which is long enough to count, tells part of the story in detail.</p>"


def texts(html: str) -> list[str]:
    blocks, _ = trim_chrome(body_blocks(main_content(parse(html))))
    return [b.text for b in blocks]


def test_paragraph_score_grows_with_length_and_commas() -> None:
    assert paragraph_score("a, b, c") > paragraph_score("a b c")
    assert paragraph_score("x" * 300) > paragraph_score("x" * 30)


def test_main_content_prefers_the_body_over_link_lists() -> None:
    html = (
        "<body><div id='links'>" + "<p><a href='/x'>A long linked teaser headline, with words</a></p>" * 8
        + "</div><div id='story'>" + PARA * 5 + "</div></body>"
    )  # fmt: skip
    nodes = main_content(parse(html))
    assert [n.get("id") for n in nodes] == ["story"]


def test_body_split_by_ads_is_joined_from_siblings() -> None:
    html = "<body><article><div class='part'>" + PARA * 4 + "</div><p>A short last line.</p>"
    html += "<div class='part'>" + PARA * 4 + "</div></article></body>"
    assert len(texts(html)) == 9


def test_blocks_are_paragraphs_headings_list_items_and_quotes_in_order() -> None:
    html = (
        "<body><div>" + PARA * 3 + "<h2>Sub heading</h2><ul><li>First item</li><li>Second</li></ul>"
        "<blockquote><p>A quote.</p></blockquote><p>Line one<br>line two</p>"
        + PARA
        + "</div></body>"
    )
    got = texts(html)
    assert got[3:9] == ["Sub heading", "First item", "Second", "A quote.", "Line one", "line two"]


def test_headline_captions_and_trailing_headings_are_not_body_text() -> None:
    html = (
        "<body><div><h1>The headline</h1>" + PARA * 3
        + "<figure><img src='a.jpg'><figcaption>A caption</figcaption></figure>"
        + "<p><span class='credit'>Photo credit</span></p><h3>Share this</h3></div></body>"
    )  # fmt: skip
    got = texts(html)
    assert got == [BeautifulSoup(PARA, "lxml").get_text()] * 3


def test_inline_markup_keeps_its_spacing() -> None:
    got = texts(
        "<body><div>"
        + PARA * 3
        + "<p>An <em>emphatic</em>, <a href='#'>linked</a> word.</p></div></body>"
    )
    assert got[-1] == "An emphatic, linked word."


def test_running_words_discount_link_text() -> None:
    soup = BeautifulSoup(
        "<div><p><a href='#'>one two three four</a> five six seven eight</p></div>", "lxml"
    )
    assert running_words(body_blocks([soup.div])) == 4


def test_collect_images_joins_caption_and_credit() -> None:
    soup = BeautifulSoup(
        "<article><figure><img data-src='/img/a.jpg' src='data:image/gif;base64,AA'>"
        "<figcaption><span>Caption.</span><span class='credit'>Credit</span></figcaption></figure>"
        "<figure><img srcset='/b-small.jpg 300w, /b.jpg 800w'></figure></article>",
        "lxml",
    )
    images, removed = collect_images(soup.article, "https://x.example/story/")
    assert [(i.src, i.caption) for i in images] == [
        ("https://x.example/img/a.jpg", "Caption. Credit"),
        ("https://x.example/b-small.jpg", None),
    ]
    assert [r.kind for r in removed] == ["caption"]


def test_deep_nesting_is_walked_without_recursion() -> None:
    html = "<body>" + "<div>" * 5000 + PARA * 3 + "</div>" * 5000 + "</body>"
    soup = BeautifulSoup(html, "lxml")
    assert len(body_blocks([soup.body])) >= 1


def test_an_embedded_post_does_not_vote_for_where_the_body_is() -> None:
    # Its many clauses would make the tweet's box a near rival of the body and pull it in.
    tweet = (
        "<blockquote class='twitter-tweet'><p>"
        + "A long quoted post, with commas, clauses, and more clauses, that runs on and on. " * 4
        + "</p>&mdash; Someone (@someone)</blockquote>"
    )
    body = (
        "<p>The first paragraph of the article, a sentence of its own here.</p>"
        "<p>The second paragraph of the article follows it.</p>"
    )
    html = (
        f"<html><body><div class='article'><div class='text'>{body}</div>"
        f"<div class='embed'>{tweet}</div></div></body></html>"
    )
    text = " ".join(block.text for block in body_blocks(main_content(parse(html))))
    assert text == (
        "The first paragraph of the article, a sentence of its own here. "
        "The second paragraph of the article follows it."
    )


def test_paragraph_divs_beside_the_body_join_it() -> None:
    rest = "".join(
        f"<p>Paragraph {n} of the rest, with clauses, commas, and enough words to weigh as much as a body's paragraph does.</p>"
        for n in range(12)
    )
    html = (
        "<html><body><div><div class='x'>The first paragraph of the story stands in a div of its own, before the rest.</div>"
        "<div class='y'>· 20.02.2024 · 3 Min.</div>"
        f"<div class='rest'>{rest}</div></div></body></html>"
    )
    text = " ".join(texts(html))
    assert "The first paragraph of the story" in text
    assert "3 Min." not in text


def test_a_chinese_sentence_beside_the_body_joins_it_as_an_english_one_does() -> None:
    """A short paragraph next to the body joins it when it ends as a sentence: the ideographic
    full stop (。) ends one as the Latin one does."""
    body = (
        "<p>经过半年的装修，老街上的这家书店于周六重新开业，店里的书架、灯光和座位都换了新的，门口还多了一块牌子。</p>"
        * 3
    )
    for closing, kept in (("开业当天，很多老顾客专门赶来买书。", True), ("返回列表", False)):
        html = f"<body><div><div class='content'>{body}</div><p>{closing}</p></div></body>"
        assert (closing in texts(html)) is kept, closing


def test_a_paragraph_div_of_japanese_reads_as_a_paragraph_by_its_words() -> None:
    """A <div> of text beside the body counts its words as a reader does (CJK characters in
    pairs), not as whitespace tokens: one sentence of Japanese is one token."""
    body = (
        "<p>駅前の再開発地区に新しい公園がオープンし、初日から多くの家族連れでにぎわった。市の担当者も喜んでいる。</p>"
        * 3
    )
    closing = "市の担当者は「駅を使う人が気軽に休める場所にしたい」と話している。"
    html = f"<body><div><div class='content'>{body}</div><div>{closing}</div></div></body>"
    assert closing in texts(html)


def test_a_paragraph_boxed_in_a_div_of_its_own_beside_the_body_joins_it() -> None:
    """A <div> holding one <p> and nothing else is judged as that paragraph: a sentence of
    running text joins the body; a box of links does not."""
    body = "<div class='story'>" + PARA * 4 + "</div>"
    closing = "The boat itself will be sold. Nobody has yet said to whom."
    links = "<div><p><a href='/a/1'>Lifeboat crew called out twice in one night</a></p></div>"
    html = f"<body><div>{body}<div><p>{closing}</p></div>{links}</div></body>"
    found = texts(html)
    assert closing in found
    assert not any("Lifeboat" in text for text in found)


def test_text_written_straight_into_body_is_the_body() -> None:
    """A page of bare text between <br>s, with no element around it: <body> is the body."""
    part = "I have kept bees at the bottom of the garden for eleven years now, and this spring all came through."
    html = f"<html><body>{part}<br><br>{part}<br><br>{part}</body></html>"
    assert texts(html) == [part] * 3


def test_loose_text_after_a_heading_is_a_paragraph_not_the_heading() -> None:
    """In "<h2>..</h2>Text<br>" the text after the heading is a paragraph of its own."""
    part = "The first swarm of the year came out on the ninth of May and settled in the plum tree, low down."
    html = f"<body><div><h2>Swarms</h2>{part}<br><br>{part}<br><br>{part}</div></body>"
    blocks, _ = trim_chrome(body_blocks(main_content(parse(html))))
    assert [(b.text, b.is_heading) for b in blocks] == [("Swarms", True)] + [(part, False)] * 3


def test_a_layout_row_does_not_win_with_its_menu_column() -> None:
    """A <td> holding a nested table is a column of the page: it votes with its own text only,
    so the body is the inner cell and not the row that also holds the menu column."""
    text = "The autumn show was our best for years, with forty-two entries in the vegetable classes alone.<br><br>"
    menu = "<td><font><a href='/'>Home</a><br><a href='/plots'>Plots</a><br><b>Next meeting:</b><br>Tuesday 7pm, in the hut</font></td>"
    html = (
        f"<body><table><tr>{menu}<td><table><tr><td><font>{text * 4}</font></td></tr></table>"
        "</td></tr></table></body>"
    )
    got = texts(html)
    assert len(got) == 4 and all(t.startswith("The autumn show") for t in got)


def test_short_chinese_paragraphs_vote_as_their_length_in_words_says() -> None:
    """Paragraphs of 20 Chinese characters say as much as 60 Latin ones: they are running text
    (each CJK character counts thrice against MIN_PARAGRAPH), not too short to vote."""
    lines = [
        "本周一，阳光小区新建的停车场正式投入使用。",
        "停车场共有三百个车位，其中五十个配有充电桩。",
    ]
    html = (
        "<body><div class='article'>" + "".join(f"<p>{t}</p>" for t in lines * 2) + "</div></body>"
    )
    assert texts(html) == lines * 2


# Without class names: the structure alone ties a body's parts together.
def paras(start: int, count: int) -> str:
    return "".join(
        f"<p>Paragraph {n} of the story, which is long enough to count, tells a part in detail.</p>"
        for n in range(start, start + count)
    )


def test_parts_in_builder_rows_join_without_class_names() -> None:
    rows = [paras(0, 3), paras(3, 6), paras(9, 3)]
    html = "<body><div><h1>Title</h1>" + "".join(f"<div><div>{row}</div></div>" for row in rows)
    html += "</div><div><a href='/'>Home</a></div></body>"
    assert len(texts(html)) == 12


def test_a_lone_line_beside_the_lifted_body_stays_out() -> None:
    line = "<div><p>This post may contain affiliate links, see our disclosure page.</p></div>"
    html = "<body><div><div><div>" + paras(0, 6) + "</div></div>" + line + "</div></body>"
    assert not any("affiliate" in text for text in texts(html))


def test_the_pages_main_wins_over_a_long_notice_outside_it() -> None:
    notice = (
        "<div><p>"
        + "We use cookies, tags, pixels, and similar tools, " * 6
        + "as most sites do.</p></div>"
    )
    parts = "<figure><img src='a.jpg'></figure>".join(paras(n, 2) for n in (0, 2, 4))
    html = "<body>" + notice + "<main><div>" + parts + "</div></main></body>"
    body = texts(html)
    assert len(body) == 6 and not any("cookies" in text for text in body)


def test_a_copy_of_the_story_beside_it_does_not_join() -> None:
    top = "<div><div>" + paras(0, 6) + "</div></div>"
    copy = "<div><div>" + paras(0, 2) + "</div></div>"
    html = "<body><div>" + top + copy + "</div></body>"
    assert sum(text.startswith("Paragraph 0 ") for text in texts(html)) == 1
