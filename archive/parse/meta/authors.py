"""Authors: JSON-LD, then author <meta> tags, then the visible byline ("By A and B")."""

import re
from collections.abc import Callable
from typing import Any

from bs4 import Tag

from archive.parse.meta import jsonld
from archive.parse.meta.bylines import (
    byline_candidates,
    credits_a_picture,
    in_comments,
    lines,
    text_bylines,
)
from archive.parse.meta.titles import unescape
from archive.parse.text import clean_inline
from archive.parse.tree.soup import Document

# Words that mark a byline part as a job title, a date or a source, not a person's name.
_NOT_NAME = re.compile(
    r"\b((reporter|editor|correspondent|writer|contributor|columnist|bureau|desk|producer|"
    r"journalist|intern|analyst|photographer)s?|staff|photograph\w*|updated|published|"
    r"news service|min read|read more|follow|media|news|press|agency|network|group|"
    r"veröffentlicht|eingestellt|gespeichert|geschrieben|publié|publicado|pubblicato|"
    r"autoren|autorinnen|authors|gastautor\w*|"
    r"copyright|©|"
    r"magazine|newspaper|online|international)\b|\d|@|https?:|\.(com|org|net|co|uk)\b|"
    # a label left in ("Schlagwörter: Politik"), a CMS account's name ("KB_Redaktion")
    r"[:：_]",
    re.I,
)
_BY_PREFIX = re.compile(
    r"^\s*((posted|written|published|reported|words|story|text|photos?|geschrieben|"
    r"veröffentlicht|verfasst|erstellt|eingestellt|gespeichert|publié|écrit|publicado|escrito|"
    r"pubblicato|scritto)\s+)?"
    r"(by|von|vom|durch|por|par|door|przez|af|av|author|autor|autorin|auteur|بقلم)\b[:\s]*",
    re.I,
)
# Italian "di Giulia Bianchi": "di" is a label only before two words or more, for it also
# starts surnames ("Di Stefano").
_DI_PREFIX = re.compile(r"^\s*di\s+(?=\S+\s+\S)", re.I)
# A picture's credit line: its names are not the article's authors.
_CREDIT = re.compile(
    r"^\s*(foto|photo|фото|bild|image|illustration|grafik|credit)s?\s*(:|by\b)", re.I
)
# Tags left in a JSON-LD name by a template that pasted the author's link.
_MARKUP = re.compile(r"<[^>]*>")
# A leading label ("Text:", "Текст:", "Autor:", "लेखक:", "作者：") before the names; in scripts
# with vowel signs (Devanagari) a word holds marks that are not letters, so any non-space goes.
_LABEL = re.compile(r"^[^\W\d_][^\s\d:：]{1,11}\s?[:：]\s*")
# A reporter's title written before (Chinese "记者") or after (Korean "기자") the name.
_REPORTER_WORD = re.compile(r"^(?:记者|記者)\s*|\s*(?:기자|특파원|記者|记者|特派員)$")
# Where a name ends inside a part: a date or weekday after it, a sentence, a dash, "for".
_AFTER_NAME = re.compile(
    r"\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|for|-|–|—|"
    # a weekday in another language ("Frankfurt Montag, 09.01.2023" once <br> became a space)
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|"
    r"vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|"
    r"martedì|mercoledì|giovedì|venerdì|sabato|domenica|maandag|dinsdag|woensdag|donderdag|"
    r"vrijdag|zaterdag|zondag)\b.*|\s*•.*|"
    r"(?<=[a-z]{2})\.\s+.*|"
    # a role or a category after the name ("Ana Ruiz (Pressesprecherin)", "by Ana under News")
    r"\s*\(.*|\s+(?-i:under|in)\s+.*|"
    # a date after the name ("VON MORITZ GATHMANN am 21. April 2020", "Ana Ruiz on 3 May")
    r"\s+(?:am|on|le|el|il|den|em)\s+\d.*|"
    # a photo credit after the name ("Anna Weber Foto: Paul Brandt")
    r"\s+(?:foto|photo|фото|bild|image|illustration|grafik)s?\s*:.*|"
    # a link to the author's page ("Julia Deutsch Alle Artikel", "Tom Bell View all posts")
    r"\s+(?:alle\s+(?:artikel|beiträge)|(?:view\s+)?all\s+(?:posts|articles|stories)|"
    r"mehr\s+(?:von|artikel)|more\s+(?:from|by)|tous\s+les\s+articles)\b.*",
    re.I,
)
# What an organisation's name has not: digits, addresses, sentences' punctuation.
# A digit inside a word ("News4Max Staff") is part of a name; one that starts a number is not.
_NO_ORGANIZATION = re.compile(r"(?<![^\W_])\d|@|https?:|[!?:;]|\.(com|org|net)\b", re.I)
_ORGANIZATION_TYPES = {"newsmediaorganization", "corporation", "governmentorganization"}
# Roles that stand in a byline field where no one is named.
_ROLES = {"admin", "administrator", "editor", "publisher", "author", "user", "guest",
          "webmaster", "root", "unknown", "anonymous", "dr", "prof", "name"}  # fmt: skip
