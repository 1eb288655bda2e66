"""Text helpers: whitespace and Unicode clean-up, word counts, paragraph joining."""

import re
import unicodedata

# Characters that carry no text and that a page can use against a reader: C0 and C1 control
# characters (ESC starts the sequences that retitle, clear or rewrite a terminal), zero-width
# spaces and joiners, bidi marks, embeddings, overrides and isolates (which reorder what is
# shown), soft hyphens, invisible operators and BOMs. The ones ``str.isspace`` counts as
# whitespace (tab, line feed, VT, FF, CR, the separators U+001C-U+001F and NEL) are a separate
# set: inside a line they become a space, like any whitespace.
_HIDDEN_CODES = [
    *range(0x00, 0x09),
    *range(0x0E, 0x1C),
    0x7F,
    *range(0x80, 0x85),
    *range(0x86, 0xA0),
    *(0xAD, 0x061C, 0x180E),  # soft hyphen, Arabic letter mark, Mongolian vowel separator
    *range(0x200B, 0x2010),  # zero-width space, non-joiner, joiner; LRM, RLM
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2060, 0x2065),  # word joiner, invisible operators
    *range(0x2066, 0x2070),  # bidi isolates, deprecated format characters
    0xFEFF,
    *range(0xFFF9, 0xFFFC),  # interlinear annotation
]
_SPACE_CONTROLS = [0x0B, 0x0C, 0x0D, *range(0x1C, 0x20), 0x85]
_HIDDEN = dict.fromkeys(_HIDDEN_CODES)
_HIDDEN_OR_SPACE = dict.fromkeys([*_HIDDEN_CODES, *_SPACE_CONTROLS])
# The same sets as patterns: on text that is not all ASCII, str.translate looks every character
# up in its table (2.8 ms for 55,000 characters) where a character class scans it in 0.17 ms.
_HIDDEN_RE = re.compile("[" + "".join(map(chr, _HIDDEN_CODES)) + "]")
_HIDDEN_OR_SPACE_RE = re.compile("[" + "".join(map(chr, _HIDDEN_OR_SPACE)) + "]")
# From this length on, ASCII text is quicker through str.translate's fast path (30 us for
# 50,000 characters, the pattern 160 us), which costs about 1.2 us a call whatever the length:
# shorter texts, most of those cleaned (a line, a label, a link), are quicker through the
# pattern (0.3 us for 50 characters).
_TRANSLATE_FROM = 500


def _dropped(text: str, table: dict[int, None], pattern: re.Pattern[str]) -> str:
    if len(text) >= _TRANSLATE_FROM and text.isascii():
        return text.translate(table)
    return pattern.sub("", text)


def visible(text: str) -> str:
    """``text`` without the characters in ``_HIDDEN_CODES`` nor control whitespace other than
    line feed and tab: what every text field of a record passes through last."""
    return _dropped(text, _HIDDEN_OR_SPACE, _HIDDEN_OR_SPACE_RE)


def clean_inline(text: str) -> str:
    """One line of text: hidden characters dropped, whitespace runs made one space."""
    # str.split() splits on the runs of the characters \s matches (Py_UNICODE_ISSPACE, every
    # code point checked) and drops them at both ends: the same as subbing \s+ with one space
    # and stripping, without a match object and a piece for each space between two words.
    return " ".join(_dropped(text, _HIDDEN, _HIDDEN_RE).split())


def normalize(text: str) -> str:
    """Composed Unicode (NFC), so the same letter is always the same code points."""
    return unicodedata.normalize("NFC", text)


def join_paragraphs(paragraphs: list[str]) -> str:
    """The article text: non-empty paragraphs joined by one blank line."""
    return "\n\n".join(p for p in paragraphs if p)


def sample(text: str, words: int = 8) -> str:
    """The first few words of a text, for a ``Removal`` sample."""
    parts = clean_inline(text).split(" ")
    short = " ".join(parts[:words])
    return short + " …" if len(parts) > words else short


# How a sentence ends with a full stop: the Latin one, the ideographic one (Chinese, Japanese)
# and the danda (Hindi, Bengali).
FULL_STOPS = (".", "。", "．", "।")
# How a sentence of running text ends: its stop, or a closing quote or bracket after it. Text
# that ends otherwise is a label, a name, a headline or a fragment. The full-width marks and
# corner quotes are how Chinese and Japanese end theirs, "؟" how Arabic and Persian ask.
SENTENCE_ENDS = (
    *FULL_STOPS, "!", "?", "…", '"', "“", "”", "»", "«", ".)",
    "！", "？", "」", "』", "؟",
)  # fmt: skip

# Chinese and Japanese write without spaces: about two characters make a word.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_CHARS_PER_WORD = 2
# Thai, Lao, Myanmar and Khmer write without spaces between words too (a space ends a phrase
# or a sentence): about five characters, vowel and tone marks included, make a word.
_UNSPACED_ALPHABETS = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
UNSPACED_CHARS_PER_WORD = 5
# Either kind: a text with neither is counted by its whitespace alone.
_UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
)


# What one CJK character is worth in Latin characters: a word is about two of them, and about
# six Latin characters with its space.
CJK_CHAR_WIDTH = 3


def reading_length(text: str) -> int:
    """``len(text)`` with each CJK character counted as CJK_CHAR_WIDTH: the length thresholds
    written for alphabetic text (a paragraph is 25 characters or more) then hold for Chinese
    and Japanese, whose short paragraphs of 20 characters say as much as 60 Latin ones."""
    if not _CJK.search(text):
        return len(text)
    return len(text) + (CJK_CHAR_WIDTH - 1) * _CJK.subn("", text)[1]


def reading_words(text: str) -> int:
    """Words as a reader counts them: whitespace words, CJK characters in pairs, and Thai,
    Lao, Myanmar or Khmer characters by UNSPACED_CHARS_PER_WORD (each token one word at least).

    The record's ``word_count`` and every "is this long enough" judgement: a whole paragraph of
    Chinese, Japanese or Thai is one whitespace token, or a few.
    """
    # str.split() and \S+ split on the same characters (both take Py_UNICODE_ISSPACE), and
    # the split is several times cheaper than the pattern.
    tokens = text.split()
    if not _UNSPACED.search(text):
        return len(tokens)  # every token is one word: skip looking into each
    words = 0
    for token in tokens:
        # How many characters of each kind, without a list of them.
        cjk = _CJK.subn("", token)[1]
        alphabetic = _UNSPACED_ALPHABETS.subn("", token)[1] if cjk < len(token) else 0
        words += max(1, cjk // CJK_CHARS_PER_WORD + alphabetic // UNSPACED_CHARS_PER_WORD)
    return words
