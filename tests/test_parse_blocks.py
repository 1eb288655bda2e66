"""Text blocks of the body: code blocks keep their lines, data tables keep rows and cells apart."""

from bs4 import BeautifulSoup, Tag

from archive.parse.blocks import body_blocks


def blocks_of(markup: str) -> list[tuple[str, str]]:
    root = BeautifulSoup(f"<div>{markup}</div>", "lxml").div
    assert isinstance(root, Tag)
    return [(block.tag, block.text) for block in body_blocks([root])]


def test_code_block_keeps_line_breaks_and_indentation() -> None:
    markup = (
        "<pre><code>def area(r):\n    if r &lt; 0:\n\traise ValueError\n\n"
        "    return 3.14 * r * r   \n</code></pre>"
    )
    assert blocks_of(markup) == [
        ("pre", "def area(r):\n    if r < 0:\n\traise ValueError\n\n    return 3.14 * r * r")
    ]


def test_data_table_gives_one_line_per_row_with_cells_apart() -> None:
    markup = (
        "<p>Before.</p><table><tr><th>Pos</th><th>Player</th><th>Plays</th></tr>"
        "<tr><td>DL</td><td>Larry <a href='/p'>Ogunjobi</a></td><td>55</td></tr>"
        "<tr><td>LB</td><td></td><td>12</td></tr></table><p>After.</p>"
    )
    assert blocks_of(markup) == [
        ("p", "Before."),
        ("tr", "Pos | Player | Plays\nDL | Larry Ogunjobi | 55\nLB | 12"),
        ("p", "After."),
    ]


def test_layout_table_cells_stay_paragraphs() -> None:
    markup = (
        "<table><tr><td><p>First column text.</p></td><td><p>Second column.</p></td></tr></table>"
    )
    assert blocks_of(markup) == [("p", "First column text."), ("p", "Second column.")]


def test_a_layout_cell_of_br_separated_paragraphs_is_no_data_row() -> None:
    # An old table layout: the story in one cell, paragraphs made with <br><br>.
    markup = (
        "<table><tr><td><a href='/a'>Other story</a></td></tr></table>"
        "<table><tr><td><span>First paragraph of the story.<br><br>"
        "Second paragraph of the story.</span></td></tr></table>"
    )
    blocks = blocks_of(markup)
    assert ("tr", "Other story") in blocks
    assert not any("Other story" in text and "First" in text for _, text in blocks)
    assert "First paragraph of the story." in [text for _, text in blocks]


def test_a_cell_of_long_running_text_is_no_data_row() -> None:
    story = "A sentence of the story that runs on, as stories do. " * 10
    blocks = blocks_of(f"<table><tr><td>{story}</td></tr><tr><td>Short cell</td></tr></table>")
    assert blocks[0][0] != "tr"


def test_a_listings_line_number_gutter_is_left_out() -> None:
    """Highlighters set line numbers in a cell of their own beside the code: not code."""
    markup = (
        "<table class='lntable'><tr><td><pre><code>1\n2\n3\n</code></pre></td>"
        "<td><pre><code>a = 1\nb = 2\nprint(a + b)\n</code></pre></td></tr></table>"
    )
    assert blocks_of(markup) == [("pre", "a = 1\nb = 2\nprint(a + b)")]


def test_line_numbers_written_into_the_lines_are_left_out() -> None:
    markup = (
        "<pre><code><span class='ln'>1</span>for i in range(3):\n"
        "<span class='linenos'>2</span>    print(i)\n</code></pre>"
    )
    assert blocks_of(markup) == [("pre", "for i in range(3):\n    print(i)")]


def test_a_code_block_of_numbers_that_do_not_count_up_is_kept() -> None:
    """Only numbers counting up by one make a gutter: a column of data stays."""
    assert blocks_of("<pre>1\n4\n9\n16</pre>") == [("pre", "1\n4\n9\n16")]


def test_text_after_a_heading_in_its_parent_is_no_heading() -> None:
    # A body written straight into a container: a heading, then lines between <br>s.
    blocks = blocks_of("<h2>Spring meeting</h2>Held on Thursday.<br>Tea is served.")
    assert blocks[0] == ("h2", "Spring meeting")
    assert [tag for tag, _ in blocks[1:]] == ["p", "br"]