# "Doe, Jane": one person written surname first.
_LAST_FIRST = re.compile(r"[^\W\d_][\w'’-]+,\s*[^\W\d_][\w'’.-]+")
# Weekdays (and days) that a byline's date puts beside the names, in the commonest languages.
_CALENDAR_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "montag",
    "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag", "lundi",
    "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lunes", "martes",
    "miércoles", "jueves", "viernes", "sábado", "domingo", "lunedì", "martedì", "mercoledì",
    "giovedì", "venerdì", "sabato", "domenica", "today", "heute", "yesterday", "gestern",
}  # fmt: skip
# Lower-case words that belong inside names ("Ludwig van Beethoven", "María de la Cruz").
_PARTICLES = {"de", "la", "le", "van", "von", "der", "den", "da", "di", "du", "dos", "das", "del",
              "bin", "al", "el", "ter", "zu", "y"}  # fmt: skip
# Conjunctions are matched in lower case only, so that an initial "E." is not an "e" ("and").
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\||&|·|(?<!\d)/|\b(?:and|AND|und|y|et|e|en)\b)\s*")
_META_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
              "dcterms.creator", "citation_author")  # fmt: skip


def split_byline(text: str) -> list[str]:
    """ "By A, Chief Editor and B" gives ["A", "B"]: prefix, job titles and sources dropped.

    A comma between two single words is a "Last, First" name, kept whole; a single word after
    a comma is a place or a dateline ("Ana Ruiz, Frankfurt"), dropped.
    """
    text = clean_inline(text)
    if _CREDIT.match(text):
        return []  # "Foto: Ana Ruiz" names who took the picture, not who wrote
    text = _REPORTER_WORD.sub("", _LABEL.sub("", _DI_PREFIX.sub("", _BY_PREFIX.sub("", text))))
    if ";" in text and all(_LAST_FIRST.fullmatch(p.strip()) for p in text.split(";")):
        return [p.strip() for p in text.split(";") if _clean_name(p.replace(",", " "))]
    if _LAST_FIRST.fullmatch(text):
        name = _clean_name(text.replace(",", " "))
        return [text] if name else []
    names = []
    after_comma = False
    for part in _NAME_SPLIT.split(text):
        name = _clean_name(part)
        if name and not (after_comma and " " not in name):
            names.append(name)
        after_comma = True
    return names


