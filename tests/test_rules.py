"""Per-site rules: the file format, its errors, host matching, and rules applied by extract."""

from pathlib import Path

import pytest

from archive.extract import ExtractOptions, extract_article
from archive.rules import RulesError, builtin_rules, load_rules, matching_rules

PARA = "<p>" + "The ferry sailed at dawn, and the crossing was calm. " * 6 + "</p>"
PAGE = (
    "<html><head><title>Site</title></head><body>"
    '<div class="hed">A ferry returns</div><div class="who">By Ana Ruiz, Editor</div>'
    '<span class="stamp" data-iso="2019-10-03T07:30:00+01:00">3.10.19</span>'
    f'<div class="copy">{PARA * 2}<p class="plug">Sign our petition for more boats today.</p>'
    f"{PARA}</div>"
    f'<div class="chat">{PARA * 6}</div></body></html>'
)
RULE = """
[[rule]]
name = "ferry-site"
hosts = ["ferry.example"]
remove = ["p.plug"]
body = "div.copy"

[rule.fields]
title = "div.hed"
authors = "div.who"
published_at = { selector = "span.stamp", attribute = "data-iso" }
"""


def _write(folder: Path, text: str, name: str = "site.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_users_rule_file_shapes_the_record(tmp_path: Path) -> None:
    options = ExtractOptions(rules_paths=[_write(tmp_path, RULE)])
    record = extract_article(PAGE, "https://news.ferry.example/a", options=options)
    assert record.rules == ["ferry-site"]
    assert record.title == "A ferry returns"
    assert record.authors == ["Ana Ruiz"]
    assert (record.authors_from, record.published_from) == ("rule", "rule")
    assert record.published_at == "2019-10-03T07:30:00+01:00"
    assert "petition" not in record.text
    assert record.word_count == 3 * 60  # the body only: not the longer "chat" below it
    assert ("rule ferry-site", "Sign our petition for more boats today.") in [
        (r.kind, r.sample) for r in record.removed
    ]


def test_without_a_matching_rule_the_generic_passes_decide(tmp_path: Path) -> None:
    options = ExtractOptions(rules_paths=[_write(tmp_path, RULE)])
    record = extract_article(PAGE, "https://other.example/a", options=options)
    assert record.rules == []
    assert record.title == "Site"
    assert record.word_count > 3 * 60


def test_a_folder_of_rules_and_positional_call_still_work(tmp_path: Path) -> None:
    _write(tmp_path, RULE)
    _write(tmp_path, "# not a rules file", name="notes.txt")
    options = ExtractOptions(rules_paths=[str(tmp_path)])
    assert extract_article(PAGE, "https://ferry.example/a", options=options).rules == ["ferry-site"]
    assert extract_article(PAGE, "https://ferry.example/a").rules == []


def test_user_rules_come_before_the_shipped_ones(tmp_path: Path) -> None:
    mine = RULE.replace("ferry.example", "lakesideledger.example").replace("ferry-site", "mine")
    options = ExtractOptions(rules_paths=[_write(tmp_path, mine)])
    rules = options.rules()
    assert rules[0].name == "mine"
    assert [r.name for r in matching_rules(rules, "https://lakesideledger.example/x")] == [
        "mine",
        "lakeside-ledger",
    ]
    assert ExtractOptions(rules_paths=[], builtin_rules=False).rules() == ()


def test_every_shipped_rule_has_a_golden_page() -> None:
    pages = Path(__file__).parent / "pages"
    covered = {
        name
        for url_file in pages.glob("*/url.txt")
        for name in (r.name for r in matching_rules(builtin_rules(), url_file.read_text()))
    }
    assert {rule.name for rule in builtin_rules()} <= covered


@pytest.mark.parametrize(
    ("host", "matches"),
    [
        ("ferry.example", True),
        ("www.ferry.example", True),
        ("notferry.example", False),
        ("ferry.example.org", False),
        ("news.glob.example", True),
    ],
)
def test_host_patterns(tmp_path: Path, host: str, matches: bool) -> None:
    text = RULE.replace('["ferry.example"]', '["ferry.example", "news.*.example"]')
    rules = load_rules([_write(tmp_path, text)])
    assert bool(matching_rules(rules, f"https://{host}/story")) is matches


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[rule]\nname=", "not valid TOML"),
        ("[[rule]]\nhosts = ['a.example']", "rule 1 has no name"),
        ("[[rule]]\nname = 'x'", "rule 'x': no hosts"),
        ("[[rule]]\nname = 'x'\nhosts = []", "non-empty list"),
        ("[[rule]]\nname = 'x'\nhosts = ['a.example']\nbody = 'div[['", "body is not a valid CSS"),
        ("[[rule]]\nname = 'x'\nhosts = ['a.example']\nremove = [3]", "remove must be a string"),
        ("[[rule]]\nname = 'x'\nhosts = ['a.example']\nbodies = 'p'", "unknown keys bodies"),
        (
            "[[rule]]\nname = 'x'\nhosts = ['a.example']\n[rule.fields]\nprice = 'p'",
            "unknown field",
        ),
        ("[rules]\nname = 'x'", "unknown top-level keys rules"),
        ("[[rule]]\nname='x'\nhosts=['a']\n[[rule]]\nname='x'\nhosts=['b']", "name already used"),
    ],
)
def test_bad_rules_files_raise_a_typed_error_naming_file_and_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = _write(tmp_path, text, name="bad.toml")
    with pytest.raises(RulesError) as caught:
        extract_article(PAGE, "https://ferry.example/a", options=ExtractOptions(rules_paths=[path]))
    assert caught.value.subject == str(path.resolve()) or caught.value.subject == str(path)
    assert problem in caught.value.reason
    assert "bad.toml" in str(caught.value)


