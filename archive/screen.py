"""Text from pages made safe to show on a terminal, and to print as JSON.

A page can hold control characters: ESC sequences retitle a terminal (``ESC ] 0 ; ... BEL``),
clear it (``ESC [ 2 J``), move the cursor up to rewrite earlier lines (``ESC [ 1 A``), or
conceal text; C1 characters (U+0080-U+009F) do the same on terminals that read them; bidi
overrides and isolates reorder what is shown, and zero-width characters hide text. The
extractor drops them from the records it makes (``archive.parse.text.visible``), but older
records, reasons and URLs can still carry them.

Every one of them is shown escaped, the way Python writes it in a string literal: ``\\x1b``,
``\\x07``, ``\\x9b``, ``\\u202e``. ``shown`` escapes one value (line feed and tab too, for a
one-line field); ``Screen`` wraps the CLI's stdout and stderr so that whatever reaches them
passes the same test, except the few sequences the CLI itself writes (click's colours and the
progress line's "erase this line").
"""

import re
from typing import Any, TextIO

# C0 controls but tab and line feed, DEL, C1 controls, and the invisible and reordering
# characters of ``archive.parse.text`` (kept in step by tests/test_screen.py).
_UNSAFE_CODES = [
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),
    *(0xAD, 0x061C, 0x180E),
    *range(0x200B, 0x2010),
    *range(0x2028, 0x202F),  # line and paragraph separators, bidi embeddings and overrides
    *range(0x2060, 0x2065),
    *range(0x2066, 0x2070),
    0xFEFF,
    *range(0xFFF9, 0xFFFC),
]
_UNSAFE = "".join(map(chr, _UNSAFE_CODES))
_UNSAFE_RE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_IN_LINE_RE = re.compile(f"[{_UNSAFE}\t\n]")
# What the CLI writes on purpose: click's colours (SGR: ESC [ digits m), "erase to the end of
# the line" (ESC [ K) and a carriage return before it (the progress line). Anything else,
# ESC included, is escaped.
_OWN_SEQUENCE_OR_UNSAFE_RE = re.compile(f"(\x1b\\[[0-9;]*m|\r?\x1b\\[K)|[{_UNSAFE}]")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(value: Any, *, one_line: bool = True) -> str:
    """``value`` as text a terminal shows as it is: control, invisible and reordering
    characters escaped (``\\x1b``), and with ``one_line`` line feeds and tabs too."""
    text = "" if value is None else str(value)
    pattern = _UNSAFE_IN_LINE_RE if one_line else _UNSAFE_RE
    if text.isascii() and text.isprintable():  # the usual case: nothing to look for
        return text
    return pattern.sub(lambda match: _escape(match.group()), text)


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``, which escapes C0 controls only)
    with DEL, C1 and the invisible characters written as ``\\uXXXX`` escapes too: the same
    JSON value, safe on a terminal."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _UNSAFE_RE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _screened(match: re.Match[str]) -> str:
    return match.group(1) or _escape(match.group())


class Screen:
    """A text stream that writes to ``stream`` with unsafe characters escaped (see the module
    docstring); every other attribute is the stream's own (``isatty``, ``buffer``, ...)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # click asks whether a stream is binary with b""
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not (text.isascii() and text.isprintable()):
            text = _OWN_SEQUENCE_OR_UNSAFE_RE.sub(_screened, text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def unscreened(stream: TextIO) -> TextIO:
    """The stream a ``Screen`` writes to (``stream`` itself if it is none)."""
    return stream._stream if isinstance(stream, Screen) else stream
