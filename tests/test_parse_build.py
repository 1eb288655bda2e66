"""The fast tree builder must build exactly the tree bs4's own lxml builder builds."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, PageElement, Tag
from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import Comment, Doctype, RubyTextString, Script

from archive.parse.tree.build import FastLXMLBuilder
from archive.parse.tree.measure import Sizes

LINKS = ("parent", "previous_element", "next_element", "previous_sibling", "next_sibling")
PAGES = Path(__file__).parent / "pages"
TRICKY = {
    "whitespace": "<pre>  <b> x </b>\n </pre> \n <div>\r\n\t </div><span> \xa0 </span><p>\x0c</p>",
    "containers": "<p>a<ruby>漢<rt>kan</rt></ruby><script>var a;</script><style> </style></p>",
    "template": "<template><p>in</p> </template><textarea>  </textarea>",
    "comments": "<html><body><!-- c --><!----><?php echo 1 ?><p>x</html><p>after</p>tail",
    "misnested": "<b><i>x</b>y</i><table><tr><td>1<td>2</table><p><div>in p</div></p>",
    "meta": '<meta charset="utf-8"><meta http-equiv="Content-Type" content="text/html; '
    'charset=iso-8859-1"><html lang=de><body class=y><body class=z><p>hi</p>',
    "doctype": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">'
    '<html xml:lang="en"><body><o:p>x</o:p></body></html>',
    "deep": "<p>" + "<span>" * 300 + "deep" + "</span>" * 300 + "</p>",
    "raw text": "<select><option>a<option>b</select><title>t<b>x</b></title><xmp><b></xmp>",
}


def _build(builder_class: type[LXMLTreeBuilder], markup: str) -> BeautifulSoup:
    builder = builder_class(multi_valued_attributes=None, attribute_dict_class=dict)
    return BeautifulSoup(markup, builder=builder)


def _shape(soup: BeautifulSoup) -> list[tuple]:
    """Every node's class, text or name, attributes, other fields, and links (as positions)."""
    nodes: list[PageElement] = [soup, *soup.descendants]
    position = {id(node): index for index, node in enumerate(nodes)}

    def at(node: object) -> int | None:
        return None if node is None else position[id(node)]

    shape = []
    for node in nodes:
        fields = node.__dict__
        links = tuple(at(getattr(node, name)) for name in LINKS)
        if isinstance(node, Tag):
            attrs = [(k, v, type(v)) for k, v in node.attrs.items()]
            contents = [at(child) for child in node.contents]
            shape.append((type(node), node.name, attrs, contents, links))
        else:
            shape.append((type(node), str(node), links))
        if node is not soup:
            plain = {k: v for k, v in fields.items() if k not in (*LINKS, "attrs", "contents")}
            shape.append(tuple(sorted((k, repr(v)) for k, v in plain.items())))
    return shape


@pytest.mark.parametrize("markup", TRICKY.values(), ids=list(TRICKY))
def test_tricky_markup_gives_the_same_tree(markup: str) -> None:
    assert _shape(_build(FastLXMLBuilder, markup)) == _shape(_build(LXMLTreeBuilder, markup))


def test_golden_pages_give_the_same_trees() -> None:
    sources = sorted(PAGES.glob("*/source.html"))
    assert sources
    for source in sources:
        markup = source.read_text(encoding="utf-8")
        fast, stock = _build(FastLXMLBuilder, markup), _build(LXMLTreeBuilder, markup)
        assert _shape(fast) == _shape(stock), source.parent.name


def test_node_list_is_the_tree_in_document_order() -> None:
    builder = FastLXMLBuilder(multi_valued_attributes=None, attribute_dict_class=dict)
    soup = BeautifulSoup(TRICKY["comments"] + TRICKY["meta"], builder=builder)
    descendants = list(soup.descendants)
    assert len(builder.nodes) == len(descendants)
    assert all(a is b for a, b in zip(builder.nodes, descendants, strict=True))


def test_special_strings_keep_their_classes() -> None:
    soup = _build(FastLXMLBuilder, TRICKY["containers"] + TRICKY["comments"])
    kinds = {type(node) for node in soup.descendants}
    assert {Script, RubyTextString, Comment} <= kinds
    assert type(_build(FastLXMLBuilder, TRICKY["doctype"]).contents[0]) is Doctype


def test_sizes_and_index_match_a_walk_of_the_finished_tree() -> None:
    markup = (
        "<body><p>One <a href=x>two <a>three</a></a> four</p><div><a>five</a>"
        "<script>no</script><!-- no --></div>" + TRICKY["meta"] + TRICKY["deep"] + "<p>open"
    )
    builder = FastLXMLBuilder(
        index={"p", "a", "meta"}, multi_valued_attributes=None, attribute_dict_class=dict
    )
    soup = BeautifulSoup(markup, builder=builder)
    walked = Sizes(builder.nodes)
    tags = [soup, *soup.find_all(True)]
    assert [builder.sizes.of(tag) for tag in tags] == [walked.of(tag) for tag in tags]
    # Link text: "two ", "three", "five"; the rest: "One ", " four", "hi", "deep", "open".
    assert builder.sizes.of(soup.body) == (32, 19)
    for name in ("p", "a", "meta"):
        assert builder.by_name[name] == soup.find_all(name)
    assert set(builder.by_name) == {"p", "a", "meta"}


def test_every_tag_has_its_own_attribute_dict() -> None:
    soup = _build(FastLXMLBuilder, "<p class=a>x</p><p class=a>y</p><br><br>" + TRICKY["meta"])
    tags = soup.find_all(True)
    assert len({id(tag.attrs) for tag in tags}) == len(tags)
    first, second = soup.find_all("p")[:2]
    first["data-x"] = "1"  # as the passes mark teaser cards
    assert (first.attrs, second.attrs) == ({"class": "a", "data-x": "1"}, {"class": "a"})


def test_a_builder_used_again_builds_each_page_as_a_new_one_would() -> None:
    # The parser's own builder is kept per thread (templates and lxml parser reused): page
    # after page, bytes and text, each tree must still be the one a fresh stock builder makes.
    builder = FastLXMLBuilder(index={"p"}, multi_valued_attributes=None, attribute_dict_class=dict)
    inputs: list[str | bytes] = [*TRICKY.values(), TRICKY["meta"].encode(), *TRICKY.values()]
    for markup in inputs:
        soup = BeautifulSoup(markup, builder=builder)
        nodes, by_name, sizes = builder.take()
        assert _shape(soup) == _shape(_build(LXMLTreeBuilder, markup))
        descendants = list(soup.descendants)
        assert len(nodes) == len(descendants)
        assert all(a is b for a, b in zip(nodes, descendants, strict=True))
        assert by_name.get("p", []) == soup.find_all("p")
        assert sizes.of(soup) == Sizes(nodes).of(soup)
        # What the builder keeps holds nothing of the page.
        assert builder.nodes == [] and builder.by_name == {}
        for _, target in builder.parsers.values():
            assert target.nodes == [] and target.open == [] and target.last is None
