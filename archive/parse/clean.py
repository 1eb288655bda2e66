"""Named passes that strip boilerplate from the tree, recording what each one removed.

The selectors and patterns each pass uses sit at the top of this file, beside the code that uses
them. All passes run from one walk over the tree (``clean``), so a page costs one traversal.
"""

import re
from collections.abc import Iterable

from bs4 import NavigableString, PageElement, Tag

from archive.parse.caseblind import CaseBlind
from archive.parse.classwords import class_kind, names_of
from archive.parse.comments import COMMENT_HEADINGS, opens_thread
from archive.parse.labels import AD_LABEL, AUTHOR_BOX_PROSE, AUTHOR_HEADING, BOX_HEADING, BOX_KIND
from archive.parse.text import SENTENCE_ENDS, clean_inline, sample
from archive.parse.tree.measure import (
    Sizes,
    strings_and_links,
    stripped_strings,
    tag_text,
    tags_under,
)
from archive.parse.tree.soup import Document
from archive.records import Removal

# Elements that never hold article text; dropped without a record.
DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "button", "input", "select", "textarea", "label", "dialog", "link",
    "audio", "video", "map", "area",
}  # fmt: skip
# Structural elements that are chrome, with the kind recorded when one is removed.
STRUCTURAL = {"nav": "navigation", "footer": "footer", "aside": "sidebar", "menu": "navigation"}
_NEVER_BY_CLASS = {"html", "body", "main", "article", "figure"}
# Tags judged even without attributes.
_BARE_CHECKED = {*STRUCTURAL, "header", "form"}
# The tags ``tag_kind`` may find a kind for when they have no attributes (a drop tag, a list
# that is a table of contents, a bare structural one): for any other, it returns None.
_JUDGED_BARE = frozenset({*DROP_TAGS, "ul", "ol", *_BARE_CHECKED})
# The share of the page's running text an element classed as chrome must hold to be taken
# for the article all the same (see Cleaner.holds_article); more for an element that calls
# itself a sidebar in so many words, which beside a short article often holds as much text as
# the article. ("rail" and "widget" also name the sidebar kind, but layouts call the column
# that holds the body "...-rail-...__body": those keep the usual share.)
ARTICLE_SHARE = 0.4
SIDEBAR_SHARE = 0.6


def _share_for(tag: Tag, kind: str) -> float:
    return SIDEBAR_SHARE if kind == "sidebar" and "sidebar" in names_of(tag) else ARTICLE_SHARE


# Text elements are removed by class only for these kinds: a paragraph classed "related" may
# well be article text, one classed "byline" never is.
_TEXT_TAGS = {"p", "h1", "h2", "h3", "h4", "li", "span"}
_TEXT_KINDS = {
    "byline", "article meta", "hidden", "ad", "share bar", "newsletter sign-up", "edit link",
}  # fmt: skip
# Inline elements: one in the middle of a sentence is part of it, whatever its class says (a
# link to the topic page of a name the sentence mentions, classed "tag" or "topic-teaser").
_INLINE = {"a", "span", "em", "strong", "b", "i", "u", "mark", "abbr", "small", "font"}
# The words of the text beside such an element that make it part of a sentence: a tag list's
# label ("Tags: ") or separators (", ") have fewer.
SENTENCE_WORDS = 3