def _clean_name(part: str) -> str | None:
    """One person's name out of a byline part, or None when the part is no name.

    Each word of a name starts with a capital, in scripts that have them: a name in Japanese,
    Chinese, Korean, Hindi or Arabic has no case and passes.
    """
    part = _AFTER_NAME.split(part, maxsplit=1)[0].strip(" .:-–—")
    if not part or _NOT_NAME.search(part) or not 1 <= len(part.split()) <= 5:
        return None
    words = [w for w in part.split() if w.lower() not in _PARTICLES]
    if not words or any(not w[0].isalpha() or w[0].islower() for w in words):
        return None
    if words[0] in ("The", "A"):
        return None
    if len(words) == 1 and (words[0].isupper() or _not_person(words[0]) or _newsroom(part)):
        return None  # "WASHINGTON", a dateline; "EFE", "AFP", an agency; "Montag", a weekday
    return part


def _newsroom(text: str) -> bool:
    """The newsroom's generic name ("Redaktion", "Newsroom"): an organisation, no person."""
    return text.strip(" .,").casefold() in _NEWSROOM_WORDS


# What a newsroom calls itself in a byline, in the commonest languages.
_NEWSROOM_WORDS = {"redaktion", "redaction", "rédaction", "redacción", "redazione", "redactie",
                   "redakcja", "editorial", "newsroom", "newsdesk"}  # fmt: skip


def _not_person(word: str) -> bool:
    return word.lower().strip(".,") in _CALENDAR_WORDS or word.lower().strip(".,") in _ROLES


def _is_site(name: str, site: str | None) -> bool:
    """The site's own name ("Automobilwoche" on "Automobilwoche.de"), a template's default."""
    # letters and digits only: "Interscenario" names "INTERSCENAR.IO"
    return bool(site) and _NOT_ALNUM.sub("", _site_key(name)) == _NOT_ALNUM.sub(
        "", _site_key(site or "")
    )


def _site_key(text: str) -> str:
    return _TLD.sub("", text.strip().lower().removeprefix("www."))


def _is_publisher(name: str, site: str | None, host: str | None) -> bool:
    """The site named as author in the metadata: by its name, or by its host ("NDR" on
    ndr.de, "Example.it" or "example.it / Example Online" on example.it, "The Electronic
    Frontier Foundation" on eff.org, by the initials). A template's default, not a byline."""
    if _is_site(name, site):
        return True
    labels = _host_labels(host)
    if not labels:
        return False
    for part in _PUBLISHER_PARTS.split(name):
        key = _NOT_ALNUM.sub("", _site_key(part))
        if key in labels or _domain_labels(part.strip()) & labels:
            return True
        words = [w for w in _NOT_ALNUM.sub(" ", part.lower()).split() if w not in _SMALL_WORDS]
        if len(words) >= 2 and "".join(w[0] for w in words) in labels:
            return True
    return False


def _names_domain(name: str, host: str | None) -> bool:
    """A word of the name is the site's domain ("mix.example Redaktion"): the site's newsroom."""
    labels = _host_labels(host)
    return any(_domain_labels(word) & labels for word in name.split())


def _domain_labels(word: str) -> set[str]:
    """The names of a word that is a domain ("Example.co.uk": example, co), else none."""
    if " " in word or "." not in word.strip("."):
        return set()
    return _host_labels(word.strip("."))


def _host_labels(host: str | None) -> set[str]:
    """The host's names without www and the top-level domain, of three letters or more."""
    labels = (host or "").lower().removeprefix("www.").split(".")[:-1]
    return {_NOT_ALNUM.sub("", label) for label in labels if len(label) >= 3}


# Where a metadata author joins the site's names ("example.it / Example Online").
_PUBLISHER_PARTS = re.compile(r"\s[/|–—-]\s|,\s")
_NOT_ALNUM = re.compile(r"[\W_]+")
# Words an organisation's initials skip ("The Electronic Frontier Foundation": EFF).
_SMALL_WORDS = {"the", "of", "for", "and", "der", "die", "das", "des", "für", "und", "de", "la",
                "le", "les", "du", "et", "el", "los", "y", "di", "del"}  # fmt: skip


