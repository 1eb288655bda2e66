"""The body's Markdown: each construct on small inline HTML, and, for any mix of inline markup
and Markdown's own characters, a CommonMark renderer reading back the block's exact text."""

from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.parse.blocks import body_blocks
from archive.parse.markdown.escape import link_destination
from archive.parse.markdown.layout import render_markdown
from archive.parse.text import join_paragraphs
from tests.markdown_roundtrip import RENDERER, rendered_text, same_words

BASE = "https://news.example.org/2025/05/story.html"


def markdown_of(markup: str, *, links: bool = True) -> str:
    root = BeautifulSoup(f"<div>{markup}</div>", "lxml").div
    assert isinstance(root, Tag)
    return render_markdown(body_blocks([root]), BASE, links=links)


def text_of(markup: str) -> str:
    root = BeautifulSoup(f"<div>{markup}</div>", "lxml").div
    assert isinstance(root, Tag)
    return join_paragraphs([block.text for block in body_blocks([root])])


@pytest.mark.parametrize(
    ("markup", "markdown"),
    [
        ("<h2>Results</h2><p>Text.</p>", "## Results\n\nText."),
        ("<h4>Deep</h4>", "#### Deep"),
        ("<p>An <em>odd</em> and <b>bold</b> <code>x = 1</code> day.</p>",
         "An *odd* and **bold** `x = 1` day."),
        ("<p><em>one <i>two</i> three</em></p>", "*one two three*"),  # no ** from em in em
        ("<p><strong>D</strong><strong>ay</strong> one</p>", "**Day** one"),
        ("<p>in<em>side</em> a word</p>", "inside a word"),  # could pair with another run
        ("<p>a<em> spaced </em>b</p>", "a *spaced* b"),
        ('<p>word<em>"quoted"</em>word</p>', 'word"quoted"word'),  # no emphasis could be
        ("<p>see <a href='/a/b'>this</a></p>", "see [this](https://news.example.org/a/b)"),
        ("<p><a href='javascript:void(0)'>menu</a> text</p>", "menu text"),
        ("<p><a href='/x'><i class='icon'></i></a>Text</p>", "Text"),
        ("<p><code>a`b</code></p>", "``a`b``"),
        ("<p><code>`tick</code></p>", "`` `tick ``"),
        ("<blockquote><p>One.</p><p>Two.</p></blockquote>", "> One.\n>\n> Two."),
        ("<ol start='7'><li>Seven</li><li>Eight</li></ol>", "7. Seven\n8. Eight"),
        ("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n    - b\n- c"),
        ("<ul><li><p>a</p><p>more</p></li><li>b</li></ul>", "- a\n\n    more\n\n- b"),
        ("<ul><li>a</li></ul><ol start='3'><li>c</li></ol>", "- a\n\n3. c"),
        ("<ul><li>a</li></ul><ol><li>c</li></ol>", "- a\n1. c"),
        ("<a href='/t'><h3>Teaser</h3><p>Summary</p></a>",
         "### [Teaser](https://news.example.org/t)\n\n[Summary](https://news.example.org/t)"),
    ],
)  # fmt: skip
def test_constructs(markup: str, markdown: str) -> None:
    assert markdown_of(markup) == markdown


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("# not a heading", "\\# not a heading"),
        ("1984. A year", "1984\\. A year"),
        ("3) three", "3\\) three"),
        ("- not a bullet", "\\- not a bullet"),
        ("+ plus", "\\+ plus"),
        ("> not a quote", "\\> not a quote"),
        ("*stars* and _under_", "\\*stars\\* and \\_under\\_"),
        ("[x](y) <b> &copy; a\\b", "\\[x\\](y) \\<b> \\&copy; a\\\\b"),
        ("`c` ~~d~~", "\\`c\\` \\~\\~d\\~\\~"),
        ("AT&T, C# and a | b", "AT&T, C# and a | b"),  # nothing to escape there
        ("Title #", "Title \\#"),  # would close a heading's line
    ],
)  # fmt: skip
def test_markdown_characters_in_text_are_escaped(text: str, markdown: str) -> None:
    markup = f"<p>{text.replace('&', '&amp;').replace('<', '&lt;')}</p>"
    assert markdown_of(markup) == markdown
    assert rendered_text(markdown) == text


def test_code_block_keeps_whitespace_and_names_its_language() -> None:
    markup = (
        "<pre class='language-Python'><code>def f():\n\tif x:\n        return '```'\n</code></pre>"
    )
    assert markdown_of(markup) == "````python\ndef f():\n\tif x:\n        return '```'\n````"
    html = RENDERER.render(markdown_of(markup))
    assert "\tif x:\n        return" in html and 'class="language-python"' in html


@pytest.mark.parametrize(
    ("markup", "fence"),
    [
        ("<pre class='lang-js'>let a</pre>", "```js"),
        ("<pre><code class='highlight-ruby'>puts</code></pre>", "```ruby"),
        # Sphinx names the language two elements up, GitHub one up.
        ("<div class='highlight-python notranslate'><div class='highlight'><pre>x</pre></div>"
         "</div>", "```python"),
        ("<div class='highlight highlight-source-shell'><pre>ls</pre></div>", "```shell"),
        ("<pre data-lang='Go'><code>x</code></pre>", "```go"),
        ("<pre><code data-language='c++'>x</code></pre>", "```c++"),
        ("<pre data-lang='two words'>x</pre>", "```"),
        # On a wrapper, "lang-de" is the reader's language, not the code's.
        ("<div class='lang-de'><pre>x</pre></div>", "```"),
    ],
)  # fmt: skip
def test_code_block_language_from_class_names(markup: str, fence: str) -> None:
    assert markdown_of(markup).split("\n")[0] == fence