def test_a_missing_rules_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="no such file or folder"):
        load_rules([tmp_path / "absent.toml"])


def test_an_edited_rules_file_is_read_again(tmp_path: Path) -> None:
    path = _write(tmp_path, RULE)
    assert load_rules([path])[0].remove == ("p.plug",)
    _write(tmp_path, RULE.replace('remove = ["p.plug"]', 'remove = ["p.plug", "div.chat"]'))
    assert load_rules([path])[0].remove == ("p.plug", "div.chat")


def test_cli_extract_takes_rules(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archive.cli import cli

    page = _write(tmp_path, PAGE, name="page.html")
    rules = _write(tmp_path, RULE)
    result = CliRunner().invoke(
        cli, ["extract", str(page), "--url", "https://ferry.example/a", "--rules", str(rules)]
    )
    assert result.exit_code == 0, result.output
    assert '"rules": [\n    "ferry-site"\n  ]' in result.output


def test_cli_extract_reports_a_bad_rules_file_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archive.cli import cli

    page = _write(tmp_path, PAGE, name="page.html")
    bad = _write(tmp_path, "[[rule]]\nname = 'x'", name="bad.toml")
    result = CliRunner().invoke(cli, ["extract", str(page), "--rules", str(bad)])
    assert result.exit_code == 2
    assert result.output == (
        f"archive: error: {bad.resolve()}: invalid rules file: rule 'x': no hosts\n"
    )


def test_a_body_selector_that_matches_nothing_leaves_the_generic_passes(tmp_path: Path) -> None:
    text = RULE.replace('body = "div.copy"', 'body = "div.not-on-this-page"')
    options = ExtractOptions(rules_paths=[_write(tmp_path, text)])
    record = extract_article(PAGE, "https://ferry.example/a", options=options)
    assert record.rules == ["ferry-site"]
    assert record.word_count > 3 * 60  # the generic scoring chose the longer block
    assert "petition" not in record.text  # the rule's removals still apply


def test_a_date_field_read_from_text_and_fields_the_page_lacks(tmp_path: Path) -> None:
    text = RULE.replace(
        'published_at = { selector = "span.stamp", attribute = "data-iso" }',
        'published_at = "div.who"\nmodified_at = "span.absent"\ndescription = "div.hed"',
    )
    page = PAGE.replace("By Ana Ruiz, Editor", "Filed October 3, 2019 by the desk")
    options = ExtractOptions(rules_paths=[_write(tmp_path, text)])
    record = extract_article(page, "https://ferry.example/a", options=options)
    assert (record.published_at, record.published_from) == ("2019-10-03", "rule")
    assert (record.modified_at, record.modified_from) == (None, None)
    assert record.description == "A ferry returns"
