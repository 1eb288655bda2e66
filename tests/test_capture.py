"""archive.capture: the one step from a captured body to an outcome and a record.

Decoding order (BOM, transport encoding, Content-Type charset, the page's own declaration,
then a guess), the same text as Scrapy's ``response.text`` for the same body and header, the
content-type gate, and every failure mapped to the crawl's outcome and reason.
"""

import codecs

import pytest
from scrapy.http import HtmlResponse

from archive.capture import Extraction, extract_capture, page_text, with_extraction
from archive.records import Capture, Outcome

URL = "https://example.org/news/bridge.html"
TITLE = "Мост через гавань"
PARAGRAPH = (
    "Городской совет проголосовал за строительство нового моста через гавань после долгих"
    " споров о цене, сроках и о том, кто будет платить за ремонт старой набережной."
)


def page(title: str = TITLE, head: str = "", paragraphs: int = 4) -> str:
    body = "".join(f"<p>{PARAGRAPH} Абзац {n}.</p>" for n in range(paragraphs))
    return (
        f"<html><head>{head}<title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


# -- decoding order ---------------------------------------------------------------------------


def test_the_header_charset_decodes_a_page_that_declares_nothing() -> None:
    body = page().encode("cp1251")
    assert page_text(body, "text/html; charset=windows-1251") == page()


def test_the_page_declaration_is_used_when_the_header_names_no_charset() -> None:
    html = page(head='<meta charset="windows-1251">')
    assert page_text(html.encode("cp1251"), "text/html") == html
    equiv = page(head='<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">')
    assert page_text(equiv.encode("koi8-r"), None) == equiv


def test_the_header_beats_the_pages_own_declaration() -> None:
    # A page that says latin-1 but is served (and written) as windows-1251: the header wins.
    html = page(head='<meta charset="iso-8859-1">')
    assert page_text(html.encode("cp1251"), "text/html; charset=windows-1251") == html


def test_a_bom_beats_the_header_and_the_declaration() -> None:
    html = page(head='<meta charset="windows-1251">')
    body = codecs.BOM_UTF8 + html.encode("utf-8")
    assert page_text(body, "text/html; charset=iso-8859-7") == html
    utf16 = html.encode("utf-16")  # with its BOM (little-endian here)
    assert page_text(utf16, "text/html; charset=windows-1251") == html


def test_the_transport_encoding_beats_the_header_but_not_a_bom() -> None:
    html = page()
    assert page_text(html.encode("cp1251"), "text/html; charset=utf-8", "cp1251") == html
    body = codecs.BOM_UTF8 + html.encode("utf-8")
    assert page_text(body, "text/html", "cp1251") == html


def test_utf16_named_only_in_the_header_without_a_bom() -> None:
    html = page()
    assert page_text(html.encode("utf-16-be"), "text/html; charset=utf-16") == html


@pytest.mark.parametrize(
    ("html", "encoding", "content_type"),
    [
        (page(), "cp1251", "text/html; charset=windows-1251"),
        (page(), "cp1251", "text/html"),  # declares nothing: both guess
        (page(head='<meta charset="windows-1251">'), "cp1251", "text/html"),
        (page(), "utf-8", "text/html"),
        (page(), "utf-16", "text/html; charset=utf-16"),
        (page(), "iso-8859-5", "text/html; charset=iso-8859-5"),
        (page(head='<meta charset="koi8-r">'), "koi8-r", "text/html; charset=nonsense"),
    ],
)
def test_a_stored_body_decodes_to_scrapys_response_text(
    html: str, encoding: str, content_type: str
) -> None:
    """Re-extraction has no transport encoding: from the body and its Content-Type alone it
    must reach the text the crawl parsed (Scrapy's response.text)."""
    body = html.encode(encoding)
    response = HtmlResponse(URL, body=body, headers={"Content-Type": content_type})
    assert page_text(body, content_type) == response.text
    assert page_text(body, content_type, response.encoding) == response.text


def test_a_body_with_no_type_and_control_bytes_stays_bytes() -> None:
    body = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert page_text(body, None) == body


# -- outcomes ---------------------------------------------------------------------------------


def test_an_article_from_header_charset_bytes() -> None:
    done = extract_capture(page().encode("cp1251"), "text/html; charset=windows-1251", URL)
    assert done.outcome == Outcome.ARTICLE and done.reason is None
    assert done.record is not None and done.record.title == TITLE
    assert PARAGRAPH in done.record.text


def test_a_declared_non_html_type_is_not_parsed() -> None:
    done = extract_capture(page().encode(), "application/pdf; qs=0.9", URL)
    assert done == Extraction(Outcome.NOT_HTML, None, "not HTML: the server sent application/pdf")


@pytest.mark.parametrize(
    ("body", "content_type", "outcome", "reason"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\n1 0 obj", None, Outcome.NOT_HTML, "not HTML: a PDF document"),
        (b"   \n", "text/html", Outcome.NOT_HTML, "empty document"),
        (b"just words, no markup", "text/html", Outcome.NOT_HTML, "not HTML: no HTML tags"),
        (
            b"<html><body><p>Too short.</p></body></html>",
            "text/html",
            Outcome.NOT_ARTICLE,
            "not an article: no running text found",
        ),
    ],
)
def test_each_failure_has_the_crawls_outcome_and_reason(
    body: bytes, content_type: str | None, outcome: str, reason: str
) -> None:
    assert extract_capture(body, content_type, URL) == Extraction(outcome, None, reason)


def test_an_unknown_transport_encoding_falls_back_to_the_header() -> None:
    body = page().encode("cp1251")
    done = extract_capture(body, "text/html; charset=windows-1251", URL, encoding="no-such")
    assert done.record is not None and done.record.title == TITLE


def test_bytes_in_no_encoding_at_all_are_not_html() -> None:
    noise = bytes(range(256)) * 40
    done = extract_capture(noise, "text/html", URL)
    assert done == Extraction(Outcome.NOT_HTML, None, "not HTML: binary data")


def test_an_imported_capture_gets_its_record_or_its_reason() -> None:
    capture = Capture(
        requested_url=URL,
        fetched_at="2026-12-01T10:00:00+00:00",
        outcome=Outcome.ARTICLE,
        status=200,
        content_type="text/html; charset=windows-1251",
        body=page().encode("cp1251"),
    )
    kept, record = with_extraction(capture)
    assert kept is capture and record is not None and record.title == TITLE
    short = Capture(
        requested_url=URL,
        fetched_at="2026-12-01T10:00:00+00:00",
        outcome=Outcome.ARTICLE,
        content_type="text/html",
        body=b"<html><body><p>Too short.</p></body></html>",
    )
    failed, none = with_extraction(short)
    assert none is None and failed.outcome == Outcome.NOT_ARTICLE
    assert failed.error == "not an article: no running text found"
    gone = Capture(requested_url=URL, fetched_at="2026-12-01T10:00:00+00:00", outcome="http-error")
    assert with_extraction(gone) == (gone, None)
