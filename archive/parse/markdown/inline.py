"""One block's inline markup (emphasis, strong, code, links) as CommonMark.

The walker of ``archive.parse.blocks`` keeps a block's raw strings, exactly those its text is
joined from, and marks between them: ``(index, kind, href)``, where ``kind`` opens a span
("em", "strong", "code", "a") before ``strings[index]`` or closes the innermost one ("/").
Rendering normalises whitespace as ``clean_inline`` does, across the marks, so the Markdown's
text is the block's text, character for character.
"""

import re
from dataclasses import dataclass, field

from archive.parse.markdown.escape import (
    code_span,
    escape_line_start,
    escape_text,
    link_destination,
)
from archive.parse.markdown.shape import CLOSE, Mark

_DELIMITERS = {"em": "*", "strong": "**"}
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # as text.clean_inline
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class InlineOptions:
    """``base``: the URL links resolve against; ``links``: False keeps link text only."""

    base: str | None = None
    links: bool = True
    in_table: bool = False
    # Destinations made for this page so far: a page repeats its links (sections, tags).
    destinations: dict[str, str | None] = field(default_factory=dict, compare=False)

    def destination(self, href: str) -> str | None:
        if href not in self.destinations:
            self.destinations[href] = link_destination(href, self.base)
        return self.destinations[href]


@dataclass
class _Token:
    text: str = ""  # a string of the page (kind ""), else a span's open or close mark
    kind: str = ""
    opens: bool = False
    dest: str | None = None
    pair: int = 0  # the open and close marks of one span share it
    code: bool = False  # text inside a code span: written as it is


@dataclass
class _Spans:
    tokens: list[_Token] = field(default_factory=list)
    stack: list[tuple[str, int]] = field(default_factory=list)  # (kind, pair; 0 if not kept)
    pairs: int = 0
    kept: set[str] = field(default_factory=set)  # the kinds of the kept spans open
    in_code: int = 0


def render_inline(
    strings: list[str], marks: list[Mark], options: InlineOptions, expected: str | None
) -> str:
    """The Markdown of a block's strings and marks (see the module's docstring); the escaped
    ``expected`` text instead should its text differ from it (it never should)."""
    tokens = _tokens(strings, marks, options)
    _normalise_spaces(tokens)
    if expected is not None and "".join(t.text for t in tokens if not t.kind) != expected:
        return plain_markdown(expected, in_table=options.in_table)
    tokens = _spaces_outside(tokens)
    tokens = _without_empty(tokens)
    if not any(token.kind in _DELIMITERS for token in tokens):
        return _write(tokens, options)  # links and code only: no flanking to check
    while True:  # a span left out may leave two of one kind touching: they join, and again
        kept = _without_empty(_without_unmatched(tokens))
        if len(kept) == len(tokens):
            return _write(kept, options)
        tokens = kept


def plain_markdown(text: str, *, in_table: bool = False) -> str:
    """A block of text without marks, escaped."""
    return escape_line_start(escape_text(text, in_table=in_table))


def _tokens(strings: list[str], marks: list[Mark], options: InlineOptions) -> list[_Token]:
    """Text and kept marks in order; a span inside one of its kind, a link inside a link and
    anything inside code are not kept (their text is)."""
    spans = _Spans()
    position = 0
    for index, string in enumerate(strings):
        while position < len(marks) and marks[position][0] <= index:
            _mark(spans, marks[position], options)
            position += 1
        spans.tokens.append(_Token(string, code=spans.in_code > 0))
    while position < len(marks):
        _mark(spans, marks[position], options)
        position += 1
    while spans.stack:  # spans still open at the block's end close with it
        _mark(spans, (0, CLOSE, None), options)
    return spans.tokens


def _mark(spans: _Spans, mark: Mark, options: InlineOptions) -> None:
    _, kind, href = mark
    if kind == CLOSE:
        if spans.stack:
            closed, pair = spans.stack.pop()
            if pair:
                spans.tokens.append(_Token(kind=closed, pair=pair))
                spans.kept.discard(closed)
                spans.in_code -= closed == "code"
        return
    dest = None
    keep = kind not in spans.kept and not spans.in_code
    if kind == "a":
        dest = options.destination(href or "") if options.links else None
        keep = keep and dest is not None
    pair = 0
    if keep:
        spans.pairs += 1
        pair = spans.pairs
        spans.tokens.append(_Token(kind=kind, opens=True, dest=dest, pair=pair))
        spans.kept.add(kind)
        spans.in_code += kind == "code"
    spans.stack.append((kind, pair))


def _normalise_spaces(tokens: list[_Token]) -> None:
    """Invisible characters out, whitespace runs one space (across marks), none at the ends."""
    space_before = True  # at the start, as after a space: a leading space goes
    last = None
    for token in tokens:
        if token.kind:
            continue
        text = _SPACES.sub(" ", _INVISIBLE.sub("", token.text))
        if space_before and text.startswith(" "):
            text = text[1:]
        if text:
            space_before = text.endswith(" ")
            last = token
        token.text = text
    if last is not None and last.text.endswith(" "):
        last.text = last.text[:-1]