class Cleaner:
    """Runs the passes over one tree and keeps the record of what went."""

    def __init__(self, doc: Document, protected: Iterable[Tag] = (), gentle: bool = False) -> None:
        self.doc = doc
        self.gentle = gentle
        soup = doc.soup
        self.removed: list[Removal] = []
        self.protected = set(map(id, protected))
        self.root = doc.body() or soup
        self._total: int | None = None
        # Sizes as parsed answer for every element the walk judges whole: nothing inside it
        # has gone yet (see holds_article). Measured here if something went before the walk.
        self._sizes: Sizes | None = doc.sizes

    def remove(self, tag: Tag, kind: str | None) -> None:
        if kind:
            text = _leading_text(tag)
            if text:
                self.removed.append(Removal(kind=kind, sample=sample(text)))
        decompose(tag)

    def holds_article(self, tag: Tag, whole: bool = False, share: float = ARTICLE_SHARE) -> bool:
        """True for an element holding much of the page's running text: never chrome.

        ``whole``: the element's subtree is as parsed (the walk judges it before anything
        inside it goes), so its sizes are read from one measurement of the tree.
        """
        if id(tag) in self.protected:
            return True
        if whole:
            if self._sizes is None:
                self._sizes = Sizes(self.doc.nodes)
            size, prose = self._sizes.of(tag)
        else:
            size, prose = len(tag_text(tag)), -1
        if size <= 500:
            return False  # cheap test first: all its text, links included, is too little
        if self._total is None:
            self._total = _prose_chars(self.root)  # the page's running text, read once
        floor = max(500, share * self._total)
        return size > floor and (prose if prose >= 0 else _prose_chars(tag)) > floor

    def may_hold_sentence(self, tag: Tag) -> bool:
        """The cheap test before ``_holds_sentence``: enough text outside links (read from the
        sizes as parsed: the walk judges the element whole)."""
        if self._sizes is None:
            self._sizes = Sizes(self.doc.nodes)
        return self._sizes.of(tag)[1] >= SENTENCE_CHARS

    def tag_kind(self, tag: Tag) -> str | None:
        """Why a tag is boilerplate (the removal kind), or None to keep it."""
        name = tag.name
        if name in DROP_TAGS:
            return ""
        if name in _LISTS and _is_contents_list(tag):
            return "table of contents"
        if self.gentle or (not tag.attrs and name not in _BARE_CHECKED):
            return None  # most tags: no class, id or style to judge by
        if _is_hidden(tag):
            return "hidden"
        if name in STRUCTURAL:
            named = class_kind(tag) or STRUCTURAL[name]
            return None if self.holds_article(tag, whole=True) else named
        if name in ("header", "form"):
            # Some sites wrap the whole page in one <form> (ASP.NET): never drop the article.
            if name == "header" and _is_section_heading(tag):
                return None
            return None if self.holds_article(tag, whole=True) else name
        if name in _NEVER_BY_CLASS:
            return None
        kind = class_kind(tag)
        if kind and name in _INLINE and kind != "hidden" and _in_sentence(tag):
            return None
        if kind and name in _TEXT_TAGS and kind not in _TEXT_KINDS:
            return None
        if kind == "header" and self.may_hold_sentence(tag) and _holds_sentence(tag):
            return None
        if kind and not self.holds_article(tag, whole=True, share=_share_for(tag, kind)):
            return kind
        return None

    def remove_contents(self, listing: Tag) -> None:
        """Remove a table of contents with the box that holds it and its title ("Contents")."""
        box = listing.parent
        if (
            isinstance(box, Tag)
            and box.name in ("div", "nav", "section", "details")
            and len(tag_text(box)) - len(tag_text(listing)) <= CONTENTS_TITLE
        ):
            listing = box
        self.remove(listing, "table of contents")

    def run(self) -> list[Removal]:
        # One walk in document order: a tag is judged before anything inside it, so whatever
        # a removal takes with it is skipped when the walk gets there.
        for node in self.doc.nodes:
            if node.__dict__.get("_decomposed"):  # is_gone, inlined: this loop is hot
                continue
            if type(node) is NavigableString:
                # Labels and box headings are short: skip long strings before anything else.
                if len(node) < 200:
                    self.text_pass(node)
            elif isinstance(node, Tag):
                name = node.name
                if name in COMMENT_HEADINGS and self.comments_pass(node):
                    continue
                if not node.attrs and name not in _JUDGED_BARE:
                    continue  # what tag_kind says of most tags, without the call
                kind = self.tag_kind(node)
                if kind == "table of contents":
                    self.remove_contents(node)
                elif kind == "form":
                    self.remove(self.signup_box(node), kind)
                elif kind is not None:
                    self.remove(node, kind)
        return self.removed

    def signup_box(self, form: Tag) -> Tag:
        """The box a form stands in when the box is a sign-up prompt ("PC Gamer Newsletter /
        Sign up to get the best content of the week" above an e-mail field): its heading and
        pitch are no more the article than the field is. Else the form itself."""
        box = form
        form_chars = len(tag_text(form))
        for parent in form.parents:
            if parent.name in ("body", "html", "main", "article", "[document]"):
                break
            text = tag_text(parent)
            if len(text) - form_chars > SIGNUP_PROSE or self.holds_article(parent):
                break
            if _SIGNUP_WORDS.search(text):
                box = parent
        return box

    def text_pass(self, node: NavigableString) -> None:
        text = node.strip()
        if not text or len(text) > 80:
            return
        if _AD_LABEL.starts(text):
            label = _whole_text_holder(node)
            if label is not None and _AD_LABEL.starts(clean_inline(tag_text(label, " "))):
                self.remove(label, "ad label")
        elif _BOX_HEADING.starts(text):
            self.box_pass(node)
        elif _AUTHOR_HEADING.starts(text):
            self.author_pass(node)

    def author_pass(self, node: NavigableString) -> None:
        """An "About the author" heading: remove it with the biography it opens (its box, or
        the element after it)."""
        heading = _whole_text_holder(node)
        if heading is None or heading.name in ("td", "th", "a", "li", "span", "b", "strong"):
            return
        box = heading.parent
        if (
            box is not None
            and box.name not in ("body", "html", "main", "article")
            and _opens(box, heading)
            and _prose_chars(box) < AUTHOR_BOX_PROSE
        ):
            self.remove(box, "author box")
            return
        following = heading.find_next_sibling()
        if following is not None and _prose_chars(following) < AUTHOR_BOX_PROSE:
            self.remove(following, None)
        self.remove(heading, "author box")

    def comments_pass(self, heading: Tag) -> bool:
        """A heading that opens a comment thread: remove it with the thread; True if removed.

        The thread is the heading's box when the box opens with it (and is not the article),
        else everything after the heading at its level.
        """
        if not opens_thread(heading):
            return False
        box = heading.parent
        if (
            box is not None
            and box.name not in ("body", "html", "main", "article", "[document]")
            and _opens(box, heading)
            and not self.holds_article(box)
        ):
            self.remove(box, "comments")
            return True
        for sibling in list(heading.find_next_siblings()):
            self.remove(sibling, None)
        self.remove(heading, "comments")
        return True

    def box_pass(self, node: NavigableString) -> None:
        """A "Related Stories" or "Latest From" heading: remove it with its teaser box."""
        heading = _whole_text_holder(node)
        if heading is None or (heading.name in ("a", "li", "p") and heading.find("a")):
            return
        word = BOX_HEADING.match(node.strip()).group(1).split()[0].lower()  # type: ignore[union-attr]
        kind = BOX_KIND.get(word, "related box")
        box = heading.parent
        # A box opens with its heading: a "Tags" heading at the foot of the body is not the
        # title of the body.
        boxable = (
            box is not None
            and box.name not in ("body", "html", "main", "article")
            and _opens(box, heading)
        )
        if box is not None and boxable and not self.holds_article(box) and _is_teaser_box(box):
            self.remove(box, kind)
            return
        for sibling in list(heading.find_next_siblings()):
            if _ends_section(heading, sibling):
                break  # "See also" ends where the body's next section begins
            # The box's items: lists of links, or whole posts (<article>) shown as teasers.
            if sibling.name in ("article", "ul", "ol") or link_density(sibling) > 0.5:
                self.remove(sibling, None)
        self.remove(heading, kind)