# A domain's ending, so that "Automobilwoche.de" names the same site as "Automobilwoche".
_TLD = re.compile(r"\.(com|net|org|de|at|ch|fr|it|es|nl|uk|co\.uk|pl|ru|info|online)$")


def _ld_names(value: Any) -> list[tuple[str, set[str]]]:
    """(name, types) of each JSON-LD author: strings, objects with a name, lists of either."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        kinds = jsonld.types(item) if isinstance(item, dict) else set()
        # a list of names: templates put every author's name in one Person's "name"
        for each in name if isinstance(name, list) else [name]:
            if isinstance(each, str) and "<" in each:
                each = _MARKUP.sub(" ", each)  # '<a href="/experts/ana">Ana Bell</a>'
            if isinstance(each, str) and clean_inline(each):
                found.append((clean_inline(unescape(each)), kinds))
    return found


def _ld_authors(value: Any, site: str | None, host: str | None = None) -> list[str]:
    names: list[str] = []
    for name, kinds in _ld_names(value):
        if _is_publisher(name, site, host):
            continue  # the site or publisher named as author is no person
        if "organization" in kinds or kinds & _ORGANIZATION_TYPES:
            continue  # kept only when no person is named (see ``_organizations``)
        found = split_byline(name)
        if not found and "person" in kinds and _plain_name(name) and not _user_name(name):
            found = [name]  # a Person's name as given, even written in lower case
        names.extend(found)
    return names


def _user_name(text: str) -> bool:
    """A single lower-case word of a cased script: a CMS account ("fhaacker"), no name."""
    return " " not in text and text.islower()


def _plain_name(text: str) -> bool:
    """Short, without digits, addresses, job titles or sources: a name as written."""
    if text.lower() in _ROLES or _newsroom(text):
        return False
    return 1 <= len(text.split()) <= 5 and len(text) <= 60 and not _NOT_NAME.search(text)


def _organization(text: str) -> str | None:
    """A byline that names an organisation ("Associated Press", "dpa", "BBC News")."""
    text = _LABEL.sub("", _BY_PREFIX.sub("", clean_inline(text)))
    text = text.split(",", 1)[0].strip(" .:-–—|")  # "hessenschau.de, Frankfurt": no place
    if not 1 <= len(text.split()) <= 6 or len(text) > 60 or _NO_ORGANIZATION.search(text):
        return None
    if _user_name(text) and len(text) > 4:
        return None  # a CMS user name ("webredakteur", "admin2"), no byline
    return None if _not_person(text) or text.lower() in _ROLES else text


def _organizations(
    ld_author: Any,
    meta: dict[str, list[str]],
    bylines: Callable[[], list[list[Tag]]],
    site: str | None,
    host: str | None = None,
    texts: Callable[[], list[str]] = list,
) -> list[str]:
    """Organisations named as the author, for a page that names no person.

    In JSON-LD and <meta>, the site's own name as author is the template's default, not a
    byline, and so is its newsroom, named by the site's domain ("example.de Redaktion") or
    generically ("Redaktion"),
    unless a byline shows it ("Von Deutscher Tennis Bund", "By Example.co.uk staff"); a
    visible byline that names the newsroom ("By BBC News") is kept.
    """

    def credited(name: str) -> bool:
        if _is_publisher(name, site, host) or _names_domain(name, host) or _newsroom(name):
            return _shown(name, bylines(), texts())
        return True

    found = [_organization(name) for name, _ in _ld_names(ld_author) if credited(name)]
    if not any(found):
        values = [v for key in _META_KEYS for v in meta.get(key, [])]
        found = [_organization(v) for v in values if credited(v)]
    if not any(found):
        first = next((group for group in bylines() if group), [])
        found = [
            _organization(t.get_text(" "))
            for t in first
            if not credits_a_picture(t) and not in_comments(t)
        ]
    return [name for name in found if name][:3]


def _shown(name: str, groups: list[list[Tag]], texts: list[str]) -> bool:
    """The name stands in one of the page's bylines (marked up, or a "By ..." text)."""
    wanted = name.casefold()
    shown = [t.get_text(" ") for group in groups for t in group] + texts
    return any(wanted in clean_inline(text).casefold() for text in shown)


