"""Text helpers: whitespace and Unicode clean-up, word counts, paragraph joining."""

import re
import unicodedata

# Characters that carry no text: zero-width spaces and joiners, soft hyphens, BOMs.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# Every run of whitespace, including no-break and the other Unicode spaces.
_SPACES = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """One line of text: invisible characters dropped, whitespace runs made one space."""
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def normalize(text: str) -> str:
    """Composed Unicode (NFC), so the same letter is always the same code points."""
    return unicodedata.normalize("NFC", text)


def join_paragraphs(paragraphs: list[str]) -> str:
    """The article text: non-empty paragraphs joined by one blank line."""
    return "\n\n".join(p for p in paragraphs if p)


def word_count(text: str) -> int:
    """Whitespace-separated words, the record's ``word_count``."""
    # str.split() and \S+ split on the same characters (both take Py_UNICODE_ISSPACE), and
    # the split is several times cheaper than the pattern.
    return len(text.split())


def sample(text: str, words: int = 8) -> str:
    """The first few words of a text, for a ``Removal`` sample."""
    parts = clean_inline(text).split(" ")
    short = " ".join(parts[:words])
    return short + " …" if len(parts) > words else short


# Chinese and Japanese write without spaces: about two characters make a word.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_CHARS_PER_WORD = 2


def reading_words(text: str) -> int:
    """Words as a reader counts them: whitespace words, or CJK characters in pairs.

    Used to judge whether there is enough running text for an article; ``word_count`` stays the
    plain whitespace count.
    """
    tokens = text.split()  # the \S+ runs (see word_count)
    if not _CJK.search(text):
        return len(tokens)  # every token is one word: skip looking into each
    words = 0
    for token in tokens:
        cjk = _CJK.subn("", token)[1]  # how many CJK characters, without a list of them
        words += max(1, cjk // CJK_CHARS_PER_WORD) if cjk > CJK_CHARS_PER_WORD else 1
    return words
