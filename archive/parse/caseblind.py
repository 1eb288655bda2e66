"""Case-blind patterns tested quickly on ASCII text: the text lowered, the pattern case-bound.

A pattern of alternative words compiled with IGNORECASE tries every word, letter by folded
letter, at every character of the text: 3-4 us for a class string of 40 characters, and the
passes test thousands of class strings, labels and lines per page. The same pattern without
IGNORECASE, run on the lowered text, starts only where a word's first letter stands and costs
a sixth of that.

The two agree exactly on ASCII text when the pattern names no upper-case ASCII letter (its
words are written in lower case) and holds none of the four non-ASCII characters that
IGNORECASE ties to ASCII letters ("ſ" to "s", the Kelvin sign to "k", dotted and dotless I
to "i"): checked when one is made (a pattern that fails the check is only ever run
itself). Text that is not all ASCII goes to the pattern itself.
Only whether it matches is answered: a match on the lowered text would give lowered groups.
"""

import re

# The characters IGNORECASE matches to an ASCII letter.
_TRAPS = ("\u0130", "\u0131", "\u017f", "\u212a")
# Escapes that stand for the same thing in either case of the text: classes and anchors.
_CASELESS_ESCAPES = frozenset("sSwWdDbBAZ")


class CaseBlind:
    """``pattern.search(text) is not None`` and ``pattern.match(text) is not None`` for a
    case-blind ``pattern`` (see the module's docstring for the patterns it takes)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        source = pattern.pattern
        self.pattern = pattern
        # A pattern lowered text cannot stand for (a rule written with a capital letter, a
        # scoped flag...) is only ever run itself: slower, never wrong.
        self.quick = bool(pattern.flags & re.IGNORECASE) and _lowered_text_can_stand(source)
        self._lowered = re.compile(source, pattern.flags & ~re.IGNORECASE) if self.quick else None

    def found(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text``."""
        if self._lowered is not None and text.isascii():
            return self._lowered.search(text.lower()) is not None
        return self.pattern.search(text) is not None

    def starts(self, text: str) -> bool:
        """Whether the pattern matches at the start of ``text``."""
        if self._lowered is not None and text.isascii():
            return self._lowered.match(text.lower()) is not None
        return self.pattern.match(text) is not None


def _lowered_text_can_stand(source: str) -> bool:
    """No upper-case ASCII letter, no trap character, no escape that names a character by its
    code or a group by its number, no inline flag: what lowering the text cannot stand for."""
    if any(trap in source for trap in _TRAPS):
        return False
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            escaped = source[index + 1 : index + 2]
            if escaped.isascii() and escaped.isalnum() and escaped not in _CASELESS_ESCAPES:
                return False  # \x41, \N{...}, \1, \t...: refused rather than read
            index += 2
            continue
        if "A" <= char <= "Z" or (
            source.startswith("(?", index) and source[index + 2 : index + 3] in "aiLmsux-"
        ):
            return False
        index += 1
    return True
