"""Article metadata: JSON-LD first, then OpenGraph/Twitter, then other <meta>, then the page.

Each field has one small helper that walks its own fallback chain, so the order for a field can
be read in one place.
"""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import Tag

from archive.parse.meta import jsonld
from archive.parse.meta.authors import authors
from archive.parse.meta.dates import date_from_text, date_from_url, normalize_date
from archive.parse.meta.localday import local_day
from archive.parse.meta.pagedates import ShownDates, first_written, shown_dates
from archive.parse.meta.titles import best_title, unescape
from archive.parse.text import clean_inline
from archive.parse.tree.soup import Document
from archive.urls import resolve_url

log = logging.getLogger(__name__)

_LANG_TAG = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*")


@dataclass
class Metadata:
    """Everything but the body: read from the head, JSON-LD and the page's byline."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: str | None = None
    modified_at: str | None = None
    site_name: str | None = None
    language: str | None = None
    description: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    # Where each date and the authors were found: see SOURCES.
    published_from: str | None = None
    modified_from: str | None = None
    authors_from: str | None = None
    # The page says it is an article (a JSON-LD article node, or og:type "article"): a short
    # text among teaser cards is then a brief, not a teaser list.
    is_article_type: bool = False


# The names of the places a date or the authors can come from, as records report them.
JSON_LD, META, TIME, URL, TEXT, BYLINE, RULE = (
    "json-ld",
    "meta",
    "time",
    "url",
    "text",
    "byline",
    "rule",
)
SOURCES = (JSON_LD, META, TIME, URL, TEXT, BYLINE, RULE)


class Sources:
    """The page's metadata sources, indexed once: JSON-LD objects and <meta> values by key."""

    def __init__(self, doc: Document, url: str | None) -> None:
        self.doc = doc
        json_ld = doc.json_ld
        self.url = url
        self.objects = jsonld.objects(json_ld)
        self.by_id = {o["@id"]: o for o in self.objects if isinstance(o.get("@id"), str)}
        self.article = next((o for o in self.objects if jsonld.is_article(o)), None)
        # Objects that may speak for the page when its article object is silent (a Yoast
        # graph's WebPage carries datePublished and author; a video page has no article).
        self.page_objects = [o for o in self.objects if jsonld.is_page_level(o)]
        self._shown: ShownDates | None = None
        self.language: str | None = None
        self.language_tag: str | None = None  # with its region, for the order of dates
        self.title: str | None = None
        self.meta: dict[str, list[str]] = {}
        for tag in doc.tags("meta"):
            get = tag.attrs.get  # ``tag.get``, without its call: a page has hundreds of <meta>
            key = get("property") or get("name") or get("itemprop") or get("http-equiv")
            value = get("content")
            if isinstance(key, str) and isinstance(value, str) and value.strip():
                self.meta.setdefault(key.strip().lower(), []).append(value.strip())

    def ld(self, key: str) -> Any:
        """A field of the page's article object, ``{"@id": ...}`` references resolved."""
        value = self.article.get(key) if self.article else None
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return self.resolve(value)

    def ld_page(self, key: str) -> Any:
        """``ld(key)``, else the first other page-level object's (a WebPage's, a video's)."""
        found = self.ld(key)
        if found:
            return found
        for obj in self.page_objects:
            if obj is not self.article and obj.get(key):
                value = obj[key]
                return (
                    [self.resolve(v) for v in value]
                    if isinstance(value, list)
                    else (self.resolve(value))
                )
        return None

    def shown(self) -> ShownDates:
        """The dates the page shows (read once, on first use)."""
        if self._shown is None:
            self._shown = shown_dates(self.doc, self.language_tag, self.title)
        return self._shown

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.by_id.get(value["@id"])
        return value

    def first(self, *keys: str) -> str | None:
        for key in keys:
            values = self.meta.get(key)
            if values:
                return clean_inline(values[0]) or None
        return None


def _name(value: Any) -> str | None:
    """The name in a JSON-LD value that is a string or an object with a name."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str):
        return clean_inline(unescape(value)) or None
    return None


def _url_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value.strip() if isinstance(value, str) and value.strip() else None


def site_name(src: Sources) -> str | None:
    publisher = _name(src.ld("publisher"))
    return (
        src.first("og:site_name")
        or publisher
        or next((_name(o) for o in src.objects if "website" in jsonld.types(o)), None)
        or src.first("application-name", "twitter:site")
    )


def title(src: Sources, site: str | None) -> str | None:
    """The title the page agrees on (see ``titles.best_title``)."""
    others = [src.first(key) for key in ("twitter:title", "title", "dc.title", "headline")]
    h1 = _first_text(src.doc, "h1")
    return best_title(
        _name(src.ld("headline")) or _name(src.ld("name")) if src.article else None,
        src.first("og:title"),
        others,
        h1,
        _first_text(src.doc, "title"),
        site,
        urlsplit(src.url).hostname if src.url else None,
        None if h1 else _first_text(src.doc, "h2"),
        len(src.doc.tags("h1")),
    )


def _first_text(doc: Document, name: str) -> str | None:
    """The text of the page's first element of this name (its <h1>, its <title>)."""
    tags = doc.tags(name)
    return clean_inline(tags[0].get_text(" ")) or None if tags else None