_SUBHEADINGS = ("h2", "h3", "h4", "h5", "h6")
# The pitch beside a sign-up form: at most this many characters outside the form, and a word
# of subscribing in it or in the form.
SIGNUP_PROSE = 300
_SIGNUP_WORDS = re.compile(
    r"newsletter|sign up|subscri|abonn|anmelden|inscri|suscr|iscriviti|assine|e-?mail|inbox|"
    r"posteingang",
    re.I,
)
# The label patterns tested quickly on the page's short strings (see ``caseblind``).
_AD_LABEL = CaseBlind(AD_LABEL)
_BOX_HEADING = CaseBlind(BOX_HEADING)
_AUTHOR_HEADING = CaseBlind(AUTHOR_HEADING)
_LISTS = ("ul", "ol")
# A table of contents: a list of at least this many links, every one to a place on the page
# ("#section-2"), that is nothing but those links. The body repeats each entry as a heading.
CONTENTS_LINKS = 3
# The most text a table of contents' box holds beside the list (its title: "Contents", "Índice").
CONTENTS_TITLE = 40


def decompose(tag: Tag) -> None:
    """``tag.decompose()``: the same steps (the tag taken out of the tree, then every node in
    it emptied and marked gone), with the emptying done on each node's dict. bs4's attribute
    stores cost a third of each removal, and a page's removals take half its nodes."""
    tag.extract()
    node: PageElement | None = tag
    while node is not None:
        following = node.next_element
        fields = node.__dict__
        fields.clear()
        if isinstance(node, Tag):
            fields["name"] = ""
            fields["contents"] = []
        fields["_decomposed"] = True
        node = following


