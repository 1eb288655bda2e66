"""A Python-Markdown extension that reads the archive's CommonMark as CommonMark does.

datasette-render-markdown renders with Python-Markdown, which departs from CommonMark in two
ways that matter for the archive's Markdown:

- CommonMark lets a backslash escape any ASCII punctuation mark; the writer uses that for the
  page's own ``<`` and ``&`` (``\\<metres>``, ``\\&copy;``), so they stay text. Python-Markdown
  escapes only sixteen marks: Datasette showed such a backslash, and rendered the entity.
- In CommonMark a list item whose marker changes kind (``-`` to ``1.`` or back) starts a new
  list; Python-Markdown went on with the first list, so a numbered list right after a bulleted
  one showed as more bullets. A blank line before such an item, with the ``sane_lists``
  extension (which the metadata enables too), makes Python-Markdown start the new list.

The metadata names this module in the plugin's ``extensions``; Python-Markdown imports it by
that name, so nothing here loads unless Datasette renders a cell.
"""

import re
import string
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

# Above Python-Markdown's own escapes (180), below code spans (190), where escapes are text.
_PRIORITY = 185
# After fenced_code (25) has set the code blocks aside, so no line of code is taken for an item.
_LISTS_PRIORITY = 15
# A list item: its indent, and its marker's kind (a bullet, or a number and "." or ")"). The
# writer escapes a paragraph that would start so (``1984\\.``, ``\\-``), so only items match.
_ITEM = re.compile(r"^( *)(?:([-*+])|\d{1,9}[.)])(?: |$)")


class _EscapedAmpersand(InlineProcessor):
    """``\\&`` is a literal ``&``. An escaped ``&`` would come out bare, and Python-Markdown's
    serialiser leaves a bare ``&`` that starts an entity (``&copy;``) as it is; ``&amp;`` would
    not do either, since the plugin's linkifier (bleach) turns ``&amp;copy;`` back into
    ``&copy;``. A numeric reference, ready HTML, passes both."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:
        return self.md.htmlStash.store("&#38;"), m.start(0), m.end(0)


class _SplitListsOfTwoKinds(Preprocessor):
    """A blank line before a list item whose marker is of another kind than the item before
    it at the same indent (within one run of non-blank lines); and before the next item out
    of such a nested list, which ``sane_lists`` would otherwise read as a line of the last
    item of the new list."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        kinds: dict[int, bool] = {}  # indent -> whether the last item there was a bullet
        split_at: int | None = None  # the shallowest indent split in this run of lines
        for line in lines:
            if not line.strip():
                kinds, split_at = {}, None
            elif item := _ITEM.match(line):
                indent, bullet = len(item.group(1)), item.group(2) is not None
                if kinds.get(indent, bullet) != bullet:
                    out.append("")
                    split_at = indent if split_at is None else min(split_at, indent)
                elif split_at is not None and indent < split_at:
                    out.append("")
                    split_at = None
                kinds = {k: v for k, v in kinds.items() if k < indent}
                kinds[indent] = bullet
            out.append(line)
        return out


class CommonMarkCompat(Extension):
    """Every ASCII punctuation mark escapable, and a list ended where its marker changes kind,
    as in CommonMark."""

    def extendMarkdown(self, md: Markdown) -> None:
        # ESCAPED_CHARS belongs to this Markdown instance, so no other renderer is changed.
        md.ESCAPED_CHARS.extend(c for c in string.punctuation if c not in md.ESCAPED_CHARS)
        md.inlinePatterns.register(_EscapedAmpersand(r"\\&", md), "escaped-ampersand", _PRIORITY)
        md.preprocessors.register(_SplitListsOfTwoKinds(md), "split-lists", _LISTS_PRIORITY)


def makeExtension(**kwargs: Any) -> CommonMarkCompat:
    return CommonMarkCompat(**kwargs)
