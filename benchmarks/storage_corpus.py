"""Many distinct articles made from the few real pages of the AEB data, for benchmarks/storage.py.

Each real page is a *template*: its markup, scripts and styles are kept as they are (pages of
one site share them, which is what zstd dictionaries exploit), and every run of 4 or more
words outside tags (the article and other running text) is replaced, per copy, by as many
words taken from a random place in a pool of all the pages' words. So copies differ in their
text the way two articles of one site do, and the text is no easier to compress than real
text (rather harder: it is spliced from many pages and languages). The copy's clean record is
the real page's record with each paragraph re-drawn the same way and its own URL and title.

Copy ``k`` is made from page ``k % len(pages)``, with a seed of ``k``: the same ``k`` always
gives the same bytes.
"""

import dataclasses
import gzip
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archive.errors import ArchiveError
from archive.extract import extract_article
from archive.records import ArticleRecord, Capture, Outcome

# Markup that stays: whole script and style elements, comments, tags.
_MARKUP = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>)", re.S | re.I)
MIN_WORDS = 4


@dataclass(frozen=True)
class Template:
    """One real page cut into markup and text slots, with its extracted record."""

    site: str
    parts: list[str]  # markup at odd indexes, text at even ones
    slots: list[tuple[int, int]]  # (index in parts, word count) of each replaced run
    record: ArticleRecord


def load_templates(data_dir: Path) -> tuple[list[Template], list[str]]:
    """Templates for the pages the parser makes an article of, and the word pool."""
    templates: list[Template] = []
    pool: list[str] = []
    for path in sorted((data_dir / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        url = _page_url(html) or f"https://{path.stem.split('.')[0]}.example/"
        try:
            record = extract_article(html, url)
        except ArchiveError:
            continue
        parts = _MARKUP.split(html)
        slots = []
        for index in range(0, len(parts), 2):
            words = parts[index].split()
            if len(words) >= MIN_WORDS:
                slots.append((index, len(words)))
                pool.extend(words)
        site = urlsplit(url).hostname or "bench.example"
        templates.append(Template(site, parts, slots, record))
    return templates, pool


def _page_url(html: str) -> str | None:
    found = re.search(r'<link[^>]+rel="canonical"[^>]+href="(https?://[^"]+)"', html)
    return found.group(1) if found else None


def _draw(rng: random.Random, pool: list[str], count: int) -> str:
    start = rng.randrange(max(len(pool) - count, 1))
    return " ".join(pool[start : start + count])


def make_copy(k: int, templates: list[Template], pool: list[str]) -> tuple[Capture, ArticleRecord]:
    """Copy ``k``: a capture with a distinct body and the matching clean record."""
    template = templates[k % len(templates)]
    rng = random.Random(k)
    parts = list(template.parts)
    for index, count in template.slots:
        parts[index] = _draw(rng, pool, count)
    body = "".join(parts).encode("utf-8")
    url = f"https://{template.site}/bench/{k}"
    paragraphs = template.record.text.split("\n\n")
    text = "\n\n".join(_draw(rng, pool, len(p.split())) for p in paragraphs)
    record = dataclasses.replace(
        template.record,
        url=url,
        canonical_url=None,
        title=f"{_draw(rng, pool, 8)} ({k})",
        text=text,
        word_count=len(text.split()),
    )
    capture = Capture(
        requested_url=url,
        fetched_at=f"2026-{1 + k % 12:02d}-{1 + k % 28:02d}T{k % 24:02d}:00:00+00:00",
        outcome=Outcome.ARTICLE,
        final_url=url,
        status=200,
        request_headers=[("User-Agent", "article-archiver/bench")],
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        content_type="text/html; charset=utf-8",
        body=body,
    )
    return capture, record


def copies(count: int, templates: list[Template], pool: list[str]) -> Iterator[tuple]:
    for k in range(count):
        yield make_copy(k, templates, pool)
