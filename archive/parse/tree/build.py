"""Building the BeautifulSoup tree from lxml's parse events, without bs4's per-event machinery.

BeautifulSoup's own lxml builder routes every start tag, end tag and run of text through half a
dozen general-purpose methods (``handle_starttag``, ``Tag.__init__``, ``pushTag``, ``endData``,
``object_was_parsed``, ``_popToTag``...): four fifths of the tree's cost, while lxml's parse
itself is a tenth. ``TreeTarget`` receives the same events from the same lxml parser and does
exactly what those methods do with them, in one short step per event, so the tree (every node,
its class, its attributes and every link between nodes) is the one bs4 would build.

As it sees every node once, in order, it also does what would otherwise cost a walk of the
finished tree each: it lists the nodes in document order, indexes the tags of some names, and
measures the text under each tag (``measure.Sizes``, from the leaves up as tags close).

The BeautifulSoup object itself is still made by bs4 (``FastLXMLBuilder.feed`` is called from
its constructor): markup preparation, encodings, warnings and the final state are bs4's own.
"""

from collections.abc import Collection
from typing import Any

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.builder import ParserRejectedMarkup
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import Comment, Doctype
from lxml import etree

from archive.parse.tree.measure import TEXT_TYPES, Sizes

_ASCII_SPACES = BeautifulSoup.ASCII_SPACES