def _text_organizations(texts: list[str]) -> list[str]:
    """An agency named by its acronym in a "By ..." text ("Por EFE", "Von dpa"), for a page
    that names no person. Only an acronym: a longer "By ..." text outside a marked-up byline
    is too often a sentence or a teaser."""
    found = (_organization(text) for text in texts[:1])
    return [name for name in found if name and _ACRONYM.fullmatch(name)]


# An agency's short name: "EFE", "AFP", "dpa", "ANSA".
_ACRONYM = re.compile(r"[A-Z]{2,6}|[a-z]{2,4}")


def _meta_authors(meta: dict[str, list[str]], site: str | None, host: str | None) -> list[str]:
    for key in _META_KEYS:
        names = []
        for value in meta.get(key, []):
            if value.startswith(("http://", "https://", "/")):
                continue  # article:author is often the author's profile URL
            if not _is_publisher(value, site, host):
                names.extend(split_byline(value))
        names = [n for n in names if not _is_site(n, site)]
        if names:
            return names
    return []


def _byline_authors(groups: list[list[Tag]], site: str | None) -> list[str]:
    for group in groups:
        for tag in group:
            text = tag.get_text(" ")
            if len(text) > 200:
                continue  # an author box with a biography, not a byline
            if credits_a_picture(tag) or in_comments(tag):
                continue
            for line in lines(tag) if tag.find("br") else [text]:
                names = [n for n in split_byline(line) if not _is_site(n, site)]
                if names:
                    return names
    return []


def _text_byline_authors(texts: list[str], site: str | None) -> list[str]:
    """The names in the first text byline that names a person."""
    for text in texts:
        names = [n for n in split_byline(text) if not _is_site(n, site)]
        if names:
            return names
    return []


def unique_names(names: list[str]) -> list[str]:
    """Names without repeats (compared case-blind), first spelling kept."""
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.lower(), name)
    return list(unique.values())


def authors(
    ld_author: Any,
    meta: dict[str, list[str]],
    doc: Document,
    site: str | None,
    page_author: Any = None,
    host: str | None = None,
) -> tuple[list[str], str | None]:
    """The article's authors, from the first source that names any, and that source's name:
    "json-ld" (the article's node), "meta", "json-ld" (``page_author``: another page-level
    node's), "byline" (an element marked up as one, or a link to the author's page) or "text"
    ("By ...", "Autor: ..." text); when no source
    names a person, the organisations named as author (an agency, the newsroom), as
    "organization"."""
    walked: list[list[list[Tag]]] = []
    texts: list[list[str]] = []

    def bylines() -> list[list[Tag]]:
        """The byline candidates, found in one walk of the tree on first use."""
        if not walked:
            walked.append(byline_candidates(doc))
        return walked[0]

    def by_texts() -> list[str]:
        """The "By ..." texts near the headline, found on first use."""
        if not texts:
            texts.append(text_bylines(doc))
        return texts[0]

    chain = (
        ("json-ld", lambda: _ld_authors(ld_author, site, host) if ld_author else []),
        ("meta", lambda: _meta_authors(meta, site, host)),
        ("json-ld", lambda: _ld_authors(page_author, site, host) if page_author else []),
        ("byline", lambda: _byline_authors(bylines(), site)),
        ("text", lambda: _text_byline_authors(by_texts(), site)),
    )
    for source, read in chain:
        found = read()
        if found:
            return unique_names(found), source
    organizations = _organizations(ld_author or page_author, meta, bylines, site, host, by_texts)
    organizations = organizations or _text_organizations(by_texts())
    if organizations:
        return unique_names(organizations), ORGANIZATION
    return [], None


# ``authors_from`` for a byline that names an organisation and no person.
ORGANIZATION = "organization"
