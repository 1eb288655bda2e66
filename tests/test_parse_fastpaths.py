"""The parser's quick paths must answer exactly as the plain definitions they replace."""

import random
import re

import pytest
from bs4 import Tag

from archive.parse import classwords
from archive.parse import text as text_module
from archive.parse.text import clean_inline, reading_words, sample, visible
from archive.parse.tree import prefilter
from archive.parse.tree import soup as soup_module
from archive.parse.tree.measure import (
    strings_and_links,
    stripped_strings,
    tag_text,
    tags_under,
)
from archive.parse.tree.soup import parse

PAGE = """<html><body><div class="story">
<p>Plain <a href="/a">link <b>bold</b></a> and <a>two <a>nested</a></a> text.</p>
<template><p>in a template</p></template><script>var x;</script><!-- a comment -->
<pre>  kept  </pre><ul><li><a href="/b">Item</a></li><li>Other</li></ul>
</div></body></html>"""


def _random_texts(alphabet: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 14))) for _ in range(count)]


def test_tag_text_and_links_are_get_text_and_find_all() -> None:
    doc = parse(PAGE)
    tags = [doc.soup, *(node for node in doc.nodes if isinstance(node, Tag))]
    assert len(tags) > 10
    for tag in tags:
        strings, links = strings_and_links(tag)
        assert tag_text(tag) == "".join(strings) == tag.get_text()
        assert links == tag.find_all("a")


def test_text_strings_and_tags_under_are_bs4s_own() -> None:
    doc = parse(PAGE)
    tags = [doc.soup, *(node for node in doc.nodes if isinstance(node, Tag))]
    for tag in tags:
        assert tag_text(tag, " ") == tag.get_text(" ")
        assert list(stripped_strings(tag)) == list(tag.stripped_strings)
        assert list(tags_under(tag)) == tag.find_all(True)
        for names in (("a",), ("li", "pre"), ("figure",)):
            assert list(tags_under(tag, names)) == tag.find_all(names)
            assert next(tags_under(tag, names), None) == tag.find(names)


def test_byline_strings_after_a_tag_are_find_all_next() -> None:
    from archive.parse.meta import bylines

    doc = parse(
        "<html><body><p>x</p><h1>Title <i>By no one</i></h1><p>By Ana Ruiz</p>"
        "<div><span>Von</span> <b>Tom</b></div><p>by the way, by then</p>"
        "<ul><li>Autor: Eva</li></ul></body></html>"
    )
    for start in (node for node in doc.nodes if isinstance(node, Tag)):
        found = list(bylines._strings_after(start, bylines._BYLINE_TEXT_FOUND))
        assert found == start.find_all_next(string=bylines._BYLINE_TEXT)


def test_language_words_by_lookup_count_as_by_each_language() -> None:
    from archive.parse.meta import language

    words = [*sorted({w for listed in language._WORDS.values() for w in listed}), "zz", "a"]
    for word in words:
        by_each = [lang for lang, listed in language._WORDS.items() if word in listed]
        assert list(language._LANGUAGES_OF.get(word, ())) == by_each, word
    # "de" is a word of six languages, in this order: the counter's ties keep it.
    assert language._LANGUAGES_OF["de"] == ("es", "fr", "pt", "nl", "sv", "tr")


def test_keep_test_without_ignorecase_finds_what_the_pattern_finds() -> None:
    words = ["<h1", "<H1", "<TiMe", "<meta", "AUTHOR", "ByLine", "class", "CLASS", " = '", '"x ',
             "date", "Posted", "publish", ">", '"', " ", "x", "é"]  # fmt: skip
    # Characters IGNORECASE ties to ASCII letters (the last is the Kelvin sign), alone and in
    # words the pattern matches case-blind.
    words += ["ſ", "ı", "İ", "\u212a", "claſs", "poſted", "bylıne", "<tİme", "autİor"]
    for chunk in _random_texts(words, 20_000, seed=1):
        assert prefilter._keeps(chunk) == bool(prefilter._KEEP.search(chunk)), chunk


