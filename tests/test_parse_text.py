import pytest

from archive.parse.text import (
    SENTENCE_ENDS,
    clean_inline,
    join_paragraphs,
    reading_length,
    reading_words,
    sample,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a \n\t b  ", "a b"),
        ("a\u00a0b\u2009c", "a b c"),
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("", ""),
    ],
)
def test_clean_inline(raw: str, clean: str) -> None:
    assert clean_inline(raw) == clean


def test_join_paragraphs_uses_one_blank_line_and_skips_empty_ones() -> None:
    assert join_paragraphs(["a", "", "b"]) == "a\n\nb"


@pytest.mark.parametrize(("text", "words"), [("one two  three", 3), ("", 0), ("a\n\nb", 2)])
def test_alphabetic_words_split_on_whitespace(text: str, words: int) -> None:
    assert reading_words(text) == words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("one two three", 3),
        ("先日、不正に改造したiPhoneを販売した", 7),
        ("한국어 문장 입니다", 3),  # Korean puts spaces between its words
        ("เทศบาลเปิดห้องสมุดประชาชนแห่งใหม่ มีหนังสือ", 6 + 1),  # Thai: 33 and 9 characters
    ],
)
def test_reading_words_count_cjk_characters_in_pairs(text: str, words: int) -> None:
    assert reading_words(text) == words


def test_sample_is_the_first_words() -> None:
    assert sample("one two three four", words=2) == "one two …"
    assert sample("one two", words=2) == "one two"


@pytest.mark.parametrize(
    "text",
    [
        "书店于周六重新开业。",
        "本当ですか？",
        "「気軽に休める場所にしたい」",
        "هل هذا صحيح؟",
        "यह सच है।",
    ],
)
def test_sentences_end_with_their_own_scripts_stops(text: str) -> None:
    assert text.endswith(SENTENCE_ENDS)


@pytest.mark.parametrize(
    ("text", "length"),
    [("plain text", 10), ("停车场共有三百个车位。", 11 + 2 * 10), ("iPhoneを販売", 9 + 2 * 3)],
)
def test_reading_length_counts_a_cjk_character_as_three_latin_ones(text: str, length: int) -> None:
    assert reading_length(text) == length