def description(src: Sources) -> str | None:
    found = src.ld("description")
    if isinstance(found, str) and clean_inline(found):
        return clean_inline(unescape(found))
    return src.first("og:description", "twitter:description", "description", "dc.description")


def image(src: Sources) -> str | None:
    found = _url_of(src.ld("image")) or src.first(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    return resolve_url(src.url, found) if found else None


def _rel(tag: Tag) -> list[str]:
    rel = tag.get("rel")
    return [r.lower() for r in rel] if isinstance(rel, list) else str(rel or "").lower().split()


def canonical_url(src: Sources) -> str | None:
    links = [t for t in src.doc.tags("link") if "canonical" in _rel(t) and t.get("href")]
    found = str(links[0]["href"]).strip() if links else None
    found = found or src.first("og:url") or _url_of(src.ld("mainEntityOfPage"))
    if not found:
        return None
    return resolve_url(src.url, found)


def language_tag(src: Sources) -> str | None:
    """The page's language tag with its region where the page gives one ("en-GB"): the
    region decides how it writes "01/02/2022". A bare "en" takes og:locale's region."""
    htmls = src.doc.tags("html")
    lang = htmls[0].get("lang") or htmls[0].get("xml:lang") if htmls else None
    lang = lang or src.first("content-language", "og:locale", "dc.language", "language")
    lang = lang or (src.ld("inLanguage") if isinstance(src.ld("inLanguage"), str) else None)
    if not isinstance(lang, str):
        return None
    lang = lang.strip().split(",")[0].strip()
    if not _LANG_TAG.fullmatch(lang):
        return None
    locale = src.first("og:locale") if "-" not in lang and "_" not in lang else None
    if locale and _LANG_TAG.fullmatch(locale) and _primary(locale) == lang.lower():
        return locale
    return lang


def language(src: Sources, tag: str | None) -> str | None:
    """The page's language, as its primary subtag ("en")."""
    return _primary(tag) if tag else None


def _primary(tag: str) -> str:
    return re.split(r"[-_]", tag)[0].lower()


def tags(src: Sources) -> list[str]:
    keywords = src.ld("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    found = [k for k in keywords if isinstance(k, str)] if isinstance(keywords, list) else []
    if not found:
        found = list(src.meta.get("article:tag", []))
    if not found:
        news = src.first("news_keywords", "keywords")
        found = news.split(",") if news else []
    return _unique(clean_inline(k) for k in found)


def _unique(items: Any) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        if item and item.lower() not in seen:
            seen[item.lower()] = item
    return list(seen.values())


_PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "article:published", "datepublished", "pubdate", "publishdate", "publish-date",
    "publish_date", "publication_date", "publication-date", "date", "dc.date", "dc.date.issued",
    "dc.date.created", "dcterms.created", "dcterms.issued", "dcterms.date", "citation_date",
    "citation_publication_date", "parsely-pub-date", "sailthru.date", "article.published",
    "originalpublicationdate", "uploaddate", "created",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "last-modified",
    "dcterms.modified",
)  # fmt: skip


def published_at(src: Sources) -> tuple[str | None, str | None]:
    """The publication date and its source: the first of a cascade of evidence (lazily).

    Metadata first (the article's JSON-LD, then <meta>, then other page-level JSON-LD; a
    <meta> date under a generic name only if the page shows no other day); then the date the
    page shows by its headline or byline; then the date in its URL; then the first date it
    shows anywhere outside comments, sidebars and teasers. A UTC stamp is then checked
    against the page's local day (``localday.local_day``).
    """
    chain = (
        (JSON_LD, lambda: normalize_date(src.ld("datePublished"))),
        (JSON_LD, lambda: normalize_date(src.ld("dateCreated"))),
        (META, lambda: _meta_published(src)),
        (JSON_LD, lambda: normalize_date(src.ld_page("datePublished"))),
        (JSON_LD, lambda: normalize_date(src.ld_page("uploadDate"))),
        (SHOWN, lambda: _shown(src, src.shown().near())),
        (URL, lambda: date_from_url(src.url)),
        (SHOWN, lambda: _shown(src, src.shown().first())),
        (TEXT, lambda: first_written(src.doc, src.language_tag)),
    )
    for source, read in chain:
        found = read()
        if isinstance(found, tuple):
            found, source = found
        if found:
            if source == JSON_LD:
                found, source = _second_opinion(src, found)
            return local_day(found, source, _stamps(src), src.url, _time_words(src))
    return None, None


def _second_opinion(src: Sources, ld_date: str) -> tuple[str, str]:
    """A JSON-LD date that <meta> contradicts gives way when the page's own evidence (the day
    shown by its headline, else its URL's) sides with the <meta> date: templates fill one of
    the two from another field (a first draft's date, an import's)."""
    meta_date = _meta_date(src, *_PUBLISHED_META)
    if not meta_date or meta_date[:10] == ld_date[:10]:
        return ld_date, JSON_LD
    near = src.shown().near()
    witness = near.value[:10] if near else date_from_url(src.url)
    return (meta_date, META) if witness == meta_date[:10] else (ld_date, JSON_LD)


SHOWN = "shown"  # a placeholder in the chain: a shown date names its own source

# <meta> names that say only "a date", not which: Dublin Core's date is that of any event in
# the resource's life (a record's creation, a revision, a print issue), so it is no better
# evidence of the publication than the day the page itself shows.
_GENERIC_META = frozenset(("date", "dc.date", "dcterms.date"))


def _meta_published(src: Sources) -> tuple[str, str] | None:
    """The first publication date in <meta>; one under a generic name gives way to another
    day the page shows (by its headline, else in its first element marked as a date)."""
    for key in _PUBLISHED_META:
        for value in src.meta.get(key, []):
            found = normalize_date(value)
            if found:
                return _shown_over(src, found) if key in _GENERIC_META else (found, META)
    return None


def _shown_over(src: Sources, meta_date: str) -> tuple[str, str]:
    shown = src.shown().near() or src.shown().first()
    if shown is None or shown.update or shown.value[:10] == meta_date[:10]:
        return meta_date, META
    return _shown(src, shown) or (meta_date, META)


def _shown(src: Sources, shown: Any) -> tuple[str, str] | None:
    """A shown date as (value, source); a date in words gives way to a <time> of its day."""
    if shown is None:
        return None
    if shown.source == TEXT:
        richer = src.shown().same_day(shown.value[:10])
        if richer is not None:
            return richer.value, TIME
    return shown.value, shown.source


def _stamps(src: Sources) -> list[str]:
    """Full stamps other places give: <meta> values and the first <time> elements."""
    found = [normalize_date(v) for key in _PUBLISHED_META for v in src.meta.get(key, [])]
    found += [normalize_date(t.get("datetime")) for t in src.doc.tags("time")[:_MAX_TIMES]]
    return [f for f in found if f and "T" in f]


def _time_words(src: Sources) -> Iterator[tuple[str, str]]:
    """(stamp, day) of the first <time> elements that say their day in words beside a full
    stamp (read lazily: only for a UTC stamp that nothing else placed)."""
    for tag in src.doc.tags("time")[:_MAX_TIMES]:
        stamp = normalize_date(tag.get("datetime"))
        if stamp and "T" in stamp:
            day = date_from_text(clean_inline(tag.get_text(" "))[:_MAX_TIME_WORDS])
            if day:
                yield stamp, day


# Characters of a <time>'s text read for its day: a date line, not a paragraph.
_MAX_TIME_WORDS = 80
# <time> elements read for a local stamp: the page's own is among the first.
_MAX_TIMES = 10


def modified_at(src: Sources) -> tuple[str | None, str | None]:
    """The last-modified date and its source: JSON-LD, then meta tags."""
    found = normalize_date(src.ld_page("dateModified"))
    if found:
        return found, JSON_LD
    found = _meta_date(src, *_MODIFIED_META)
    return (found, META) if found else (None, None)


def _meta_date(src: Sources, *keys: str) -> str | None:
    for key in keys:
        for value in src.meta.get(key, []):
            found = normalize_date(value)
            if found:
                return found
    return None


def read_metadata(doc: Document, url: str | None) -> Metadata:
    """Every metadata field of the page, each from the first source that gives it."""
    src = Sources(doc, url)
    src.language_tag = language_tag(src)
    src.language = language(src, src.language_tag)
    site = site_name(src)
    src.title = title(src, site)
    # The article's JSON-LD author first; another page-level node's (a Yoast WebPage's, often
    # the account that posted) only after the author <meta> tags.
    page_author = None if src.ld("author") else src.ld_page("author")
    host = urlsplit(url).hostname if url else None
    names, authors_from = authors(src.ld("author"), src.meta, doc, site, page_author, host)
    published, published_from = published_at(src)
    modified, modified_from = modified_at(src)
    return Metadata(
        title=src.title,
        authors=names,
        published_at=published,
        modified_at=modified,
        site_name=site,
        language=src.language,
        description=description(src),
        image=image(src),
        tags=tags(src),
        canonical_url=canonical_url(src),
        published_from=published_from,
        modified_from=modified_from,
        authors_from=authors_from if names else None,
        is_article_type=src.article is not None or src.first("og:type") == "article",
    )