def _spaces_outside(tokens: list[_Token]) -> list[_Token]:
    """A space at a span's edge moved outside it: ``* word*`` would not be emphasis."""
    out: list[_Token] = []
    for token in tokens:
        if not token.kind and token.text.startswith(" "):
            index = len(out)
            while index > 0 and out[index - 1].kind and out[index - 1].opens:
                index -= 1
            if index < len(out):
                out.insert(index, _Token(" "))
                token.text = token.text[1:]
        out.append(token)
    result: list[_Token] = []  # the same for a space before closing marks, read backwards
    for token in reversed(out):
        if not token.kind and token.text.endswith(" "):
            index = len(result)
            while index > 0 and result[index - 1].kind and not result[index - 1].opens:
                index -= 1
            if index < len(result):
                result.insert(index, _Token(" "))
                token.text = token.text[:-1]
        result.append(token)
    result.reverse()
    return [token for token in result if token.kind or token.text]


def _without_empty(tokens: list[_Token]) -> list[_Token]:
    """Spans with no text in them left out (an empty link, an icon in <i>), and two spans of
    one kind that touch made one (``**a****b**`` would be no emphasis at all)."""
    out: list[_Token] = []
    dests: dict[int, str | None] = {}
    renamed: dict[int, int] = {}
    for token in tokens:
        token.pair = renamed.get(token.pair, token.pair)
        last = out[-1] if out else None
        if last is None or not token.kind:
            out.append(token)
        elif not token.opens and last.pair == token.pair:
            out.pop()
        elif token.opens and last.kind == token.kind and not last.opens:
            if token.kind == "a" and dests.get(last.pair) != token.dest:
                out.append(token)
                continue
            out.pop()  # the earlier span goes on: this one's close mark closes it
            renamed[token.pair] = last.pair
        else:
            if token.opens:
                dests[token.pair] = token.dest
            out.append(token)
    return out


def _without_unmatched(tokens: list[_Token]) -> list[_Token]:
    """Emphasis whose delimiters a renderer would not take as such, left out: CommonMark's
    flanking rules (a ``*`` between a letter and punctuation opens or closes nothing, one
    inside a word may do either)."""
    while True:
        text = _written(tokens)
        bad = _unflanked_pairs(tokens, text)
        if not bad:
            return tokens
        tokens = [token for token in tokens if token.pair not in bad or not token.kind]


def _written(tokens: list[_Token]) -> list[str]:
    """Each token's output, as in ``_write`` but without the context escapes."""
    out = []
    for token in tokens:
        if not token.kind:
            out.append(token.text if token.code else escape_text(token.text))
        else:
            out.append(_delimiter(token))
    return out


def _delimiter(token: _Token) -> str:
    if token.kind in _DELIMITERS:
        return _DELIMITERS[token.kind]
    if token.kind == "a":
        return "[" if token.opens else "]"
    return "`"


def _unflanked_pairs(tokens: list[_Token], written: list[str]) -> set[int]:
    bad = set()
    for index, token in enumerate(tokens):
        if token.kind not in _DELIMITERS:
            continue
        before, after = _neighbours(tokens, written, index)
        if token.opens and not _can_open(before, after):
            bad.add(token.pair)
        if not token.opens and not _can_close(before, after):
            bad.add(token.pair)
    return bad


def _neighbours(tokens: list[_Token], written: list[str], index: int) -> tuple[str, str]:
    """The characters either side of the run of ``*`` marks that ``index`` is in."""
    start = index
    while start > 0 and tokens[start - 1].kind in _DELIMITERS:
        start -= 1
    end = index
    while end + 1 < len(tokens) and tokens[end + 1].kind in _DELIMITERS:
        end += 1
    before = "".join(written[:start])[-1:]
    after = "".join(written[end + 1 :])[:1]
    return before, after


def _is_punctuation(char: str) -> bool:
    return bool(char) and not char.isalnum() and not char.isspace()


def _left_flanking(before: str, after: str) -> bool:
    if not after or after.isspace():
        return False
    return not _is_punctuation(after) or not before or before.isspace() or _is_punctuation(before)


def _right_flanking(before: str, after: str) -> bool:
    if not before or before.isspace():
        return False
    return not _is_punctuation(before) or not after or after.isspace() or _is_punctuation(after)


# A run that both opens and closes ("a*b", "\**\\") may pair with a run other than its own
# (CommonMark's rule of three): such emphasis is left out rather than risked.
def _can_open(before: str, after: str) -> bool:
    return _left_flanking(before, after) and not _right_flanking(before, after)


def _can_close(before: str, after: str) -> bool:
    return _right_flanking(before, after) and not _left_flanking(before, after)


def _write(tokens: list[_Token], options: InlineOptions) -> str:
    out: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "code" and token.opens:
            end = _closing(tokens, index)
            code = "".join(t.text for t in tokens[index + 1 : end])
            # A table's row is split at its pipes before code is read, even in code (GFM):
            # there an escaped pipe stands for one.
            out.append(code_span(code.replace("|", "\\|") if options.in_table else code))
            index = end + 1
            continue
        if not token.kind:
            escaped = escape_text(token.text, in_table=options.in_table)
            # A cell's start is no line's: "+4.6%" there needs no escape.
            at_start = not out and not options.in_table
            out.append(escape_line_start(escaped) if at_start else escaped)
        elif token.kind == "a" and token.opens and out and out[-1].endswith("!"):
            out[-1] = out[-1][:-1] + "\\!"  # "![" would open an image
            out.append("[")
        elif token.kind == "a" and not token.opens:
            dest = next(t.dest for t in tokens if t.pair == token.pair and t.opens)
            out.append(f"]({dest})")
        else:
            out.append(_delimiter(token))
        index += 1
    return "".join(out)


def _closing(tokens: list[_Token], index: int) -> int:
    """Where the span opened at ``index`` closes."""
    pair = tokens[index].pair
    return next(i for i in range(index + 1, len(tokens)) if tokens[i].pair == pair)