class FastLXMLBuilder(LXMLTreeBuilder):
    """bs4's lxml HTML builder whose ``feed`` builds the tree through a ``TreeTarget``.

    After a parse, ``nodes`` holds every node of the tree in document order (what
    ``soup.descendants`` would give), ``by_name`` the tags whose names are in ``index`` (name by
    name, in document order), and ``sizes`` the text under each tag as parsed.
    """

    nodes: list[PageElement]
    by_name: dict[str, list[Tag]]
    sizes: Sizes

    def __init__(self, *, index: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = frozenset(index)
        # Kept from one parse to the next, when the builder is used again: the fields of each
        # tag name (``TreeTarget.template``), and the lxml parser with its target for each
        # encoding (lxml inspects a target's methods the first time it feeds it).
        self.templates: dict[str, dict[str, Any]] = {}
        self.parsers: dict[tuple[bool, str | None], tuple[Any, TreeTarget]] = {}

    def feed(self, markup: Any) -> None:
        soup = self.soup
        assert soup is not None
        key = (bool(self.huge_tree), soup.original_encoding)
        # Taken out while in use: a parser whose parse failed is not used again.
        cached = self.parsers.pop(key) if key in self.parsers else None
        parser, target = cached or self.parser_for_key(key)
        target.begin(soup)
        try:
            parser.feed(markup)
            parser.close()
        except (UnicodeDecodeError, LookupError, etree.ParserError) as error:
            raise ParserRejectedMarkup(error) from error
        target.finish()
        self.parsers[key] = (parser, target)
        self.nodes, self.by_name, sizes = target.take()
        self.sizes = Sizes.measured(*sizes)

    def parser_for_key(self, key: tuple[bool, str | None]) -> tuple[Any, "TreeTarget"]:
        """The parser bs4's own builder makes (``parser_for``), with a target of ours."""
        target = TreeTarget(self, self.index)
        huge_tree, encoding = key
        parser = etree.HTMLParser(
            target=target, recover=True, huge_tree=huge_tree, encoding=encoding
        )
        return parser, target

    def take(self) -> tuple[list[PageElement], dict[str, list[Tag]], Sizes]:
        """The last parse's nodes, index and sizes; the builder keeps no reference to them
        (a builder used again must not keep the previous page alive)."""
        taken = (self.nodes, self.by_name, self.sizes)
        self.nodes, self.by_name, self.sizes = [], {}, Sizes.measured({}, {})
        return taken


class TreeTarget:
    """An lxml parser target that builds bs4 nodes as ``BeautifulSoup``'s handlers would.

    One target serves one parse at a time: ``begin`` before it, ``finish`` and ``take`` after.
    """

    def __init__(self, builder: FastLXMLBuilder, index: Collection[str] = ()) -> None:
        self.builder = builder
        self.index = index
        # The names of the tags that go on the two stacks ``begin`` makes.
        self.stacked = frozenset(builder.preserve_whitespace_tags) | frozenset(
            builder.string_containers
        )
        self.namespaces = builder.active_namespace_prefixes[-1]
        self.templates = builder.templates
        self.begin(None)
        # lxml's ``data`` event (every run of text) straight into the pending list: a C call
        # instead of a Python method's frame, once per run of text of every page.
        self.data = self.text.append

    def begin(self, soup: BeautifulSoup | None) -> None:
        """A new parse into ``soup`` (None: no parse, nothing held)."""
        self.soup: BeautifulSoup = soup  # type: ignore[assignment]
        self.open: list[Tag] = [soup] if soup is not None else []  # open tags, document first
        # Characters of text, and of text inside links, under each open tag so far (as in
        # ``measure.Sizes``); a tag's totals go to its parent when it closes.
        self.counts: list[list[int]] = [[0, 0]]
        self.text_sizes: dict[int, int] = {}
        self.link_sizes: dict[int, int] = {}
        self.by_name: dict[str, list[Tag]] = {}
        self.last: PageElement | None = soup._most_recent_element if soup is not None else None
        # Text not yet made into a string node: one list for the target's life (emptied, not
        # replaced), so that ``data`` can be its ``append`` (see ``__init__``).
        if not hasattr(self, "text"):
            self.text: list[str] = []
        self.text.clear()
        # Open <pre>/<textarea> (whitespace kept) and <script>/<style>/<rt>... (own string
        # class): bs4's preserve_whitespace_tag_stack and string_container_stack.
        self.preserving: list[Tag] = []
        self.containers: list[Tag] = []
        self.nodes: list[PageElement] = []

    def take(
        self,
    ) -> tuple[list[PageElement], dict[str, list[Tag]], tuple[dict[int, int], dict[int, int]]]:
        """The finished parse's nodes, index and (text, link) sizes; the target lets go of
        the tree."""
        taken = (self.nodes, self.by_name, (self.text_sizes, self.link_sizes))
        self.begin(None)
        return taken

    # lxml's target interface: start, end, data (set in ``__init__``), comment, doctype, pi,
    # close.

    def start(self, name: str, attrib: Any) -> None:
        # The hottest code of the parser (once per tag): fields read once into locals.
        if self.text:
            self.flush()
        parent = self.open[-1]
        contents = parent.contents
        if name == "meta" and ("charset" in attrib or "http-equiv" in attrib):
            tag = self.constructed(name, dict(attrib), parent)  # bs4 may rewrite its charset
        else:
            # ``Tag.__init__`` and ``PageElement.setup`` in one step: the fields every tag of
            # this name gets, then this one's attributes and links (``link``, inlined).
            last = self.last
            tag = Tag.__new__(Tag)
            fields = tag.__dict__
            fields.update(self.templates.get(name) or self.template(name))
            # lxml hands each start tag a new dict of its attributes (a shared empty mapping
            # when there are none): the tag can keep it rather than a copy.
            fields["attrs"] = attrib if type(attrib) is dict else dict(attrib)
            fields["contents"] = []
            fields["parent"] = parent
            fields["previous_element"] = last
            if contents:
                sibling = contents[-1]
                fields["previous_sibling"] = sibling
                sibling.next_sibling = tag
            else:
                fields["previous_sibling"] = None
            if last is not None:
                last.next_element = tag
        contents.append(tag)
        self.open.append(tag)
        self.counts.append([0, 0])
        self.last = tag
        self.nodes.append(tag)
        if name in self.index:
            self.by_name.setdefault(name, []).append(tag)
        if name in self.stacked:
            if name in self.builder.preserve_whitespace_tags:
                self.preserving.append(tag)
            if name in self.builder.string_containers:
                self.containers.append(tag)

    def end(self, name: str) -> None:
        if self.text:
            self.flush()
        if name[0] == "{":  # bs4 drops a namespace from the name; HTML names carry none
            name = name.split("}", 1)[1]
        open_tags = self.open
        if len(open_tags) > 1 and open_tags[-1].name == name:
            # ``pop``, inlined for the usual case (the innermost open tag closes).
            tag = open_tags.pop()
            counts = self.counts
            text, links = counts.pop()
            if text:
                key = id(tag)
                self.text_sizes[key] = text
                if links:
                    self.link_sizes[key] = links
                parent = counts[-1]
                parent[0] += text
                parent[1] += text if name == "a" else links
            if name in self.stacked:
                self.unstack(tag)
            return
        # Closing a tag that is not the innermost: pop up to the latest open one of that name
        # (none open: nothing), as ``BeautifulSoup._popToTag`` does.
        for index in range(len(open_tags) - 1, 0, -1):
            if open_tags[index].name == name:
                while len(open_tags) > index:
                    self.pop()
                return

    def comment(self, text: str) -> None:
        self.flush()
        self.text.append(text)
        self.flush(Comment)

    def doctype(self, name: str, pubid: str, system: str) -> None:
        self.flush()
        self.text.append(Doctype._string_for_name_and_ids(name, pubid, system))
        self.flush(Doctype)

    def pi(self, target: str, data: str) -> None:
        self.flush()
        self.text.append(target + " " + data)
        self.flush(self.builder.processing_instruction_class)

    def close(self) -> None:
        self.builder.close()

    def finish(self) -> None:
        """Leave the BeautifulSoup object as its own parse would: all tags closed."""
        self.flush()
        while len(self.open) > 1:
            self.pop()
        text, links = self.counts[0]
        if text:
            self.text_sizes[id(self.soup)] = text
        if links:
            self.link_sizes[id(self.soup)] = links
        self.soup._most_recent_element = self.last

    # The steps bs4's handlers take.

    def template(self, name: str) -> dict[str, Any]:
        """The fields ``Tag.__init__`` gives every tag of this name (made once per name and
        builder by a real ``Tag``: they come from the builder's settings, the same for every
        page): all but the attributes, contents and the links ``start`` sets."""
        tag = Tag(self.soup, self.builder, name, namespaces=self.namespaces)
        fields = dict(tag.__dict__, next_element=None, next_sibling=None)
        for key in ("attrs", "contents", "parent", "previous_element", "previous_sibling"):
            del fields[key]
        self.templates[name] = fields
        return fields

    def constructed(self, name: str, attrs: dict[str, str], parent: Tag) -> Tag:
        """A tag made by ``Tag.__init__`` itself: a <meta> with a charset or http-equiv, whose
        charset bs4 may replace by a stand-in (``set_up_substitutions``)."""
        return Tag(
            self.soup,
            self.builder,
            name,
            None,
            None,
            attrs,
            parent,
            self.last,
            namespaces=self.namespaces,
        )

    def link(self, node: PageElement, parent: Tag) -> None:
        """``PageElement.setup`` for a node about to be appended to ``parent``."""
        fields = node.__dict__
        fields["parent"] = parent
        previous = self.last
        fields["previous_element"] = previous
        if previous is not None:
            previous.next_element = node
        fields["next_element"] = None
        fields["next_sibling"] = None
        contents = parent.contents
        sibling = contents[-1] if contents else None
        fields["previous_sibling"] = sibling
        if sibling is not None:
            sibling.next_sibling = node

    def pop(self) -> None:
        """``BeautifulSoup.popTag``; the closed tag's text sizes go to its parent."""
        tag = self.open.pop()
        counts = self.counts
        text, links = counts.pop()
        name = tag.name
        if text:  # (no text, no link text: nothing to record or pass on)
            key = id(tag)
            self.text_sizes[key] = text
            if links:
                self.link_sizes[key] = links
            parent = counts[-1]
            parent[0] += text
            parent[1] += text if name == "a" else links  # all of a link's text is link text
        if name in self.stacked:
            self.unstack(tag)

    def unstack(self, tag: Tag) -> None:
        """A closed <pre>, <textarea>, <script>... leaves the stack ``start`` put it on."""
        if self.preserving and tag is self.preserving[-1]:
            self.preserving.pop()
        if self.containers and tag is self.containers[-1]:
            self.containers.pop()

    def flush(self, kind: type[NavigableString] | None = None) -> None:
        """``BeautifulSoup.endData``: the pending text becomes a string node."""
        pending = self.text
        if not pending:
            return
        text = pending[0] if len(pending) == 1 else "".join(pending)
        pending.clear()
        # Whitespace only (ASCII spaces), outside <pre>: one space or one newline.
        if not self.preserving and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "
        if kind is None:
            kind = NavigableString
            if self.containers:
                kind = self.builder.string_containers.get(self.containers[-1].name, kind)
        parent = self.open[-1]
        if kind is NavigableString:
            # The common case (once per run of text), with ``link`` inlined.
            node = str.__new__(NavigableString, text)
            fields = node.__dict__
            fields["hidden"] = False
            self.counts[-1][0] += len(text)
            previous = self.last
            fields["parent"] = parent
            fields["previous_element"] = previous
            if previous is not None:
                previous.next_element = node
            fields["next_element"] = None
            fields["next_sibling"] = None
            contents = parent.contents
            if contents:
                sibling = contents[-1]
                fields["previous_sibling"] = sibling
                sibling.next_sibling = node
            else:
                fields["previous_sibling"] = None
            contents.append(node)
        else:
            node = kind(text)
            if kind in TEXT_TYPES:
                self.counts[-1][0] += len(text)
            self.link(node, parent)
            parent.contents.append(node)
        self.last = node
        self.nodes.append(node)
