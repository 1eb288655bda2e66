"""Text sizes of every element, measured in one pass from the leaves up.

``len(tag.get_text())`` walks the whole subtree: asked of each of ten thousand nested
containers it is quadratic. The boilerplate walk judges each element while its subtree is still
whole, so the sizes measured once on the untouched tree answer it exactly. The tree builder
measures them as it builds (``build.TreeTarget``); ``Sizes(nodes)`` measures a tree already
made, for when something was removed from it before the walk.
"""

from collections.abc import Collection, Iterator

from bs4 import CData, NavigableString, PageElement, Tag

TEXT_TYPES = (NavigableString, CData)  # what get_text() reads: not comments or doctypes


class Sizes:
    """Characters of text, and of text inside links, under each element of the tree."""

    def __init__(self, nodes: list[PageElement]) -> None:
        self.text: dict[int, int] = {}
        self.links: dict[int, int] = {}
        text, links = self.text, self.links
        for node in reversed(nodes):  # every descendant comes before its ancestors
            if node.__dict__.get("_decomposed"):
                continue
            if isinstance(node, NavigableString):
                if type(node) not in TEXT_TYPES:
                    continue
                size, linked = len(node), 0
            elif isinstance(node, Tag):
                key = id(node)
                size = text.setdefault(key, 0)
                linked = size if node.name == "a" else links.setdefault(key, 0)
            else:
                continue
            parent = node.parent
            if parent is not None and size:
                key = id(parent)
                text[key] = text.get(key, 0) + size
                if linked:
                    links[key] = links.get(key, 0) + linked

    @classmethod
    def measured(cls, text: dict[int, int], links: dict[int, int]) -> "Sizes":
        """Sizes already measured (by the tree builder, as the tree was made)."""
        sizes = cls.__new__(cls)
        sizes.text, sizes.links = text, links
        return sizes

    def of(self, tag: Tag) -> tuple[int, int]:
        """(all text, text outside links) under ``tag``, in characters."""
        size = self.text.get(id(tag), 0)
        return size, size - self.links.get(id(tag), 0)


def _string_types(tag: Tag) -> Collection[type]:
    """The string classes ``tag.get_text()`` reads (bs4's rule: the tag's own, by default)."""
    types = tag.interesting_string_types
    if types is None:
        return Tag.MAIN_CONTENT_STRING_TYPES
    return (types,) if isinstance(types, type) else types


def _first_and_stop(tag: Tag) -> tuple[PageElement | None, PageElement | None]:
    """The first node under ``tag`` and the node after its last one: the walk of
    ``tag.descendants`` is every ``next_element`` from the first up to the stop."""
    contents = tag.contents
    if not contents:
        return None, None
    # The last node under the tag: the one before its next sibling, else down the last children.
    following = tag.next_sibling
    last: PageElement | None = following.previous_element if following is not None else None
    if last is None:
        last = tag
        while isinstance(last, Tag) and last.contents:
            last = last.contents[-1]
    return contents[0], last.next_element


def tag_strings(tag: Tag) -> list[str]:
    """The strings ``tag.get_text()`` joins, read in one walk of ``next_element`` links: bs4's
    ``descendants`` generator and its layers cost more than the walk itself."""
    types = _string_types(tag)
    strings: list[str] = []
    node, stop = _first_and_stop(tag)
    while node is not stop and node is not None:
        if type(node) in types:
            strings.append(node)  # type: ignore[arg-type]  # only strings pass the type test
        node = node.next_element
    return strings


def tag_text(tag: Tag, separator: str = "") -> str:
    """``tag.get_text(separator)`` (see ``tag_strings``)."""
    return separator.join(tag_strings(tag))


def stripped_strings(tag: Tag) -> Iterator[str]:
    """``tag.stripped_strings``: its strings stripped, the empty ones left out (lazily, so
    that a reader of the first few does not walk a big subtree)."""
    types = _string_types(tag)
    node, stop = _first_and_stop(tag)
    while node is not stop and node is not None:
        following = node.next_element
        if type(node) in types:
            text = node.strip()  # type: ignore[union-attr]  # only strings pass the type test
            if text:
                yield text
        node = following


def tags_under(tag: Tag, names: Collection[str] | None = None) -> Iterator[Tag]:
    """The tags under ``tag`` in document order (``tag.find_all(True)``), or those with one of
    ``names`` (``tag.find_all(names)``), lazily: ``next(tags_under(tag, ("a",)), None)`` is
    ``tag.find("a")`` without bs4's matching machinery."""
    node, stop = _first_and_stop(tag)
    while node is not stop and node is not None:
        following = node.next_element
        if type(node) is Tag and (names is None or node.name in names):  # type: ignore[attr-defined]
            yield node  # type: ignore[misc]
        node = following


def strings_and_links(tag: Tag) -> tuple[list[NavigableString], list[Tag]]:
    """The strings ``tag.get_text()`` joins and the links ``tag.find_all("a")`` finds, in one
    walk of the subtree instead of two (and without bs4's matching machinery)."""
    types = _string_types(tag)
    strings: list[NavigableString] = []
    links: list[Tag] = []
    node, stop = _first_and_stop(tag)
    while node is not stop and node is not None:
        kind = type(node)
        if kind in types:
            strings.append(node)  # type: ignore[arg-type]
        elif kind is Tag and node.name == "a":  # type: ignore[attr-defined]
            links.append(node)  # type: ignore[arg-type]
        node = node.next_element
    return strings, links
