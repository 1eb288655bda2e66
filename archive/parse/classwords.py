"""What a tag's class and id say it is: the kinds of boilerplate their words name.

The boilerplate passes (``clean``) remove elements by these kinds; the body finder
(``content``) counts a kind against a candidate.
"""

import functools
import re

from bs4 import Tag

# Class and id words (split on "-", "_" and spaces) and the kind of boilerplate each marks.
# A word matches exactly, or as a prefix when it ends with "*".
CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "cookie banner": ("cookie*", "consent*", "gdpr", "cmp"),
    "newsletter sign-up": ("newsletter*", "signup", "subscribe*", "subscription*", "optin", "cta"),
    "ad": ("ad", "ads", "adv", "advert*", "adslot", "adunit", "dfp", "gpt", "sponsor*",
           "outbrain", "taboola", "commercial", "promo", "affiliate"),
    "share bar": ("share*", "sharing", "social*", "sharebar", "addthis", "sociallinks"),
    "related box": ("related*", "recommend*", "readmore", "recirc*", "teaser*", "outbrain",
                    "morestories", "alsoread"),
    "latest-from footer": ("latest", "trending", "popular", "mostread", "most"),
    "navigation": ("nav", "navbar", "navigation", "menu", "breadcrumb*", "sitemap*", "skip",
                   "pagination", "pager", "toolbar", "topbar"),
    "footer": ("footer", "foot", "copyright", "pied", "piedpage", "piede", "fuss", "fusszeile",
               "fussbereich", "rodape", "piepagina"),
    "comments": ("comment*", "disqus", "discussion", "respond", "forum*", "reactie*"),
    "sidebar": ("sidebar", "rail", "widget*", "aside"),
    "byline": ("byline", "author*", "auteur*", "autor*", "dateline"),
    "article meta": ("meta", "timestamp", "date", "tags", "tag", "keywords", "kicker",
                     "eyebrow", "overline"),
    "header": ("header", "masthead"),
    "hidden": ("hidden", "hide", "visually-hidden", "sr", "screen-reader*", "printonly",
               "noprint", "modal", "popup", "overlay"),
    # Players that read the article aloud, with their "Listen to this article" labels.
    "audio player": ("audio", "audioplayer", "readspeaker", "vorlesen*", "speechify"),
    # A wiki's "[edit]" links beside each heading (MediaWiki's "mw-editsection", DokuWiki's
    # "secedit"): tools for editors, and glued to the heading's text they corrupt it.
    "edit link": ("editsection", "secedit", "editlink", "sectionedit*"),
}  # fmt: skip
# Class words of embedded posts (tweets, Instagram) that quote a source inside the article.
EMBED_WORDS = frozenset({"embed", "embedded", "tweet", "instagram", "media"})
# Classes that the social networks' embed scripts look for: an embedded post (a tweet, an
# Instagram or TikTok post, a Facebook post). It quotes another voice, and what a reader of the
# article sees there is the network's widget, not the article: never the article's text.
EMBEDDED_POSTS = frozenset({
    "twitter-tweet", "twitter-video", "instagram-media", "tiktok-embed", "fb-post", "fb-video",
    "fb-xfbml-parse-ignore", "reddit-card", "reddit-embed-bq", "bluesky-embed", "threads-embed",
    "text-post-media",
})  # fmt: skip
# The embedded posts the article never keeps: those whose text is mostly the network's widget
# (a "View this post on Instagram" prompt, "A post shared by ...", a TikTok's sound credit).
# A tweet's text is a quotation the article reports (annotated benchmarks count it as body):
# it stays, and only its prompts go as labels (see ``lines.LABEL_LINE``).
REMOVED_EMBEDS = EMBEDDED_POSTS - {"twitter-tweet", "twitter-video"}
_SPLIT = re.compile(r"[^a-z0-9]+")
# Phrases with "hidden" that do not hide the element: "field-label-hidden" (Drupal marks every
# field so) hides its label, "overflow-hidden" (a CSS utility class) clips what overflows it.
_HIDDEN_LABEL = re.compile(r"\b(label|title|heading|overflow(-[xy])?)[-_]*(hidden|hide)\b")
# Layout words that name the sidebar beside an element, not the element: "main-with-right-
# sidebar", "has-sidebar", "no-sidebar" (the column that holds the body, or a page without one).
_BESIDE_SIDEBAR = re.compile(r"\b(with|has|no|without)[-_]+((left|right)[-_]+)?sidebars?\b")
# What only a printer shows ("print-only", "visible-print", "d-print-block") and what it leaves
# out ("d-print-none", "no-print": the site's own word that it is no article): one word for each,
# so that other print words ("print-step" of a recipe, "printable" article areas) name no kind.
_PRINT_ONLY = re.compile(
    r"\bprint[-_]?(only|header|footer|logo|url)\b|\b(visible|show)[-_]print\b|"
    r"\bd[-_]print[-_](block|inline|flex|table)"
)
_NOT_PRINTED = re.compile(r"\b(no|not|hide|hidden)[-_]?print\b|\bprint[-_]?(none|hide|hidden|no)\b")


