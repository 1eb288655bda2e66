"""Finding the main-content node: paragraphs vote for their ancestors, links count against.

The idea is Readability's: every paragraph of running text adds a score to its parent and, less,
to the ancestors above; the best-scored element, discounted by its share of link text, is the
article body, joined by those of its siblings that score nearly as well.
"""

import re

from bs4 import NavigableString, Tag

from archive.parse.blocks import LAYOUT_IN_CELL
from archive.parse.caseblind import CaseBlind
from archive.parse.classwords import is_embedded_post, own_classes
from archive.parse.clean import class_kind, link_density
from archive.parse.text import FULL_STOPS, SENTENCE_ENDS, reading_length, reading_words
from archive.parse.tree.measure import stripped_strings, tag_text, tags_under
from archive.parse.tree.soup import Document, is_gone

# Elements whose text votes, and the least text (in characters) that counts as running text.
PARAGRAPHS = ("p", "pre", "td", "blockquote")
# Containers whose own text (outside child blocks) votes as one paragraph; <body> too, for a
# page written as bare text between <br>s with no element around it.
TEXT_CONTAINERS = ("div", "section", "article", "main", "font", "center", "body")
SCORED = PARAGRAPHS + TEXT_CONTAINERS
INLINE = {
    "a", "b", "strong", "i", "em", "span", "font", "u", "small", "big", "sub", "sup", "mark",
    "abbr", "cite", "q", "time", "code", "s", "del", "ins", "br",
}  # fmt: skip
MIN_PARAGRAPH = 25
# Items of a list or of a description list: paragraphs on the second try only.
LIST_ITEMS = ("li", "dd")
# Containers that, holding text and inline elements only, are paragraphs by another name: the
# body's first paragraphs beside the container of the rest ("read all") join the body as a <p>.
PARAGRAPH_LIKE = ("div", "section")
# Candidates scoring at least this share of the best are rivals; this many rivals under one
# ancestor make that ancestor the body.
ALTERNATIVE_SHARE = 0.75
# Only this many candidates, best raw score first, are ranked with their link density.
MAX_RANKED = 40
MIN_RIVALS = 3
# This many teaser cards make their summaries suspect as votes (as ``listing.MIN_CARDS``).
MIN_CARDS = 3
# A body outside the teaser cards stands when it scores at least this share of the best.
CARDLESS_SHARE = 0.5
# Class and id words that make an element likelier (or not) to be the article body.
_POSITIVE = re.compile(
    r"article|body|content|entry|main|page|post|story|text|blog|prose|rich|markdown", re.I
)
_POSITIVE_NAMES = CaseBlind(_POSITIVE)  # (tested quickly: see ``caseblind``)
_TAG_BONUS = {
    "div": 5, "article": 10, "section": 3, "main": 5, "pre": 3, "td": 3, "blockquote": 3,
    "form": -3, "ol": -3, "ul": -3, "li": -3, "h2": -5, "th": -5,
}  # fmt: skip
# Commas of the scripts that write them apart from the Latin one (counted one by one: four
# counts of a character are cheaper than one pattern's list of matches).
_COMMA_MARKS = (",", "，", "、", "،")


def _class_bonus(tag: Tag) -> float:
    bonus = 0.0
    ident = tag.get("id")
    names = f"{own_classes(tag)} {ident}" if isinstance(ident, str) else own_classes(tag)
    if names and _POSITIVE_NAMES.found(names):
        bonus += 25
    if class_kind(tag):
        bonus -= 25
    if tag.get("itemprop") == "articleBody":
        bonus += 50
    return bonus


def paragraph_score(text: str) -> float:
    """What one paragraph's text is worth: more for longer text and more clauses."""
    commas = sum(map(text.count, _COMMA_MARKS)) if "," in text or not text.isascii() else 0
    return 1 + commas + min(reading_length(text) / 100, 3)


