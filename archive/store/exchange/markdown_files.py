"""Articles as Markdown files: YAML front matter (title, authors, dates, url, site, tags), then
the body, one ``.md`` file per article, for static-site generators, notes and language-model
tools.

Every scalar of the front matter is written as a double-quoted string (JSON's string syntax is
YAML's), so a title with a colon, a date or "yes" stays the text it is. File names come from
the site and the URL's last path segment, made safe for any file system and unique within an
export (``-2``, ``-3`` ... in the order of the articles' ids, so they are stable).
"""

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from archive.errors import StorageError

# The front matter's keys, in order, and the article columns they come from.
FRONT_MATTER = (
    ("title", "title"),
    ("authors", "authors"),
    ("published_at", "published_at"),
    ("modified_at", "modified_at"),
    ("url", "url"),
    ("site", "site"),
    ("site_name", "site_name"),
    ("language", "language"),
    ("tags", "tags"),
)
MAX_SLUG = 80
# Line breaks that YAML 1.1 readers take as such even inside a quoted string.
_YAML_BREAKS = {"\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
_UNSAFE = re.compile(r"[^\w.-]+")
_EXTENSION = re.compile(r"\.(s?html?|php|aspx?|jsp)$", re.I)


def _quoted(value: str) -> str:
    text = json.dumps(value, ensure_ascii=False)
    for char, escape in _YAML_BREAKS.items():
        text = text.replace(char, escape)
    return text


def _values(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)  # a JSON column (authors, tags) as stored
        except ValueError:
            return value
    return value


def front_matter(article: Mapping[str, Any]) -> str:
    """The article's YAML front matter, between ``---`` lines; empty fields left out."""
    lines = ["---"]
    for key, column in FRONT_MATTER:
        value = _values(article.get(column))
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_quoted(str(item)) for item in value)}]")
        else:
            lines.append(f"{key}: {_quoted(str(value))}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def body_markdown(article: Mapping[str, Any]) -> tuple[str, bool]:
    """The article's Markdown, and False when it had none (stored before the archive kept
    Markdown): then its text, each paragraph escaped, stands in."""
    markdown = article.get("markdown")
    if markdown:
        return str(markdown), True
    # Imported here: storage sits below the parser, and only this fallback needs it.
    from archive.parse.markdown.inline import plain_markdown

    paragraphs = str(article.get("text") or "").split("\n\n")
    return "\n\n".join(plain_markdown(p) for p in paragraphs if p.strip()), False


def markdown_document(article: Mapping[str, Any]) -> tuple[str, bool]:
    """Front matter, a blank line, the body; and whether the body is the stored Markdown."""
    body, stored = body_markdown(article)
    return f"{front_matter(article)}\n{body}\n", stored


def slug(url: str) -> str:
    """The URL's last path segment, decoded and made safe for a file name ("index" if none)."""
    path = unquote(urlsplit(url).path)
    segments = [s for s in path.split("/") if s]
    last = _EXTENSION.sub("", segments[-1]) if segments else "index"
    text = unicodedata.normalize("NFC", last).lower()
    text = _UNSAFE.sub("-", text).strip("-._")[:MAX_SLUG].strip("-._")
    return text or "index"


def file_names(articles: Iterable[Mapping[str, Any]]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each article with its unique file name: ``<site>_<slug>.md``."""
    taken: set[str] = set()
    for article in articles:
        site = _UNSAFE.sub("-", str(article.get("site") or "unknown-site")).strip("-.") or "site"
        stem = f"{site}_{slug(str(article.get('url') or ''))}"
        name, number = f"{stem}.md", 1
        while name.lower() in taken:  # case-insensitive file systems too
            number += 1
            name = f"{stem}-{number}.md"
        taken.add(name.lower())
        yield name, article


def write_markdown_files(
    articles: Iterable[Mapping[str, Any]], folder: str | Path
) -> tuple[int, int]:
    """One ``.md`` file per article in ``folder`` (made if missing); the number written, and
    how many of them had no stored Markdown (their text stands in)."""
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        raise StorageError("is not a folder", subject=str(folder)) from error
    except OSError as error:
        raise StorageError(
            f"cannot make the folder ({error.strerror})", subject=str(folder)
        ) from error
    count = without = 0
    for name, article in file_names(articles):
        document, stored = markdown_document(article)
        try:
            (target / name).write_text(document, encoding="utf-8")
        except OSError as error:
            reason = f"cannot write {name} ({error.strerror})"
            raise StorageError(reason, subject=str(folder)) from error
        count += 1
        without += not stored
    return count, without
