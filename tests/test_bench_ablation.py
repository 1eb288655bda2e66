"""The per-rule ablation script (benchmarks/ablation.py): each family turns its rule off while
its block runs, and puts the parser back after."""

from pathlib import Path

import pytest

from archive.extract import extract_article
from archive.parse import clean, lines
from benchmarks.ablation import families, main, patched
from benchmarks.attribution import Trace, attribute, flat
from benchmarks.devset import DevPage

SENTENCE = (
    "The council voted on Tuesday to rebuild the old bridge over the river, after years of "
    "debate about its cost, its design and the traffic it would bring to the town centre."
)
PAGE = f"""<html><head><title>Bridge vote</title></head><body><article>
<h1>Council votes to rebuild the old bridge</h1>
<p>{SENTENCE}</p><p>{SENTENCE}</p><p>{SENTENCE}</p>
<p>Share this article</p>
<div class="sponsor-box"><p>{SENTENCE.replace("bridge", "mall")}</p></div>
</article></body></html>"""


def _names() -> dict[str, object]:
    return {family.name: family for family in families()}


def test_patched_puts_the_attribute_back() -> None:
    before = lines.CHROME_CHECKS
    with patched(lines, "CHROME_CHECKS", ()):
        assert lines.CHROME_CHECKS == ()
    assert lines.CHROME_CHECKS is before


def test_every_family_turns_off_and_restores_the_parser() -> None:
    saved = (clean.Cleaner.tag_kind, lines.CHROME_CHECKS, clean.AD_LABEL, clean.BOX_HEADING)
    for family in families():
        with family.off():  # type: ignore[attr-defined]
            pass
    assert (clean.Cleaner.tag_kind, lines.CHROME_CHECKS, clean.AD_LABEL, clean.BOX_HEADING) == (
        saved
    )


def test_a_line_family_turned_off_keeps_its_line() -> None:
    assert "Share this article" not in extract_article(PAGE).text
    with _names()["lines: share bar"].off():  # type: ignore[attr-defined]
        assert "Share this article" in extract_article(PAGE).text
    assert "Share this article" not in extract_article(PAGE).text


def test_a_class_family_turned_off_keeps_its_elements_only() -> None:
    assert "rebuild the old mall" not in extract_article(PAGE).text
    with _names()["clean: class ad"].off():  # type: ignore[attr-defined]
        text = extract_article(PAGE).text
    assert "rebuild the old mall" in text
    assert "Share this article" not in text  # the other families still run


def test_attribution_names_the_rule_that_removed_a_missed_snippet() -> None:
    page = DevPage(
        "https://news.example/bridge",
        "bridge.html",
        PAGE,
        wanted=("rebuild the old bridge", "rebuild the old mall", "Share this article"),
        unwanted=(),
    )
    report = attribute([page]).splitlines()
    half = 1 if page.half == "A" else 2
    counts = {line[:78].strip(): line[78:].split() for line in report[1:]}
    assert counts["clean: class ad"][half - 1] == "1"
    assert counts["lines: share bar"][half - 1] == "1"
    assert counts["all"][half - 1] == "2"


def test_a_trace_puts_a_snippet_down_to_the_first_removal_holding_it() -> None:
    trace = Trace(removed=[("clean: class ad", flat("Buy now, and save")), ("lines: x", "a")])
    trace.page, trace.chosen = flat("Some body text"), flat("body text")
    assert trace.cause_of("Buy  now,\nand") == "clean: class ad"
    assert trace.cause_of("body text") == "blocks: walker skipped (caption/h1/...)"
    assert trace.cause_of("Some").startswith("content: not chosen as body")
    assert trace.cause_of("elsewhere") == "not found after the passes (spans elements?)"


def test_a_missing_data_folder_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "no-aeb"), "--dev", str(tmp_path / "no-dev")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no-dev" in err[0] and "does not exist" in err[0]