def _direct_text(tag: Tag) -> str:
    """The text a container holds itself (strings and inline children), as a virtual <p>."""
    parts = []
    for child in tag.children:
        if isinstance(child, NavigableString):
            parts.append(str(child))
        elif isinstance(child, Tag) and child.name in INLINE and _flat(child):
            parts.append(tag_text(child))
    return "".join(parts)


def _flat(tag: Tag) -> bool:
    """True for an inline element without block children (a <span> wrapping a <div> is no text)."""
    return not any(isinstance(c, Tag) and c.name not in INLINE for c in tag.children)


def score_candidates(voters: list[Tag]) -> dict[int, tuple[Tag, float]]:
    """Every element that holds paragraphs, with its score (before link discount).

    A <p> votes for its parent and ancestors; a container with running text of its own (text
    between <br>s, as many older and Asian sites write) votes for itself first, as if its text
    were wrapped in a <p>.
    """
    scores: dict[int, tuple[Tag, float]] = {}
    for para in voters:
        if (para.name in PARAGRAPHS and not _is_layout_cell(para)) or para.name in LIST_ITEMS:
            text, first = tag_text(para), para.parent
        else:
            text, first = _direct_text(para), para
        if reading_length(text.strip()) < MIN_PARAGRAPH:
            continue
        points = paragraph_score(text)
        ancestor = first
        for level in range(3):
            if not isinstance(ancestor, Tag) or ancestor.name in ("html", "[document]"):
                break
            if id(ancestor) not in scores:
                base = _TAG_BONUS.get(ancestor.name, 0) + _class_bonus(ancestor)
                scores[id(ancestor)] = (ancestor, base)
            tag, score = scores[id(ancestor)]
            divider = 1 if level == 0 else 2 if level == 1 else level * 3
            scores[id(ancestor)] = (tag, score + points / divider)
            ancestor = ancestor.parent
    return scores


def _is_layout_cell(tag: Tag) -> bool:
    """A <td> holding blocks (a nested table, paragraphs, lists: a column of the page, as
    ``blocks.data_cells`` tells one apart): it votes with its own text only, as a container
    does, so that a layout row does not win with the text of every column it holds."""
    return tag.name == "td" and next(tags_under(tag, LAYOUT_IN_CELL), None) is not None


def _ranked(scores: dict[int, tuple[Tag, float]]) -> list[tuple[Tag, float]]:
    """Candidates by final score (link text discounted), best first."""
    # Link density costs a walk of each subtree: only the best raw scores need it.
    best_raw = sorted(scores.values(), key=lambda pair: pair[1], reverse=True)[:MAX_RANKED]
    linked: dict[int, int] = {}  # each link's characters, read once for all its candidates
    ranked = [(tag, score * (1 - link_density(tag, linked))) for tag, score in best_raw]
    ranked.sort(key=lambda pair: pair[1], reverse=True)
    return ranked


def _promote(top: Tag, top_score: float, ranked: list[tuple[Tag, float]]) -> Tag:
    """The ancestor of ``top`` that also holds several near-best candidates, if any.

    An article cut into cards or chunks (each its own wrapper) gives several candidates of
    about the same score; the body is the element that holds them together.
    """
    rivals = [tag for tag, score in ranked[1:10] if score >= ALTERNATIVE_SHARE * top_score]
    if len(rivals) >= MIN_RIVALS:
        found = _holder(top, rivals, MIN_RIVALS)
        if found is not None:
            return _widest_holder(found, [t for t in rivals if _signature(t) == _signature(top)])
    # Chunks of one body often share the top's tag and class: gather them all.
    signature = _signature(top)
    if signature[1]:
        twins = [t for t, score in ranked[1:] if score > 0 and _signature(t) == signature]
        twins = [t for t in twins if top not in t.parents and t not in top.parents]
        if twins:
            return _holder(top, twins, len(twins)) or top
    return top


def _signature(tag: Tag) -> tuple[str, str]:
    classes = tag.get("class")
    return tag.name, " ".join(classes) if isinstance(classes, list) else str(classes or "")