def test_code_block_in_a_list_item_keeps_its_indentation() -> None:
    markup = "<ol><li><p>Run:</p><pre>if a:\n    b()</pre></li></ol>"
    markdown = markdown_of(markup)
    assert markdown == "1. Run:\n\n    ```\n    if a:\n        b()\n    ```"
    assert "<code>if a:\n    b()\n</code>" in RENDERER.render(markdown)


def test_data_table_is_a_pipe_table_with_cells_escaped() -> None:
    markup = (
        "<table><tr><th>Name</th><th>Note</th></tr>"
        "<tr><td>a|b</td><td><a href='/n'>*n*</a></td></tr><tr><td>c</td><td></td></tr></table>"
    )
    assert markdown_of(markup) == (
        "| Name | Note |\n| --- | --- |\n"
        "| a\\|b | [\\*n\\*](https://news.example.org/n) |\n| c |  |"
    )
    assert rendered_text(markdown_of(markup)) == text_of(markup)


def test_a_pipe_in_code_in_a_cell_splits_no_cell() -> None:
    markup = (
        "<table><tr><th>A</th><th>B</th></tr><tr><td><code>a|b</code></td><td>x</td></tr></table>"
    )
    assert markdown_of(markup).endswith("| `a\\|b` | x |")
    assert "<td><code>a|b</code></td>" in RENDERER.render(markdown_of(markup))
    assert rendered_text(markdown_of(markup)) == text_of(markup)


@pytest.mark.parametrize(
    "markup",
    [
        "<table><tr><th>A</th><th>B</th></tr><tr><td colspan='2'>both</td></tr></table>",
        "<table><tr><td>A</td><td>B</td><td>C</td></tr><tr><td>1</td><td>2</td></tr></table>",
        "<table><tr><td rowspan='2'>A</td><td>b</td></tr><tr><td>c</td></tr></table>",
        # A table in a cell: the outer rows are layout, the inner table a table of its own.
        "<table><tr><th>Team</th><th>Scores</th></tr><tr><td>Reds</td><td><table>"
        "<tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table></td></tr></table>",
    ],
)
def test_table_that_cannot_be_a_pipe_table_keeps_every_cell_as_rows(markup: str) -> None:
    markdown = markdown_of(markup)
    if markup.count("<table") == 1:
        assert "---" not in markdown  # no pipe table: it would lose or shift cells
    for cell in BeautifulSoup(markup, "lxml").find_all(("td", "th")):
        if not cell.find("table"):
            assert cell.get_text() in markdown
    assert same_words(rendered_text(markdown), text_of(markup))


def test_links_can_be_left_out() -> None:
    assert markdown_of("<p>see <a href='/a'>this <em>page</em></a></p>", links=False) == (
        "see this *page*"
    )


@pytest.mark.parametrize(
    ("href", "destination"),
    [
        ("/wiki/A_(b)", "<https://news.example.org/wiki/A_(b)>"),
        ("a b.html", "https://news.example.org/2025/05/a%20b.html"),
        ("#fn1", "https://news.example.org/2025/05/story.html#fn1"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("/q?a=1&copy;b=2&c=3", "https://news.example.org/q?a=1\\&copy;b=2&c=3"),
        ("JavaScript:alert(1)", None),
        ("data:text/html,x", None),
        ("   ", None),
    ],
)
def test_link_destinations_are_absolute_and_whole(href: str, destination: str | None) -> None:
    assert link_destination(href, BASE) == destination
    if destination is not None:  # a renderer reads the address back as it was
        html = RENDERER.render(f"[x]({destination})")
        href_back = BeautifulSoup(html, "lxml").a["href"]
        assert href_back == RENDERER.normalizeLink(urljoin(BASE, href.strip()).replace(" ", "%20"))


# Inline markup and the characters that could be markup, mixed at random.
_WORDS = st.sampled_from(
    ["word", "*", "**", "_", "`", "``", "[", "]", "(", ")", "<", ">", "&amp;", "#", "1.",
     "-", "+", "|", "\\", "~", "!", '"', "é", "x1", "&amp;lt;", " ", "  ", "\n"]
)  # fmt: skip
_TAGS = st.sampled_from(["em", "strong", "code", "b", "i", "a", "kbd"])


@st.composite
def _inline(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(_TAGS)
            attrs = " href='/p(1)'" if tag == "a" else ""
            parts.append(f"<{tag}{attrs}>{draw(_inline(depth + 1))}</{tag}>")
        else:
            parts.append(draw(_WORDS).replace("<", "&lt;"))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(st.lists(_inline(), min_size=1, max_size=3))
def test_any_inline_markup_reads_back_as_the_text(paragraphs: list[str]) -> None:
    markup = "".join(f"<p>{p}</p>" for p in paragraphs)
    text = text_of(markup)
    assert same_words(rendered_text(markdown_of(markup)), text)


@settings(max_examples=200, deadline=None)
@given(st.lists(_inline(), min_size=4, max_size=4))
def test_any_inline_markup_in_table_cells_reads_back_as_the_text(cells: list[str]) -> None:
    """In a pipe table too: no cell's markup or characters split or merge cells."""
    a, b, c, d = cells
    markup = f"<table><tr><th>{a}</th><th>{b}</th></tr><tr><td>{c}</td><td>{d}</td></tr></table>"
    assert same_words(rendered_text(markdown_of(markup)), text_of(markup))
