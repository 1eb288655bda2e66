"""JSON-LD as pages really write it: lenient parsing, ``@graph`` flattening, schema.org types.

Pages hand-write or template their JSON-LD, so a block is often almost JSON: a trailing comma
after the last member, a raw line break inside a string, an HTML comment or CDATA wrapper
around it, a stray brace after it. Such a block is repaired and read rather than dropped whole.
"""

import json
import logging
import re
from typing import Any

log = logging.getLogger(__name__)

_DECODER = json.JSONDecoder(strict=False)

# A comma that closes nothing: "[1, 2,]" or '{"a": 1, }'.
# What comes before a type's own name in "https://schema.org/NewsArticle", "schema:Article".
_TYPE_PARTS = re.compile(r"[/#:]")
_TRAILING_COMMA = re.compile(r",\s*(?=[}\]])")
_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")

# Types whose object is the page's article (after ``article_type`` lowers and cuts a URL).
_ARTICLE_LIKE = {
    "blogposting", "liveblogposting", "socialmediaposting", "discussionforumposting", "posting",
    "report", "recipe", "review", "newsarticle", "creativework", "qapage", "howto",
}  # fmt: skip
# Types that describe the site, a party or a part of the page, never the article itself.
_NOT_THE_PAGE = {
    "website", "organization", "newsmediaorganization", "corporation", "person", "imageobject",
    "breadcrumblist", "listitem", "searchaction", "sitenavigationelement", "wpheader",
    "wpfooter", "wpsidebar", "itemlist", "place", "postaladdress", "contactpoint", "offer",
    "aggregaterating", "rating", "comment", "answer", "question", "event",
}  # fmt: skip


def loads(block: str) -> Any:
    """One JSON-LD block read leniently; None when even the repaired text is no JSON."""
    text = _WRAPPERS.sub("", block.strip()).strip().rstrip(";").strip()
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    repaired = _TRAILING_COMMA.sub("", text)
    try:
        # The first whole value, junk after it ignored (a stray closing brace, a second block).
        return _DECODER.raw_decode(repaired)[0]
    except ValueError:
        log.debug("unreadable JSON-LD block skipped")
        return None


def objects(blocks: list[str]) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, in order: top-level lists and ``@graph`` flattened."""
    found: list[dict[str, Any]] = []
    for block in blocks:
        data = loads(block)
        stack = data if isinstance(data, list) else [data]
        for item in stack:
            if not isinstance(item, dict):
                continue
            found.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                found.extend(g for g in graph if isinstance(g, dict))
            elif isinstance(graph, dict):
                found.append(graph)
    return found


def types(obj: dict[str, Any]) -> set[str]:
    """The object's types, lower case, full URLs cut to their last part
    (``https://schema.org/NewsArticle`` gives ``newsarticle``)."""
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {_TYPE_PARTS.split(k.strip())[-1].lower() for k in kinds if isinstance(k, str)}


def is_article(obj: dict[str, Any]) -> bool:
    """An article-like object: any ``...Article`` type, a blog or forum post, a recipe..."""
    return any(k.endswith("article") or k in _ARTICLE_LIKE for k in types(obj))


def is_page_level(obj: dict[str, Any]) -> bool:
    """An object that may speak for the page (a WebPage, a video ...), not a site or a party."""
    kinds = types(obj)
    return bool(kinds) and not kinds & _NOT_THE_PAGE
