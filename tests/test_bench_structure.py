"""The structure measure of ``benchmarks/structure.py``: a page's table cells, list items and
code lines, those a Markdown holds as such, and which are the article's."""

from benchmarks.structure import (
    Tally,
    format_tally,
    ground_truth_relevance,
    markdown_units,
    measure,
    page_units,
    snippet_relevance,
)

PAGE = """<html><body><nav><ul><li>News</li><li>About us</li></ul></nav>
<article><p>Intro.</p>
<table><tr><th>Route</th><th>Riders</th></tr><tr><td>North | Shore</td><td>1,204</td></tr></table>
<ul><li>First <b>point</b><ul><li>nested one</li></ul></li><li>Second point</li></ul>
<pre><code>def f():
    return 1{spaces}
</code></pre></article></body></html>""".format(spaces="   ")  # trailing spaces: dropped


def test_page_units_are_cells_items_and_code_lines() -> None:
    units = page_units(PAGE)
    assert [cell for cell, _ in units.cells] == ["route", "riders", "north shore", "1 204"]
    assert {row for _, row in units.cells} == {"route riders", "north shore 1 204"}
    items = [item for item, _ in units.items]
    assert items == ["news", "about us", "first point", "nested one", "second point"]
    assert [line for line, _ in units.code] == ["def f():", "    return 1"]


def test_markdown_units_read_tables_items_and_fenced_code() -> None:
    markdown = (
        "| Route | Riders |\n| --- | --- |\n| North \\| Shore | [1,204](https://x.example/a) |\n\n"
        "- First **point**\n    - nested one\n- Second\n    point\n\n"
        "1. ```\n   def f():\n       return 1\n   ```\n\nA paragraph."
    )
    units = markdown_units(markdown)
    assert units.cells == ["route", "riders", "north shore", "1 204"]
    # An item's text goes on over the lines indented to it; a link's address is no text.
    assert units.items == ["first point", "nested one", "second point"]
    assert units.code == ["def f():", "    return 1"]


def test_relevance_on_aeb_needs_a_whole_line_or_five_words() -> None:
    relevant = ground_truth_relevance("Intro.\nRoute Riders\nThe news of the day about us all.")
    assert relevant("route riders")  # a whole line
    assert not relevant("news")  # a word of the body, not a line of it
    assert relevant("the news of the day about")  # five words running in it
    assert not relevant("")


def test_relevance_on_the_dev_set_comes_from_its_snippets() -> None:
    relevant = snippet_relevance(["first point"], ["About us"])
    assert relevant("first point of three") is True
    assert relevant("about us") is False
    assert relevant("second point") is None


def test_measure_counts_each_markdown_unit_once() -> None:
    html = "<table><tr><td>alpha beta</td><td>alpha beta</td></tr></table><ul><li>Menu</li></ul>"
    relevant = ground_truth_relevance("alpha beta alpha beta\nMenu")

    def once(html: str, url: str) -> str:
        return "| alpha beta |\n| --- |\n\n- Menu"

    def twice(html: str, url: str) -> str:
        return "| alpha beta | alpha beta |\n| --- | --- |"

    tally = measure([(html, "https://x.example/", relevant)], {"once": once, "twice": twice})
    assert tally.pages == 1 and tally.source["cells"] == 2 and tally.source["items"] == 1
    assert tally.kept["once"]["cells"] == 1 and tally.kept["once"]["items"] == 1
    assert tally.kept["twice"]["cells"] == 2 and tally.kept["twice"]["items"] == 0
    table = format_tally("t", tally)
    assert "50%" in table and "100%" in table


def test_a_page_without_units_of_the_article_is_not_measured() -> None:
    calls = []

    def extractor(html: str, url: str) -> str:
        calls.append(url)
        return ""

    relevant = ground_truth_relevance("Something else entirely.")
    tally = measure([(PAGE, "https://x.example/", relevant)], {"x": extractor})
    assert tally == Tally() and calls == []
