"""Golden pages: each ``tests/pages/<slug>/`` holds a page, the URL it was served from and the
record it must give (the layout is described in ``tests/golden.py``).

``source.html`` is the page; ``url.txt`` (or the record's ``url``) the address it is parsed
as; and ``expected.json`` either the record minus volatile fields (``removed``), with an
optional ``must_not_contain`` list of strings that may appear in none of text, title and
description, or ``{"error": "NotAnArticleError", "reason_contains": "..."}`` for a page that
must raise, with an optional ``metadata`` object of fields the refusal must carry (``title``,
dates ...).
Beside a record, ``expected.md`` holds its ``markdown``; rendered by a CommonMark renderer it
must read back as the record's text. A page with figures may hold ``expected-images.md`` too:
its Markdown written with the body's images in place (``ExtractOptions(images=True)``).

The suite only reads these files. ``python tests/regen_golden.py [SLUG...]`` rewrites the
expected records from the parser's output, printing the diff of each; read every one before
committing it.
"""

from datetime import datetime

import pytest

import archive.errors
from archive.extract import ExtractOptions, extract_article
from tests.golden import IMAGES_MD, PAGES, is_web_address, load, slugs
from tests.markdown_roundtrip import rendered_text, same_words

SLUGS = slugs()
DATE_FIELDS = ("published_at", "modified_at")


def _same_date(got: str | None, want: str | None) -> bool:
    """Dates compare as instants when both carry a time, else as the strings they are."""
    if got is None or want is None or "T" not in want:
        return got == want
    try:
        return datetime.fromisoformat(got) == datetime.fromisoformat(want)
    except ValueError:
        return False


@pytest.mark.parametrize("slug", SLUGS)
def test_golden_page(slug: str) -> None:
    golden = load(slug)
    html, url, expected = golden.html, golden.url, golden.expected
    if "error" in expected:
        error = getattr(archive.errors, expected["error"])
        with pytest.raises(error) as caught:
            extract_article(html, url)
        assert expected.get("reason_contains", "") in caught.value.reason
        # A refused page still carries what it said about itself (title, dates ...).
        for name, want in expected.get("metadata", {}).items():
            assert getattr(caught.value, "metadata", {}).get(name) == want, f"{name} differs"
        return
    record = extract_article(html, url).to_dict()
    for name, want in expected.items():
        if name == "must_not_contain":
            continue
        got = record[name]
        if name in DATE_FIELDS:
            assert _same_date(got, want), f"{name}: {got!r} != {want!r}"
        else:
            assert got == want, f"{name} differs"
    markdown = (PAGES / slug / "expected.md").read_text(encoding="utf-8")
    assert record["markdown"] + "\n" == markdown, "markdown differs"


@pytest.mark.parametrize("slug", SLUGS)
def test_golden_markdown_reads_back_as_the_text(slug: str) -> None:
    golden = load(slug)
    if "error" in golden.expected:
        pytest.skip("a page that must raise has no record")
    record = extract_article(golden.html, golden.url)
    assert same_words(rendered_text(record.markdown), record.text)


@pytest.mark.parametrize("slug", SLUGS)
def test_golden_page_with_images_keeps_its_text(slug: str) -> None:
    """Images in the Markdown change nothing else: the same text, the same Markdown once the
    images and their captions are taken out."""
    golden = load(slug)
    if "error" in golden.expected:
        pytest.skip("a page that must raise has no record")
    plain = extract_article(golden.html, golden.url)
    with_images = extract_article(golden.html, golden.url, options=ExtractOptions(images=True))
    assert with_images.text == plain.text
    pinned = PAGES / slug / IMAGES_MD
    if pinned.exists():
        assert with_images.markdown + "\n" == pinned.read_text(encoding="utf-8")
        assert "![" in with_images.markdown
    else:  # a page with images in its body pins them (an empty expected-images.md, regenerated)
        assert with_images.markdown.count("![") == plain.markdown.count("!["), (
            f"{slug} has images in its body: pin them in {IMAGES_MD}"
        )


@pytest.mark.parametrize("slug", SLUGS)
def test_golden_page_leaves_out_boilerplate(slug: str) -> None:
    golden = load(slug)
    html, url, expected = golden.html, golden.url, golden.expected
    if "error" in expected:
        pytest.skip("a page that must raise has no record")
    record = extract_article(html, url)
    for needle in expected.get("must_not_contain", []):
        for name in ("text", "title", "description"):
            assert needle not in (getattr(record, name) or ""), f"{needle!r} in {name}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_golden_folder_carries_its_url(slug: str) -> None:
    golden = load(slug)
    assert is_web_address(golden.served_from), (
        f"tests/pages/{slug}: no http(s) URL in url.txt or in expected.json's url"
    )
    if golden.url is not None and "url" in golden.expected:
        # Parsed as that address, the record keeps it (or drops only its tracking parameters).
        assert golden.expected["url"].split("?")[0] == golden.url.split("?")[0]