def names_of(tag: Tag) -> str:
    """A tag's class and id as one lower-case string ("" for none)."""
    attrs = tag.attrs
    if not attrs:
        return ""
    value = attrs.get("class")
    names = " ".join(value) if isinstance(value, list) else value or ""
    ident = attrs.get("id")
    return f"{names} {ident}".lower() if isinstance(ident, str) else names.lower()


def _compile_words() -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
    compiled = []
    for kind, words in CLASS_WORDS.items():
        exact = frozenset(w for w in words if not w.endswith("*"))
        prefixes = tuple(w[:-1] for w in words if w.endswith("*"))
        compiled.append((kind, exact, prefixes))
    return compiled


_KINDS = _compile_words()
_NO_KIND = len(_KINDS)  # the index of no kind
_SHARE_BAR = next(index for index, (kind, _, _) in enumerate(_KINDS) if kind == "share bar")


def class_kind(tag: Tag) -> str | None:
    """The kind of boilerplate a tag's class or id names, if any (first kind listed wins).

    ``_kind_of_names(names_of(tag))``, judged from the class and the id apart: a page repeats
    its class strings, but every id is new, so a cache of whole "class id" strings misses on
    every tag with an id; each part's words are cached instead, and combined here.
    """
    attrs = tag.attrs
    if not attrs:
        return None
    value = attrs.get("class")
    classes = _part_words(" ".join(value) if isinstance(value, list) else value or "")
    ident = attrs.get("id")
    if not isinstance(ident, str):
        removed, embedded, first, first_beside_embed = classes
    else:
        own = _part_words(ident)
        removed, embedded = classes[0] or own[0], classes[1] or own[1]
        first, first_beside_embed = min(classes[2], own[2]), min(classes[3], own[3])
    if removed:
        return "embedded post"
    if embedded:  # an embedded post ("social-media-embed") is content, not a share bar
        first = first_beside_embed
    return _KINDS[first][0] if first < _NO_KIND else None


@functools.lru_cache(maxsize=4096)
def _part_words(part: str) -> tuple[bool, bool, int, int]:
    """What ``_kind_of_names`` reads from one part (a class string, or an id): whether it names
    a removed embedded post, whether it has an embed word, and the first kind its words name
    (``_word_kinds``: any, and other than the share bar). No pattern it uses spans the space
    that joins the class and the id, so the parts' answers combine into the whole's."""
    names = part.lower()
    removed = not REMOVED_EMBEDS.isdisjoint(names.split())
    words = _class_words(names)
    kinds = [_word_kinds(word) for word in words]
    return (
        removed,
        not words.isdisjoint(EMBED_WORDS),
        min((k[0] for k in kinds), default=_NO_KIND),
        min((k[1] for k in kinds), default=_NO_KIND),
    )