def _in_sentence(tag: Tag) -> bool:
    """True for an element that the words of a sentence run into or out of. A credit after a
    caption's last sentence, or tags after a label ("Topics: "), have text before them that
    ends there and none after."""
    before, after = _beside(tag.previous_sibling), _beside(tag.next_sibling)
    if len(before.split()) + len(after.split()) < SENTENCE_WORDS:
        return False
    return bool(after.strip()) or not before.rstrip().endswith(_CLOSED_BEFORE)


# Text before an element that ends so is closed: a sentence, or a label or separator.
_CLOSED_BEFORE = (".", "!", "?", ":", "|", "•", "·")


def _beside(node: object) -> str:
    return str(node) if type(node) is NavigableString else ""


_LINK = ("a",)


def _is_fragment(href: str) -> bool:
    return href.startswith("#") and len(href) > 1


def _is_contents_list(listing: Tag) -> bool:
    first = next(tags_under(listing, _LINK), None)
    if first is None or not _is_fragment(str(first.get("href", ""))):
        return False  # the quick test: most lists fail it at their first link
    links = list(tags_under(listing, _LINK))
    if len(links) < CONTENTS_LINKS:
        return False
    if not all(_is_fragment(str(a.get("href", ""))) for a in links):
        return False
    return link_density(listing) > 0.9


# A sentence of running text: at least this many characters in one string, ending as a
# sentence does, outside headings and links.
SENTENCE_CHARS = 120
_NOT_PROSE = ("h1", "h2", "h3", "h4", "h5", "h6", "a", "button", "label")


def _holds_sentence(tag: Tag) -> bool:
    """True for an element holding a sentence of running text (see SENTENCE_CHARS).

    A block classed "header" that holds one is the head of the content (a standfirst, an
    introduction, a product's description), not a masthead or an article's byline bar, which
    hold names, dates, counts and links.
    """
    for node in tag.descendants:
        if type(node) is NavigableString and len(node) >= SENTENCE_CHARS:
            text = node.strip()
            parent = node.parent
            if (
                len(text) >= SENTENCE_CHARS
                and text.endswith(SENTENCE_ENDS)
                and parent is not None
                and parent.name not in _NOT_PROSE
            ):
                return True
    return False


def _is_section_heading(header: Tag) -> bool:
    """True for a <header> that holds one subheading and nothing else, no link in it: the head
    of a section of the body (an accordion's panel, a chapter), not the page's or an article's
    header (a headline, a byline, a menu)."""
    heading = None
    for child in header.contents:
        if isinstance(child, Tag):
            if heading is not None or child.name not in _SUBHEADINGS:
                return False
            heading = child
    return heading is not None and heading.find("a") is None


_RANKS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _ends_section(heading: Tag, sibling: Tag) -> bool:
    """True when ``sibling`` is a heading of the same rank as ``heading`` or higher."""
    rank = _RANKS.get(heading.name)
    other = _RANKS.get(sibling.name)
    return rank is not None and other is not None and other <= rank


