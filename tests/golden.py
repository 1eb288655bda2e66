"""The golden pages, as the test and the regeneration script read them.

Each ``tests/pages/<slug>/`` holds ``source.html`` (the page), ``expected.json`` and the URL
the page was served from: in ``url.txt`` (then the page is parsed as that address), or as the
``url`` of the expected record. ``expected.json`` is either the record minus volatile fields
(``removed``), with an optional ``must_not_contain`` list of strings that may appear in none of
text, title and description, or ``{"error": "NotAnArticleError", "reason_contains": "..."}``
for a page that must raise.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PAGES = Path(__file__).parent / "pages"
# Beside expected.md, a page may pin its Markdown written with images (ExtractOptions(images=True)).
IMAGES_MD = "expected-images.md"
# Record fields expected.json does not pin: the removals vary, the Markdown has its own file.
VOLATILE = ("removed", "markdown")


@dataclass(frozen=True)
class Golden:
    slug: str
    html: str
    url: str | None  # the address to parse the page as (url.txt), if the folder gives one
    expected: dict[str, Any]

    @property
    def served_from(self) -> str | None:
        """The page's URL: url.txt, else the expected record's."""
        return self.url or self.expected.get("url")


def slugs() -> list[str]:
    return sorted(p.name for p in PAGES.iterdir() if p.is_dir())


def load(slug: str) -> Golden:
    folder = PAGES / slug
    html = (folder / "source.html").read_text(encoding="utf-8")
    url_file = folder / "url.txt"
    url = url_file.read_text(encoding="utf-8").strip() if url_file.exists() else None
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return Golden(slug, html, url, expected)


def is_web_address(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# A page whose expected.json leaves out at least this many record fields pins a hand-picked
# subset (a class page pins its text, say): regeneration keeps to that subset. One that leaves
# out fewer pins the whole record and takes fields the record has gained since.
HAND_PICKED_GAP = 3


def expected_text(record: dict[str, Any], old: dict[str, Any]) -> str:
    """The expected.json for ``record``, keeping the hand-written ``must_not_contain`` and,
    on a page that pins a hand-picked subset of the record, keeping to that subset."""
    fields = [name for name in record if name not in VOLATILE]
    missing = [name for name in fields if name not in old]
    if old and len(missing) >= HAND_PICKED_GAP:
        fields = [name for name in old if name in record]  # in the page's own order
    pinned = {name: record[name] for name in fields}
    if "must_not_contain" in old:
        pinned["must_not_contain"] = old["must_not_contain"]
    return json.dumps(pinned, ensure_ascii=False, indent=2) + "\n"