def _kind_of_names(names: str) -> str | None:
    """The kind a whole "class id" string names: the definition ``class_kind`` computes from
    the parts (tests/test_parse_fastpaths.py holds the two equal); the parser calls the parts."""
    if not REMOVED_EMBEDS.isdisjoint(names.split()):
        return "embedded post"
    words = _class_words(names)
    # An embedded post ("social-media-embed") is content, not a share bar.
    embedded = not words.isdisjoint(EMBED_WORDS)
    first = min((_word_kinds(word)[embedded] for word in words), default=_NO_KIND)
    return _KINDS[first][0] if first < _NO_KIND else None


# Utility-CSS variants (Tailwind's "lg:flex", "print:hidden", "empty:hidden",
# "[&_.teaser]:mb-0"): a style under a condition (a screen width, a state, the printer) or
# for other elements (the selector in brackets names the element's descendants). They name
# no kind of the element itself, except one: hidden from a small screen's width up, the
# element is not on the page a desktop reader sees (a mobile menu, a mobile copy of a header).
_VARIANT = re.compile(r"(?<!\S)(?:\S*\[\S*|[a-z0-9-]+:\S*)", re.I)
_HIDDEN_ON_DESKTOP = re.compile(r"(?:sm|md|lg|xl|2xl):hidden", re.I)


def _variant_word(match: re.Match[str]) -> str:
    return " hidden " if _HIDDEN_ON_DESKTOP.fullmatch(match.group()) else " "


def own_classes(tag: Tag) -> str:
    """A tag's class string without its utility-CSS variants: the names of the element itself
    (a body styled "[&_.image-caption]:mb-0" for its captions is no caption). "" for none."""
    value = tag.attrs.get("class") if tag.attrs else None
    if not value:
        return ""
    joined = " ".join(value) if isinstance(value, list) else value
    return _without_variants(joined) if ":" in joined or "[" in joined else joined


@functools.lru_cache(maxsize=4096)
def _without_variants(joined: str) -> str:
    return " ".join(_VARIANT.sub(_variant_word, joined).split())


def _class_words(names: str) -> set[str]:
    """The words of lower-case class names that can name a kind: phrases that name no kind
    of the element itself ("field-label-hidden", "main-with-right-sidebar", utility-CSS
    variants) taken out, and print phrases made one word each ("printonly", "noprint"). One
    place for both paths (whole strings and parts), so that a new phrase rule cannot reach
    only one of them."""
    if ":" in names or "[" in names:
        names = _without_variants(names)
    if "hid" in names:  # (both of the pattern's last words hold it: most names have neither)
        names = _HIDDEN_LABEL.sub(" ", names)
    if "sidebar" in names:
        names = _BESIDE_SIDEBAR.sub(" ", names)
    if "print" in names:
        names = _NOT_PRINTED.sub(" noprint ", _PRINT_ONLY.sub(" printonly ", names))
    return {w for w in _SPLIT.split(names) if w}


@functools.lru_cache(maxsize=16384)
def _word_kinds(word: str) -> tuple[int, int]:
    """The first kind (its index in _KINDS) one class word names, and the first other than
    the share bar; _NO_KIND for none.

    The first kind any word of a class string names is the string's kind: judged word by word,
    and words recur far more than whole class strings (which carry ids and unique names).
    """
    named = [
        index
        for index, (_, exact, prefixes) in enumerate(_KINDS)
        if word in exact or (prefixes and word.startswith(prefixes))
    ]
    first = named[0] if named else _NO_KIND
    return first, next((index for index in named if index != _SHARE_BAR), _NO_KIND)


def is_embedded_post(tag: Tag) -> bool:
    """True for the blockquote or div of a post embedded from a social network."""
    classes = tag.attrs.get("class")
    if not classes:
        return False
    if isinstance(classes, str):
        return _names_embedded_post(classes)
    return not EMBEDDED_POSTS.isdisjoint(classes)


@functools.lru_cache(maxsize=4096)
def _names_embedded_post(classes: str) -> bool:
    # Cached: a page repeats its few class strings hundreds of times.
    return not EMBEDDED_POSTS.isdisjoint(classes.split())