def _kind_by_definition(names: str) -> str | None:
    """The first kind whose words (exact, or as prefixes) a class string holds; a class naming
    an embedded post the article never keeps is that first."""
    if set(names.split()) & classwords.REMOVED_EMBEDS:
        return "embedded post"
    words = {w for w in re.split(r"[^a-z0-9]+", names) if w}
    for kind, listed in classwords.CLASS_WORDS.items():
        if kind == "share bar" and words & classwords.EMBED_WORDS:
            continue
        for word in listed:
            if word.endswith("*") and any(w.startswith(word[:-1]) for w in words):
                return kind
            if not word.endswith("*") and word in words:
                return kind
    return None


@pytest.mark.parametrize("seed", [2, 3])
def test_class_kinds_judged_word_by_word_match_the_definition(seed: int) -> None:
    words = [w.rstrip("*") for listed in classwords.CLASS_WORDS.values() for w in listed]
    # Sorted: a set's order changes with the string hash seed, and the draws with it.
    words += [*sorted(classwords.EMBED_WORDS), "main", "shareholder", "x2", "-", " ", "_"]
    words += ["instagram-media", "tiktok-embed"]  # removed embeds, whole
    rng = random.Random(seed)
    for _ in range(5_000):
        names = rng.choice([" ", "-", "_"]).join(rng.choices(words, k=rng.randint(0, 5)))
        assert classwords._kind_of_names(names) == _kind_by_definition(names), names


@pytest.mark.parametrize("seed", [5, 6])
def test_class_kind_from_class_and_id_apart_is_the_whole_strings_kind(seed: int) -> None:
    words = [w.rstrip("*") for listed in classwords.CLASS_WORDS.values() for w in listed]
    words += [*sorted(classwords.EMBED_WORDS), "instagram-media", "label", "title", "hidden"]
    words += ["print", "only", "no", "visible", "d", "overflow", "x", "Nav", "ΑΣ", "-", "_", " "]
    words += ["has", "with", "without", "right", "sidebars"]  # the sidebar beside a column
    # Phrases the random draws rarely make: each rule of the whole string, on either part.
    phrases = ["main-with-right-sidebar", "has-sidebar", "no_sidebar", "label-hidden nav"]
    phrases += ["d-print-none", "print-only", "overflow-x-hidden", "instagram-media"]
    for phrase in phrases:
        for attrs in ({"class": phrase}, {"id": phrase}, {"class": "box", "id": phrase}):
            tag = Tag(name="div", attrs=attrs)
            whole = classwords._kind_of_names(classwords.names_of(tag))
            assert classwords.class_kind(tag) == whole, attrs
    rng = random.Random(seed)
    for _ in range(5_000):
        attrs = {}
        for attribute in ("class", "id"):
            if rng.random() < 0.7:
                attrs[attribute] = rng.choice([" ", "-", "_", ""]).join(
                    rng.choices(words, k=rng.randint(0, 4))
                )
        tag = Tag(name="div", attrs=attrs)
        names = classwords.names_of(tag)
        whole = classwords._kind_of_names(names) if names.strip() else None
        assert classwords.class_kind(tag) == whole, attrs