def _holder(top: Tag, others: list[Tag], needed: int) -> Tag | None:
    """The nearest ancestor of ``top`` holding ``needed`` of ``others``, below <body>."""
    other_ancestors = [{id(a) for a in tag.parents} for tag in others]
    ancestor = top.parent
    while isinstance(ancestor, Tag) and ancestor.name not in ("body", "html", "[document]"):
        holding = sum(1 for ancestors in other_ancestors if id(ancestor) in ancestors)
        if holding >= needed:
            return ancestor
        ancestor = ancestor.parent
    return None


def _widest_holder(top: Tag, rivals: list[Tag]) -> Tag:
    """The nearest ancestor of ``top`` holding the most of ``rivals`` (at least MIN_RIVALS).

    A body cut into chunks by a page builder (one row per section, each row its own deep
    wrapper) spreads its near-best candidates over rows whose common ancestor is far up: the
    first ancestor holding a few of them is one row only, and the rest of the body is lost.
    """
    rival_ancestors = [{id(a) for a in tag.parents} for tag in rivals]
    best, most = top, sum(1 for ancestors in rival_ancestors if id(top) in ancestors)
    ancestor = top.parent
    while isinstance(ancestor, Tag) and ancestor.name not in ("body", "html", "[document]"):
        holding = sum(1 for ancestors in rival_ancestors if id(ancestor) in ancestors)
        if holding > most:
            best, most = ancestor, holding
        ancestor = ancestor.parent
    return best


def _lift(top: Tag) -> Tag:
    """The outermost wrapper that holds ``top`` and nothing else of text.

    A page builder wraps each part of a body in wrappers of its own (a row, a column, a
    box): the top's siblings are then inside its wrapper's siblings, and only at that level
    do the other parts sit beside it. Class names used to tie such parts together; the
    wrappers' shape does it without them.
    """
    while True:
        parent = top.parent
        if isinstance(parent, Tag) and _holds_running_text(parent, top):
            top = parent
            continue
        if (
            not isinstance(parent, Tag)
            or parent.name not in TEXT_CONTAINERS
            or parent.name == "body"
        ):
            return top
        if _direct_text(parent).strip() or any(
            child is not top and next(stripped_strings(child), None) is not None
            for child in parent.children
            if type(child) is Tag
        ):
            return top
        top = parent


def _holds_running_text(tag: Tag, top: Tag) -> bool:
    """A container whose own text (between <br>s, around its child blocks) is running text
    at least half as long as the top's: the body written as bare text, with the top only a
    box inside it (a P.S., a quote); not a line beside a body (a newsletter prompt)."""
    if tag.name not in TEXT_CONTAINERS or tag.name == "body":
        return False
    length = reading_length(_direct_text(tag).strip())
    if length <= PARAGRAPH_CHARS or 2 * length < reading_length(tag_text(top).strip()):
        return False
    return link_density(tag) < 0.25


def _sibling_fits(sibling: Tag, scores: dict[int, tuple[Tag, float]], floor: float) -> bool:
    entry = scores.get(id(sibling))
    if entry and entry[1] * (1 - link_density(sibling)) >= floor:
        return True
    if sibling.name in PARAGRAPH_LIKE and not class_kind(sibling):
        # A paragraph boxed in a <div> of its own is judged as the paragraph it holds; not
        # when the box's class names chrome (a cookie notice the gentle passes left in place).
        sibling = _lone_paragraph(sibling) or sibling
    if sibling.name == "p":
        text = tag_text(sibling).strip()
        density = link_density(sibling)
        return (reading_length(text) > 80 and density < 0.25) or (
            density == 0 and text.endswith(FULL_STOPS)
        )
    if sibling.name in PARAGRAPH_LIKE and _flat(sibling):
        return _reads_as_paragraph(sibling)
    return False