def _prose_chars(tag: Tag) -> int:
    """Characters of text outside links: what an article has much of and chrome little."""
    strings, links = strings_and_links(tag)
    return sum(map(len, strings)) - sum(len(text_of(a)) for a in links)


def _leading_text(tag: Tag, words: int = 12) -> str:
    """The first words of a tag's text, without reading all of a big one."""
    parts: list[str] = []
    count = 0
    for string in stripped_strings(tag):
        parts.append(string)
        count += string.count(" ") + 1
        if count > words:
            break
    return clean_inline(" ".join(parts))


def text_of(tag: Tag) -> str:
    """A tag's text; quick for the usual link or span that holds one string."""
    contents = tag.contents
    if len(contents) == 1 and type(contents[0]) is NavigableString:
        return str(contents[0])
    return tag_text(tag)


def _opens(box: Tag, heading: Tag) -> bool:
    """True when ``heading`` is the first or second element in ``box``."""
    children = (child for child in box.contents if type(child) is Tag)
    for count, child in enumerate(children):
        if child is heading:
            return True
        if count >= 1:
            return False
    return False


_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if isinstance(style, str) and _HIDING_STYLE.search(style):
        return True
    return attrs.get("aria-hidden") == "true" and tag.name not in ("html", "body")


def _whole_text_holder(node: NavigableString) -> Tag | None:
    """The highest element whose whole text is this string's text."""
    text = clean_inline(str(node))
    holder = node.parent
    if holder is None or clean_inline(tag_text(holder, " ")) != text:
        return None  # loose text beside other content: no element of its own
    while holder.parent is not None:
        parent = holder.parent
        if parent.name in ("body", "html", "[document]"):
            break
        if clean_inline(tag_text(parent, " ")) != text:
            break
        holder = parent
    return holder if holder.name != "body" else None


def link_density(tag: Tag, linked_chars: dict[int, int] | None = None) -> float:
    """The share of a tag's text (in characters, outer whitespace aside) inside links.

    ``linked_chars``: each link's characters, by id, kept from one call to the next while the
    tree stays as it is (candidates nested in one another hold the same links).
    """
    strings, links = strings_and_links(tag)
    total = stripped_length(strings)
    if not total:
        return 0.0
    if linked_chars is None:
        linked = sum(len(text_of(a).strip()) for a in links)
    else:
        linked = 0
        for link in links:
            size = linked_chars.get(id(link))
            if size is None:
                size = linked_chars[id(link)] = len(text_of(link).strip())
            linked += size
    return min(1.0, linked / total)


def stripped_length(strings: list[NavigableString]) -> int:
    """``len("".join(strings).strip())``, without joining them: the whitespace at either end
    may run over several strings."""
    total = sum(map(len, strings))
    for string in strings:  # whitespace at the start
        kept = len(string.lstrip())
        total -= len(string) - kept
        if kept:
            break
    else:
        return 0  # all whitespace
    for string in reversed(strings):  # and at the end
        kept = len(string.rstrip())
        total -= len(string) - kept
        if kept:
            break
    return total


# A teaser box holds less running text (outside links) than this many characters, or up to
# two and a half times as much when most of its text is links.
TEASER_BOX_PROSE = 600


def _is_teaser_box(box: Tag) -> bool:
    """A box of teasers: mostly links, or little running text outside them."""
    prose = _prose_chars(box)
    return prose < TEASER_BOX_PROSE or (prose < 2.5 * TEASER_BOX_PROSE and link_density(box) > 0.4)


def clean(doc: Document, protected: Iterable[Tag] = (), gentle: bool = False) -> list[Removal]:
    """Remove boilerplate from the tree in place; return what was removed.

    ``gentle``: remove only what never holds text (scripts, styles, forms' controls) and the
    labels and teaser boxes the text pass finds, not containers judged by tag or class: the
    second try on a page whose article the full passes took for chrome.
    """
    return Cleaner(doc, protected, gentle).run()
