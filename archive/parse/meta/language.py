"""The language of a text, for pages that do not say: by script, then by common words.

Small on purpose: a page's own ``lang`` and meta tags come first; this only answers the common
cases (the main scripts, and a dozen languages written in Latin letters) when they are silent.
"""

import re
from collections import Counter

# Scripts that name their language (or nearly) by themselves, checked in this order.
_SCRIPTS = (
    ("ko", re.compile("[\uac00-\ud7af]")),
    ("ja", re.compile("[\u3040-\u30ff]")),
    ("zh", re.compile("[\u4e00-\u9fff]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
    ("ar", re.compile("[\u0600-\u06ff]")),
    ("he", re.compile("[\u0590-\u05ff]")),
    ("el", re.compile("[\u0370-\u03ff]")),
    ("th", re.compile("[\u0e00-\u0e7f]")),
    ("hi", re.compile("[\u0900-\u097f]")),
)
# The most frequent short words of each language written in Latin letters.
_STOPWORDS = {
    "en": "the and of to in is that for it with was on as are be this by have from",
    "de": "der die und das ist nicht ein eine zu den mit sich des auf für im dem auch",
    "es": "el la de que y en los las del se por un una para con es al lo como más",
    "fr": "le la les de des et est un une du en que qui dans pour pas sur au avec",
    "pt": "o a os as de que e do da em um uma para com não é no na por mais dos",
    "it": "il la di che e è un una per non in del della con sono si le gli anche",
    "nl": "de het een en van is dat op te in niet met voor zijn er aan ook als",
    "sv": "och att det som en på är av för med den till inte har de om ett",
    "pl": "i w nie na się z że do to jest jak o co ale po tak od za",
    "tr": "ve bir bu da de için ile çok ne olarak daha gibi olan ama",
    "id": "yang dan di ini itu dengan untuk dari dalam tidak akan pada juga",
}
_WORDS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
# The languages each common word belongs to, in _WORDS' order: one lookup per token of the
# text instead of one per token and language.
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _lang, _words in _WORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _lang)
_TOKEN = re.compile(r"[^\W\d_]+")
# Below this many hits of the best language's common words, say nothing.
MIN_HITS = 5


def detect_language(text: str) -> str | None:
    """The primary language subtag of ``text``, or None when unsure."""
    sample = text[:5000]
    letters = len(_TOKEN.findall(sample[:2000])) or 1
    for lang, script in _SCRIPTS:
        if len(script.findall(sample[:2000])) > letters * 0.3:
            return lang
    hits: Counter[str] = Counter()
    languages_of = _LANGUAGES_OF.get
    for token in _TOKEN.findall(sample.lower()):
        for lang in languages_of(token, ()):
            hits[lang] += 1
    if not hits:
        return None
    ranked = [*hits.most_common(2), ("", 0)]
    (best, count), (_, runner_up) = ranked[0], ranked[1]
    return best if count >= MIN_HITS and count > 1.3 * runner_up else None
