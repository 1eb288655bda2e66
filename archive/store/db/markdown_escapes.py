"""A Python-Markdown extension that reads backslash escapes as CommonMark does.

The archive's Markdown is CommonMark, where a backslash escapes any ASCII punctuation mark; the
writer uses that for the page's own ``<`` and ``&`` (``\\<metres>``, ``\\&copy;``), so they stay
text. Python-Markdown, which datasette-render-markdown uses, escapes only sixteen marks: without
this extension Datasette shows such a backslash, and renders the entity after it. The metadata
names this module in the plugin's ``extensions``; Python-Markdown imports it by that name, so
nothing here loads unless Datasette renders a cell.
"""

import re
import string
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# Above Python-Markdown's own escapes (180), below code spans (190), where escapes are text.
_PRIORITY = 185


class _EscapedAmpersand(InlineProcessor):
    """``\\&`` is a literal ``&``. An escaped ``&`` would come out bare, and Python-Markdown's
    serialiser leaves a bare ``&`` that starts an entity (``&copy;``) as it is; ``&amp;`` would
    not do either, since the plugin's linkifier (bleach) turns ``&amp;copy;`` back into
    ``&copy;``. A numeric reference, ready HTML, passes both."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:
        return self.md.htmlStash.store("&#38;"), m.start(0), m.end(0)


class CommonMarkEscapes(Extension):
    """Every ASCII punctuation mark becomes escapable, as in CommonMark."""

    def extendMarkdown(self, md: Markdown) -> None:
        # ESCAPED_CHARS belongs to this Markdown instance, so no other renderer is changed.
        md.ESCAPED_CHARS.extend(c for c in string.punctuation if c not in md.ESCAPED_CHARS)
        md.inlinePatterns.register(_EscapedAmpersand(r"\\&", md), "escaped-ampersand", _PRIORITY)


def makeExtension(**kwargs: Any) -> CommonMarkEscapes:
    return CommonMarkEscapes(**kwargs)