def _wrapped_running_text(tag: Tag) -> bool:
    """Running text, in ``tag`` or in the wrappers inside it that hold nearly all its text
    (a wrapper may hold a caption or a label beside the text)."""
    while tag.name in TEXT_CONTAINERS:
        if _running_text(tag):
            return True
        if _direct_text(tag).strip():
            return False
        total = len(tag_text(tag).strip())
        inner = max(
            tag.find_all(True, recursive=False), key=lambda c: len(tag_text(c)), default=None
        )
        if inner is None or len(tag_text(inner).strip()) < PART_SHARE * total:
            return False
        tag = inner
    return False


# A part of the body: at least this many paragraphs, and paragraphs and headings at least this
# share of its text.
PART_PARAGRAPHS = 2
PART_SHARE = 0.8
# The blocks of running text: paragraphs, headings between them, quotes.
PART_BLOCKS = ("p", "h2", "h3", "h4", "blockquote")


def _running_text(tag: Tag) -> bool:
    """A container of running text: paragraphs that read as such (headings between them), as
    a part of the body in a wrapper of its own is, beside the part that won."""
    if tag.name not in PARAGRAPH_LIKE:
        return False
    # The cheap tests first (the children), then the walks of the whole subtree.
    paragraphs = [c for c in tag.children if type(c) is Tag and c.name in PART_BLOCKS]
    prose = [c for c in paragraphs if c.name == "p" and _paragraph_text(c)]
    if len(prose) < PART_PARAGRAPHS or link_density(tag) >= 0.25:
        return False
    total = len(tag_text(tag).strip())
    text = sum(len(tag_text(c).strip()) for c in paragraphs)
    return total > 0 and text >= PART_SHARE * total


def _paragraph_text(tag: Tag) -> bool:
    text = tag_text(tag).strip()
    return reading_length(text) >= MIN_PARAGRAPH and text.endswith(SENTENCE_ENDS)


def _part_fits(sibling: Tag) -> bool:
    """A sibling of the body's outermost wrapper that is a part of the body: running text in
    wrappers of its own (a score there is mostly the wrappers' class and tag bonuses)."""
    return sibling.name in PARAGRAPH_LIKE and _wrapped_running_text(sibling)


def _lone_paragraph(tag: Tag) -> Tag | None:
    """The <p> that is all ``tag`` holds (no other element, no text of its own), if any."""
    found = None
    for child in tag.children:
        if isinstance(child, Tag):
            if found is not None or child.name != "p":
                return None
            found = child
        elif child.strip():
            return None
    return found


# A <div> of text alone reads as a paragraph with more than this many characters, or with
# this many words ending as a sentence does (a meta line "· 20.02.2024 · 3 Min." has fewer).
PARAGRAPH_CHARS = 80
SENTENCE_WORDS = 8


def _reads_as_paragraph(tag: Tag) -> bool:
    text = tag_text(tag).strip()
    length = reading_length(text)
    if length < MIN_PARAGRAPH or link_density(tag) >= 0.25:
        return False
    return length > PARAGRAPH_CHARS or (
        reading_words(text) >= SENTENCE_WORDS and text.endswith(SENTENCE_ENDS)
    )


def _inside_embedded_posts(doc: Document) -> set[int]:
    """The elements inside embedded posts (tweets, Instagram posts): they quote another voice
    and do not vote for where the article is (they stay in it when the article holds them)."""
    inside: set[int] = set()
    # The embed scripts' markup before they run: a <blockquote> holding the post's text (the
    # <div> kinds are empty until a script fills them), so only blockquotes are looked at.
    for tag in doc.by_name.get("blockquote", ()):
        if tag.attrs and is_embedded_post(tag) and not is_gone(tag):
            inside.add(id(tag))
            inside.update(id(t) for t in tag.find_all(True))
    return inside


def _in_cards(cards: list[Tag]) -> set[int]:
    """The elements inside the page's live teaser cards, the cards included."""
    inside: set[int] = set()
    for card in cards:
        if not is_gone(card):
            inside.add(id(card))
            inside.update(id(tag) for tag in card.find_all(True))
    return inside


