"""A body the page carries outside its visible markup: the last chance before a refusal.

Some article pages render their body with a script, so the markup holds only a shell (an empty
``<div id="root">``, a loading notice) and the text sits elsewhere in the page: in the JSON-LD
article's ``articleBody`` (written for search engines), or as HTML held back from the page as
shown: a client-side template (``<script type="text/template">``, as Blogger's dynamic themes
ship a post), an HTML ``<template>``, the ``<noscript>`` fallback. Both are read only when the
page says it is one article (``listing.is_one_article``) and the normal extraction found none.
"""

import html as html_lib
import re
from collections.abc import Iterator
from typing import Any

from archive.parse.meta import jsonld
from archive.parse.tree.soup import Document

# Markup held back from the page as shown, in the order it is tried: client-side templates
# (the script type names HTML that a script will insert: Underscore, Backbone, Vue's
# x-template, Handlebars; never code) and HTML <template> elements, which hold what a script
# renders; then the <noscript> fallback, which often repeats it for browsers without scripts.
_HELD_OPEN = (
    re.compile(
        r"<(?:(script)\b[^>]*?\btype\s*=\s*[\"']?text/(?:x-)?(?:template|html|handlebars-template)"
        r"\b|(template)\b)[^>]*>",
        re.I,
    ),
    re.compile(r"<(noscript)\b[^>]*>", re.I),
)
# Held-back markup that can hold a body: a tracking pixel's <img> or a tag manager's <iframe>
# in a <noscript> holds none.
_BODY_MARKUP = re.compile(
    r"<(?:p|br|div|article|section|main|li|dd|h[1-6]|table|blockquote)\b", re.I
)
# The JSON-LD key of an article's body text.
ARTICLE_BODY_KEY = "articleBody"
_CLOSE = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "noscript", "template")}
# Markup inside an ``articleBody`` string (some CMSs put the body's HTML there as it is).
_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/\s*(?:p|div|h[1-6]|li|blockquote))\s*>", re.I)
_TAG = re.compile(r"<[^<>]{1,500}>")
_BLANK_LINES = re.compile(r"\n\s*\n")
# Paragraphs joined with nothing between them, as a script's ``innerText`` of several blocks
# can give them: a sentence's end glued to the next one's capital ("...on Monday.The mayor").
# The letter before the stop is lower case, so that initials ("U.S.A") are not split.
_GLUED = re.compile(r"(?<=[a-z0-9\u00df-\u00ff][.!?])(?=[A-Z\u00c0-\u00de][a-z\u00df-\u00ff])")


def ld_article_body(doc: Document) -> list[str]:
    """The paragraphs of the page's JSON-LD article's ``articleBody``: empty when none, or
    when several article objects carry one (a front listing its stories in JSON-LD)."""
    bodies = [
        text
        for obj in jsonld.objects(doc.json_ld)
        if jsonld.is_article(obj) and (text := _body_text(obj.get(ARTICLE_BODY_KEY)))
    ]
    return paragraphs(bodies[0]) if len(set(bodies)) == 1 else []


def _body_text(body: Any) -> str:
    """An ``articleBody`` value as one string (a list of strings is its paragraphs)."""
    if isinstance(body, list):
        return "\n\n".join(part for part in body if isinstance(part, str))
    return body if isinstance(body, str) else ""


def paragraphs(body: str) -> list[str]:
    """A body given as one string, split into its paragraphs.

    Markup is read as breaks (a block's end, a ``<br>``) and dropped; then blank lines part
    paragraphs, else single line breaks do, else glued sentence ends do (a body with no break
    at all stays one paragraph).
    """
    text = _TAG.sub(" ", _BLOCK_END.sub("\n\n", body)) if "<" in body else body
    text = html_lib.unescape(text).replace("\r", "")
    if _BLANK_LINES.search(text):
        parts = _BLANK_LINES.split(text)
    elif "\n" in text:
        parts = text.split("\n")
    else:
        parts = _GLUED.split(text)
    return [" ".join(part.split()) for part in parts if part.strip()]


def held_back(text: str) -> Iterator[str]:
    """The page with the markup it holds back put in place of its wrappers, as a script or a
    browser without scripts would show it: once with its templates, then once with its
    <noscript> fallbacks (never both: they often hold the same body). Each only if found."""
    for opening in _HELD_OPEN:
        unwrapped = _unwrapped(text, opening)
        if unwrapped is not None:
            yield unwrapped


def _unwrapped(text: str, opening_tag: re.Pattern[str]) -> str | None:
    """The page with each wrapper's markup in place of the wrapper; None when none holds any.

    One scan forward (each search starts past the last wrapper's end), so that a page of
    unclosed wrappers cannot make it quadratic.
    """
    out: list[str] = []
    pos = 0
    found = False
    while (opening := opening_tag.search(text, pos)) is not None:
        name = next(group for group in opening.groups() if group).lower()
        close = _CLOSE[name].search(text, opening.end())
        if close is None:
            break
        body = text[opening.end() : close.start()]
        out.append(text[pos : opening.start()])
        if _BODY_MARKUP.search(body):  # not a placeholder, a notice, a pixel
            out.append(body)
            found = True
        pos = close.end()
    out.append(text[pos:])
    return "".join(out) if found else None
