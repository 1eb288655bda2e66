"""Markdown's own characters in the page's text, escaped so that text never turns into markup.

Some characters are markup wherever they stand (emphasis, code, links, raw HTML); others only
at the start of a line (headings, lists, quotes) or before a name and ``;`` (entities). Only
those are escaped, so ordinary punctuation stays readable.
"""

import re
from urllib.parse import urljoin

# Markup anywhere: backslash, code, emphasis, links, raw HTML and autolinks, strikethrough.
_ANYWHERE = re.compile(r"([\\`*_\[\]<~])")
_IN_TABLE = re.compile(r"([\\`*_\[\]<~|])")
# An entity reference ("&amp;", "&#169;") would be decoded; a bare "&" is text.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# A "#" starting a line makes a heading; one after a space may close a heading's line.
_HASH = re.compile(r"(?:(?<=\s)|^)#")
# At a line's start: a quote, a list bullet, a thematic break or an ordered list's number.
_LINE_START = re.compile(r"^(?:([>+=-])|(\d{1,9})([.)]))")
# Characters of a URL that end or break a link destination.
_URL_UNSAFE = {" ": "%20", "<": "%3C", ">": "%3E", "\\": "%5C", "\n": "%0A", "\t": "%09"}
_URL_UNSAFE_RE = re.compile("[ <>\\\\\n\t]")
_DROPPED_SCHEMES = ("javascript:", "vbscript:", "data:")


def escape_text(text: str, *, in_table: bool = False) -> str:
    """``text`` with the characters that would be markup escaped by a backslash."""
    pattern = _IN_TABLE if in_table else _ANYWHERE
    if pattern.search(text):  # most text has none: the search alone is a third cheaper
        text = pattern.sub(r"\\\1", text)
    if "&" in text:
        text = _ENTITY.sub(r"\\&", text)
    if "#" in text:
        text = _HASH.sub(r"\\#", text)
    return text


def escape_line_start(text: str) -> str:
    """An escaped line's first characters escaped too where they would start a block."""
    return _LINE_START.sub(_line_start, text, count=1)


def _line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def code_span(code: str) -> str:
    """Inline code: a backtick run longer than any inside, padded where the code would touch
    it (a backtick, or a space at both ends that a renderer would strip)."""
    fence = "`" * (_longest_run(code, "`") + 1)
    if code.startswith("`") or code.endswith("`") or (code[:1] == " " and code[-1:] == " "):
        code = f" {code} "
    return f"{fence}{code}{fence}"


def code_fence(code: str) -> str:
    """A fence for a code block: three backticks, or more than the longest run inside."""
    return "`" * max(3, _longest_run(code, "`") + 1)


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)


def link_destination(href: str, base: str | None) -> str | None:
    """An absolute URL for ``href`` (resolved against ``base``), written so that a Markdown
    renderer reads it whole; None for a link that leads nowhere readable (scripts, data)."""
    href = href.strip()
    if not href or href.lower().startswith(_DROPPED_SCHEMES):
        return None
    try:
        absolute = href.startswith(("https://", "http://"))
        url = urljoin(base, href) if base and not absolute else href
    except ValueError:  # a malformed address (an unclosed IPv6 bracket ...)
        return None
    url = _URL_UNSAFE_RE.sub(lambda m: _URL_UNSAFE[m.group()], url)
    if "&" in url:  # "?a=1&copy;b" would be read as "©" (entities count in destinations)
        url = _ENTITY.sub(r"\\&", url)
    return f"<{url}>" if "(" in url or ")" in url else url