def _outside_cards(
    cards: list[Tag],
    voters: list[Tag],
    scores: dict[int, tuple[Tag, float]],
    ranked: list[tuple[Tag, float]],
) -> tuple[dict[int, tuple[Tag, float]], list[tuple[Tag, float]]]:
    """The candidates when teaser summaries do not vote, if they rank well enough.

    On a page with many teaser cards (a short article beside a big block of related stories),
    the summaries' votes add up and outscore a short body, and the page is refused as a list
    of teasers. A body outside the cards that scores at least CARDLESS_SHARE of the best
    stands; a front has no such body, and its cards stay the candidates.
    """
    inside = _in_cards(cards)
    rest = [voter for voter in voters if id(voter) not in inside]
    if len(rest) == len(voters):
        return scores, ranked
    own_scores = score_candidates(rest)
    own = _ranked(own_scores)
    if own and own[0][1] >= CARDLESS_SHARE * ranked[0][1]:
        return own_scores, own
    return scores, ranked


# The page's one <main> (else its one <article>) holds the body when a candidate in it scores
# at least this share of the best outside it.
LANDMARK_SHARE = 0.5
LANDMARKS = ("main", "article")


def _in_landmark(doc: Document, ranked: list[tuple[Tag, float]]) -> tuple[Tag, float]:
    """The best candidate, or the best inside the page's own landmark when that one is
    outside it: a cookie notice or a long comment, which class names used to remove, can
    outscore a body cut into chunks, but the page's markup says where its content is."""
    top, top_score = ranked[0]
    for name in LANDMARKS:
        found = doc.tags(name)
        if len(found) != 1:
            continue
        landmark = found[0]
        if top is landmark or landmark in top.parents or top in landmark.parents:
            return top, top_score
        for tag, score in ranked[1:]:
            if score < LANDMARK_SHARE * top_score:
                break
            if landmark in tag.parents:
                return tag, score
        return top, top_score
    return top, top_score


def main_content(doc: Document, list_items: bool = False) -> list[Tag]:
    """The elements that together hold the article body, in document order.

    ``list_items``: list items vote too, as paragraphs (the second try on a refused page: a
    notice or brief written as bullet points, a post in a <dd>). Not on the first try: there,
    menus and link lists would outvote many a body.
    """
    voters = doc.tags(*SCORED)
    if list_items:
        voters += doc.soup.find_all(LIST_ITEMS)
    quoted = _inside_embedded_posts(doc)
    if quoted:
        voters = [v for v in voters if id(v) not in quoted]
    scores = score_candidates(voters)
    ranked = _ranked(scores)
    if not ranked:
        return []
    if len(doc.cards) >= MIN_CARDS:
        scores, ranked = _outside_cards(doc.cards, voters, scores, ranked)
    top, top_score = _in_landmark(doc, ranked)
    promoted = _promote(top, top_score, ranked)
    top = _lift(promoted)
    parent = top.parent
    if not isinstance(parent, Tag) or parent.name in ("html", "[document]"):
        return [top]
    floor = max(10.0, top_score * 0.2)
    lifted = top is not promoted
    if lifted and top.name in LANDMARKS:
        return [top]  # the page's own content element: what is beside it is the page's
    # Above the body's own wrappers, a lone line beside them is the page's (a disclosure, a
    # copyright): only parts of the body in wrappers of their own join there.
    top_text = _squeezed(top) if lifted else ""
    chosen = []
    for sibling in (child for child in parent.contents if type(child) is Tag):
        if sibling is top or (
            _part_fits(sibling) and not _repeats(sibling, top_text)
            if lifted
            else _sibling_fits(sibling, scores, floor)
        ):
            chosen.append(sibling)
    return chosen


# A part whose first this many characters are already in the top's text is a copy of it.
REPEAT_CHARS = 200


def _squeezed(tag: Tag) -> str:
    return " ".join(tag_text(tag).split())


def _repeats(part: Tag, top_text: str) -> bool:
    """A copy of the body beside it (a recommended-stories block that opens with this very
    story, a print copy): it says nothing the body does not."""
    head = _squeezed(part)[:REPEAT_CHARS]
    return len(head) >= MIN_PARAGRAPH and head in top_text
