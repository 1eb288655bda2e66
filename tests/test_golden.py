"""Golden pages: each ``tests/pages/<slug>/`` holds a page and the record it must give.

``source.html`` is the page; ``url.txt`` (optional) the address it is parsed as; and
``expected.json`` either the record minus volatile fields (``removed``), with an optional
``must_not_contain`` list of strings that may appear in none of text, title and description,
or ``{"error": "NotAnArticleError", "reason_contains": "..."}`` for a page that must raise,
with an optional ``metadata`` object of fields the refusal must carry (``title``, dates ...).
Beside a record, ``expected.md`` holds its ``markdown``; rendered by a CommonMark renderer it
must read back as the record's text.

Set ``ARCHIVE_REGEN_GOLDEN=1`` to rewrite the expected files from the parser's output (keeping
``must_not_contain``); read every regenerated diff before committing it.
"""

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

import archive.errors
from archive.extract import extract_article
from tests.markdown_roundtrip import rendered_text, same_words

PAGES = Path(__file__).parent / "pages"
SLUGS = sorted(p.name for p in PAGES.iterdir() if (p / "source.html").exists())
DATE_FIELDS = ("published_at", "modified_at")
REGEN = os.environ.get("ARCHIVE_REGEN_GOLDEN") == "1"


def _load(slug: str) -> tuple[str, str | None, dict]:
    folder = PAGES / slug
    html = (folder / "source.html").read_text(encoding="utf-8")
    url_file = folder / "url.txt"
    url = url_file.read_text(encoding="utf-8").strip() if url_file.exists() else None
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return html, url, expected


def _same_date(got: str | None, want: str | None) -> bool:
    """Dates compare as instants when both carry a time, else as the strings they are."""
    if got is None or want is None or "T" not in want:
        return got == want
    try:
        return datetime.fromisoformat(got) == datetime.fromisoformat(want)
    except ValueError:
        return False


def _regenerate(slug: str, record: dict, expected: dict) -> None:
    record.pop("removed", None)
    markdown = record.pop("markdown")
    (PAGES / slug / "expected.md").write_text(markdown + "\n", encoding="utf-8")
    if "must_not_contain" in expected:
        record["must_not_contain"] = expected["must_not_contain"]
    path = PAGES / slug / "expected.json"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize("slug", SLUGS)
def test_golden_page(slug: str) -> None:
    html, url, expected = _load(slug)
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
    if REGEN:
        _regenerate(slug, record, expected)
        return
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
    html, url, expected = _load(slug)
    if "error" in expected:
        pytest.skip("a page that must raise has no record")
    record = extract_article(html, url)
    assert same_words(rendered_text(record.markdown), record.text)


@pytest.mark.parametrize("slug", SLUGS)
def test_golden_page_leaves_out_boilerplate(slug: str) -> None:
    html, url, expected = _load(slug)
    if "error" in expected:
        pytest.skip("a page that must raise has no record")
    record = extract_article(html, url)
    for needle in expected.get("must_not_contain", []):
        for name in ("text", "title", "description"):
            assert needle not in (getattr(record, name) or ""), f"{needle!r} in {name}"