def test_word_counts_split_where_the_pattern_does() -> None:
    cjk = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
    unspaced = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")  # Thai, Lao ...

    def reading_by_definition(text: str) -> int:
        tokens = re.findall(r"\S+", text)
        return sum(max(1, len(cjk.findall(t)) // 2 + len(unspaced.findall(t)) // 5) for t in tokens)

    alphabet = ["a", "b", " ", "\t", "\n", "\xa0", "\u3000", "\u2028", "\x1c", "\x85", "日", "語"]
    alphabet += ["ก", "ห", "\u0e49"]  # Thai letters and a tone mark
    for text in _random_texts(alphabet, 20_000, seed=4):
        assert reading_words(text) == reading_by_definition(text), repr(text)


def test_inline_cleaning_answers_as_its_definition() -> None:
    hidden = text_module._HIDDEN_CODES
    controls = text_module._SPACE_CONTROLS

    def clean_by_definition(text: str) -> str:
        text = "".join(c for c in text if ord(c) not in hidden)
        return re.sub(r"\s+", " ", text).strip()

    def visible_by_definition(text: str) -> str:
        return "".join(c for c in text if ord(c) not in hidden and ord(c) not in controls)

    alphabet = ["a", "b", " ", "\t", "\n", "\r", "\xa0", "\u3000", "\u2028", "\x1c", "\x85",
                "\x00", "\x1b", "\x7f", "\xad", "\u200b", "\u202e", "\ufeff", "é"]  # fmt: skip
    texts = _random_texts(alphabet, 20_000, seed=5)
    # Long texts too, ASCII and not: past a length, ASCII is cleaned by another path.
    rng = random.Random(6)
    ascii_only = [c for c in alphabet if c.isascii()]
    for size in (499, 500, 501, 3_000):
        for letters in (ascii_only, alphabet):
            texts += ["".join(rng.choices(letters, k=size)) for _ in range(20)]
    for text in texts:
        assert clean_inline(text) == clean_by_definition(text), repr(text)
        assert visible(text) == visible_by_definition(text), repr(text)


def test_letter_tree_patterns_match_what_plain_alternations_match() -> None:
    names = sorted(soup_module.BLOCK_TAGS | set(soup_module._PRUNED) | {"h", "th", "thead"})
    tree = re.compile(f"(?:{soup_module.alternation(names)})")
    candidates = {n[:i] for n in names for i in range(len(n) + 1)} | {n + "x" for n in names}
    for word in candidates:
        assert bool(tree.fullmatch(word)) == (word in names), word
    # The patterns built on it find what the plain alternations find, on random markup.
    plain_block = rf"</?(?:{'|'.join(sorted(soup_module.BLOCK_TAGS))})(?![a-zA-Z0-9])"
    plain_gap = re.compile(rf">\s+(?=(?ai:{plain_block}))")
    plain_open = re.compile(rf"<({'|'.join(soup_module._PRUNED)})\b|<!--", re.I)
    pieces = ["<", "</", ">", " ", "\n", "div", "DiV", "p", "pre", "header", "head", "h1", "h7",
              "li", "link", "script", "SCRIPT", "scripts", "svg", "!--", "x", "ſcript"]  # fmt: skip
    for markup in _random_texts(pieces, 20_000, seed=7):
        assert soup_module._GAP_BEFORE_BLOCK.sub(">", markup) == plain_gap.sub(">", markup)
        found = [(m.span(), m.group(1)) for m in soup_module._PRUNE_OPEN.finditer(markup)]
        assert found == [(m.span(), m.group(1)) for m in plain_open.finditer(markup)], markup


@pytest.mark.parametrize("head_size", [5, 20, 60, 120])
def test_removal_sample_from_the_head_is_the_sample_of_the_whole(head_size: int) -> None:
    pieces = ["<a href=x>", "</a>", "<b>", "<", ">", " ", "\n", "word ", "Wort ", "&amp;", "&amp",
              "&#x41;", "&", ";", "\u200b", "\xa0", "x", "é", "<br/>", "<!-- c -->"]  # fmt: skip
    # Mostly words, so that heads often hold more than a sample's worth of them.
    weights = [1] * len(pieces)
    weights[pieces.index("word ")] = weights[pieces.index("Wort ")] = 12
    rng = random.Random(8)
    for _ in range(20_000):
        chunk = "".join(rng.choices(pieces, weights, k=rng.randint(0, 60)))
        text = prefilter._text(chunk)
        whole = sample(text) if text else ""
        assert prefilter.removal_sample(chunk, head_size) == whole, repr(chunk)
    # A "<" left open in the head is closed after it: that text is a tag, not words.
    chunk = "<i>x</i>< " + "w " * 20 + "<u>y</u> z <b>tail</b>"
    assert prefilter.removal_sample(chunk, 40) == "x y z tail" == sample(prefilter._text(chunk))


def _case_blind_patterns() -> list[re.Pattern[str]]:
    from archive.parse import blocks, clean, content, labels
    from archive.parse.meta import bylines, pagedates

    return [
        labels.AD_LABEL,
        labels.BOX_HEADING,
        labels.AUTHOR_HEADING,
        pagedates._ANY_MARK,
        pagedates._DATE_MARK,
        pagedates._NOT_PUBLISHED,
        pagedates._OTHER_THINGS,
        pagedates._COMMENTS,
        content._POSITIVE,
        blocks._CAPTION_CLASS,
        bylines._BYLINE_TEXT,
        bylines._COMMENTS,
        bylines._PICTURE_CREDIT,
        clean._AD_LABEL.pattern,
    ]


@pytest.mark.parametrize("seed", [7, 8])
def test_case_blind_patterns_answer_as_ignorecase_does(seed: int) -> None:
    from archive.parse.caseblind import CaseBlind

    pieces = ["Date", "TIME", "publish", "By ", "by", "Ad", "Related Stories", "Tags", "ſ", "K"]
    pieces += ["Author", "BYLINE", "Comment", "Caption", "Story", " ", "-", ":", "é", "İ", "ı"]
    pieces += ["About the author", "Advertisement", "x", "ARTICLE-body", "Photo", "Reply"]
    for pattern in _case_blind_patterns():
        fast = CaseBlind(pattern)
        assert fast.quick, pattern.pattern  # a rule that turns it off costs speed, not answers
        rng = random.Random(seed)
        for _ in range(2_000):
            text = "".join(rng.choices(pieces, k=rng.randint(0, 4)))
            assert fast.found(text) == bool(pattern.search(text)), (pattern.pattern, text)
            assert fast.starts(text) == bool(pattern.match(text)), (pattern.pattern, text)


def test_case_blind_runs_the_pattern_itself_where_lowered_text_cannot_stand_for_it() -> None:
    from archive.parse.caseblind import CaseBlind

    for source in ("[A-Z]x", r"\x41", r"(a)\1", "(?-i:a)b", "ſ", "\u212a", r"a\tb", r"\\S"):
        fast = CaseBlind(re.compile(source, re.I))
        assert not fast.quick, source
        for text in ("Ax", "ax", "A", "aa", "AB", "s", "k", "a\tb", "\\S", "\\s"):
            assert fast.found(text) == bool(re.search(source, text, re.I)), (source, text)
    assert not CaseBlind(re.compile("abc")).quick  # not case-blind at all
    assert not CaseBlind(re.compile("abc")).found("ABC")
    assert CaseBlind(re.compile(r"^\s*\w+\S\b(?!x)", re.I)).starts("  Word!")


def test_marked_cards_are_find_all_by_the_mark() -> None:
    from archive.parse import listing

    doc = parse(
        '<html><body><div><div data-archive-dek="1"><h3>a</h3><p data-archive-dek="1">b</p>'
        '</div><p data-archive-dek="0">c</p><span data-archive-dek="1">d</span></div></body></html>'
    )
    for tag in (node for node in doc.nodes if isinstance(node, Tag)):
        assert listing._marked_cards(tag) == tag.find_all(True, {listing.DEK_MARK: "1"})


def test_link_density_with_kept_link_sizes_and_stripped_length_match_their_definitions() -> None:
    from archive.parse.clean import link_density, stripped_length, text_of

    doc = parse(PAGE.replace("<pre>", " \n <p> </p><pre>"))
    linked: dict[int, int] = {}
    for tag in (node for node in doc.nodes if isinstance(node, Tag)):
        strings, links = strings_and_links(tag)
        total = len("".join(strings).strip())
        expected = 0.0
        if total:
            expected = min(1.0, sum(len(text_of(a).strip()) for a in links) / total)
        assert link_density(tag) == link_density(tag, linked) == expected
    rng = random.Random(9)
    for _ in range(3_000):
        strings = _random_texts(
            [" ", "\n", "\u00a0", "a", "é", ""], rng.randint(0, 4), rng.random()
        )
        assert stripped_length(strings) == len("".join(strings).strip()), strings
