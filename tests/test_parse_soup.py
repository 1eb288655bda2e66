import pytest

from archive.errors import NotHTMLError
from archive.parse.tree.soup import MAX_CHARS, decode, parse, prune, squeeze


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty document"),
        (b"   \n ", "empty document"),
        (b"%PDF-1.7\n1 0 obj", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"\x1f\x8b\x08\x00", "gzip-compressed data"),
    ],
)
def test_decode_rejects_binary_and_empty_input(data: bytes, reason: str) -> None:
    with pytest.raises(NotHTMLError, match=reason):
        decode(data)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "<p>café</p>"),
        (b'<meta charset="iso-8859-1"><p>caf\xe9</p>', '<meta charset="iso-8859-1"><p>café</p>'),
        (b"<p>caf\xc3\xa9</p>", "<p>café</p>"),
        (b"<p>caf\xe9</p>", "<p>café</p>"),
        (b'<meta charset="no-such-charset"><p>caf\xc3\xa9</p>', "café"),
    ],
)
def test_decode_finds_the_charset(data: bytes, text: str) -> None:
    assert text in decode(data)


@pytest.mark.parametrize(
    "html",
    ["", "   ", "just words, no markup at all", "\x00\x01\x02\x03" * 100, "%PDF-1.4 obj"],
)
def test_parse_rejects_text_that_is_not_html(html: str) -> None:
    with pytest.raises(NotHTMLError):
        parse(html)


def test_prune_drops_scripts_styles_svg_and_comments_but_keeps_json_ld() -> None:
    html = (
        '<head><script type="application/ld+json">{"a": 1}</script>'
        "<script>var x = '<p>not text</p>';</script><style>p{}</style></head>"
        "<body><!-- a comment --><p>kept</p><svg><text>drawing</text></svg><p>also</p></body>"
    )
    pruned, json_ld = prune(html)
    assert json_ld == ['{"a": 1}']
    for gone in ("var x", "p{}", "a comment", "drawing"):
        assert gone not in pruned
    assert "<p>kept</p>" in pruned and "<p>also</p>" in pruned


def test_prune_survives_unclosed_scripts_in_linear_time() -> None:
    pruned, _ = prune("<p>before</p>" + "<script>" * 50_000)
    assert pruned == "<p>before</p>"


def test_parse_cuts_huge_pages() -> None:
    doc = parse("<html><body>" + "<p>word word word</p>" * (MAX_CHARS // 10) + "</body></html>")
    assert len(doc.soup.find_all("p")) < MAX_CHARS // 18


@pytest.mark.parametrize(
    ("markup", "squeezed"),
    [
        ("<div>\n  <p>a</p>\n</div>", "<div><p>a</p></div>"),
        ("<li>\n <a href='/'>x</a>\n</li>", "<li><a href='/'>x</a></li>"),
        ("<p><em>one</em> <strong>two</strong></p>", "<p><em>one</em> <strong>two</strong></p>"),
        ("<p>word <img src='a.png'> word</p>", "<p>word <img src='a.png'> word</p>"),
        (
            '<link rel="stylesheet" href="a.css"><link rel="canonical" href="/c">',
            '<link rel="canonical" href="/c">',
        ),
    ],
)
def test_squeeze_drops_only_whitespace_beside_block_tags(markup: str, squeezed: str) -> None:
    assert squeeze(markup) == squeezed


def test_a_self_closed_svg_or_iframe_takes_no_text_with_it() -> None:
    markup = "<p>a<svg class=icon/>b</p><p>keep me</p><iframe src=x />c<svg><path/></svg>d"
    assert prune(markup)[0] == "<p>ab</p><p>keep me</p>cd"


def test_the_builder_keeps_attributes_and_entities_as_bs4_does() -> None:
    doc = parse('<html xml:lang="de"><body><p class="a b" id=x data-n="1">x &amp; y</p></body>')
    para = doc.soup.p
    assert para.attrs == {"class": "a b", "id": "x", "data-n": "1"}
    assert doc.soup.html.attrs == {"xml:lang": "de"}
    assert para.get_text() == "x & y"
    assert doc.soup.select("p.b") == [para]


def test_xhtml_declaration_parses_without_a_warning() -> None:
    # pytest runs with warnings as errors: BeautifulSoup's XMLParsedAsHTMLWarning would fail here.
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 '
        'Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns='
        '"http://www.w3.org/1999/xhtml"><head><title>T</title></head><body><p>Hello</p></body></html>'
    )
    doc = parse(page)
    assert [p.get_text() for p in doc.tags("p")] == ["Hello"]
