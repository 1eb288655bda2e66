"""The metadata benchmark's scores (benchmarks/metadata_scoring.py), on cases done by hand."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.metadata_scoring import Tally, authors_exact, authors_f1, day_of, half, same_text

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2023-11-08T23:15:00-05:00", "2023-11-08"),  # the local day as written, not UTC's
        ("2023-11-09T04:15:00+00:00", "2023-11-09"),
        ("2020-04-17", "2020-04-17"),
        ("", None),
        (None, None),
        ("17.04.2020", None),  # not ISO: no day
    ],
)
def test_day_of(value: str | None, day: str | None) -> None:
    assert day_of(value) == day


def test_halves_are_stable_and_split_the_pages() -> None:
    # The split must not depend on the process (no salted hash()): same URL, same half.
    urls = [f"https://a.example/{n}" for n in range(200)]
    halves = [half(u) for u in urls]
    assert halves == [half(u) for u in urls]
    assert 70 < halves.count("A") < 130
    assert set(halves) == {"A", "B"}


def test_tally_by_hand() -> None:
    tally = Tally()
    tally.add_date("2020-01-01T10:00:00+01:00", "2020-01-01")  # right
    tally.add_date("2020-01-02", "2020-01-01")  # wrong day
    tally.add_date(None, "2020-01-01")  # none
    tally.add_date("2020-01-03", "2020-01-03")  # right
    assert (tally.pages, tally.dated, tally.right_day) == (4, 3, 2)
    assert (tally.accuracy, tally.coverage) == (0.5, 0.75)
    assert tally.precision == pytest.approx(2 / 3)


def test_titles_compare_after_spacing_and_unicode_normalisation() -> None:
    assert same_text("Rovers  win\n again", "Rovers win again")
    assert same_text("ﬁnal", "final")  # NFKC folds the ligature
    assert not same_text("Rovers win", "Rovers won")
    assert not same_text(None, "Rovers win")


def test_author_scores_by_hand() -> None:
    assert authors_exact(["Ana Ruiz", "tom becker"], ["Tom Becker", "Ana  Ruiz"])
    assert authors_exact([], [])
    assert not authors_exact(["Ana Ruiz"], ["Ana Ruiz", "Tom Becker"])
    assert authors_f1(["Ana Ruiz"], ["Ana Ruiz", "Tom Becker"]) == pytest.approx(2 / 3)
    assert authors_f1([], []) == 1.0
    assert authors_f1(["X"], []) == 0.0


def test_benchmark_runs_on_a_tiny_set(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    pages = {
        "p1": ("https://a.example/2020/04/17/x", "2020-04-17", "<h1>One</h1><p>text</p>"),
        "p2": ("https://a.example/y", "2021-05-06", '<h1>Two</h1><span class="date">06.05.2021'),
        "p3": ("https://a.example/z", "2019-01-01", "<h1>Three</h1><p>no date</p>"),
    }
    truth = {}
    for key, (url, day, body) in pages.items():
        truth[key] = {"url": url, "published": day, "title": body[4:7]}  # "Thr" is wrong
        html = f'<html lang="de"><body>{body}</body></html>'.encode()
        (tmp_path / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html))
    (tmp_path / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    script = str(ROOT / "benchmarks" / "metadata.py")
    done = subprocess.run(
        [sys.executable, script, str(tmp_path), "--only", "ours", "--show-failures", "5"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    row = next(
        line for line in done.stdout.splitlines() if line.startswith("ours") and " all " in line
    )
    # Two days of three right and none wrong; two titles of three.
    assert row.split()[3:7] == ["0.667", "0.667", "1.000", "0.667"]
    assert "no date: 1" in done.stdout


def test_agreement_with_trafilatura_by_hand() -> None:
    from benchmarks.metadata import Found, Page, agreement, disagreements

    def page(key: str) -> Page:
        return Page(key, f"https://a.example/{key}", "", {})

    pages = [page(k) for k in ("p1", "p2", "p3", "p4")]
    mine = {
        # the same people in another order and case agree; so do titles after spacing
        "p1": Found(title="A  title", authors=("Ana Ruiz", "tom becker")),
        "p2": Found(title="Two", authors=("Ana Ruiz",)),
        "p3": Found(title="Three", authors=()),
        "p4": Found(title="Four", authors=("X Y",)),
    }
    theirs = {
        "p1": Found(title="A title", authors=("Tom Becker", "Ana Ruiz")),
        "p2": Found(title="Two | Site", authors=()),
        "p3": Found(title="Three", authors=()),
        "p4": Found(title="Four", authors=("X Y",)),
    }
    results = {k: (mine[k], {"ours": mine[k], "trafilatura": theirs[k]}) for k in mine}
    table = agreement(pages, results).splitlines()
    # authors agree on p1, p3, p4; titles on p1, p3, p4
    assert table[-1].split() == ["all", "4", "0.750", "0.750"]
    listed = disagreements(pages, results, half(pages[1].url), 10)
    assert "p2 ours ['Ana Ruiz']" in listed
    assert "'Two | Site'" in listed


def test_overlay_lays_annotations_over_truth_by_page() -> None:
    from benchmarks.metadata_scoring import overlay, unmatched

    truth = {
        "p1": {"url": "u1", "published": "2020-01-02"},
        "p2": {"url": "u2", "published": "2020-01-03", "title": "Old"},
        "p3": {"url": "u3", "published": "2020-01-04"},
    }
    notes = {
        "p1": {"title": "One", "authors": ["Ana Ruiz"], "note": "ignored"},
        "p2": {"authors": []},  # no title given: the set's own stays
        "zz": {"title": "Not in the set", "authors": []},
    }
    merged = overlay(truth, notes)
    assert merged["p1"] == {
        "url": "u1", "published": "2020-01-02", "title": "One", "authors": ["Ana Ruiz"],
    }  # fmt: skip
    assert merged["p2"] == {"url": "u2", "published": "2020-01-03", "title": "Old", "authors": []}
    assert merged["p3"] == truth["p3"]
    assert "zz" not in merged
    assert "title" not in truth["p1"]  # the set's truth is left as it was
    assert unmatched(truth, notes) == ["zz"]


def test_benchmark_scores_annotated_pages_only(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    bodies = {
        "p1": '<h1>Rain in Spain</h1><p class="byline">By Ana Ruiz</p><p>text</p>',
        "p2": '<h1>Snow in Oslo</h1><p class="byline">By Tom Becker</p><p>text</p>',
        "p3": "<h1>Not annotated</h1><p>text</p>",
    }
    truth = {}
    for key, body in bodies.items():
        truth[key] = {"url": f"https://a.example/{key}", "published": "2020-04-17"}
        html = f"<html><body>{body}</body></html>".encode()
        (tmp_path / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html))
    (tmp_path / "truth.json").write_text(json.dumps(truth), encoding="utf-8")
    notes = tmp_path / "people.json"
    notes.write_text(json.dumps({
        "p1": {"title": "Rain in Spain", "authors": ["Ana Ruiz"]},
        "p2": {"title": "Snow in Oslo!", "authors": ["Tom Becker", "Eva Lind"]},
    }), encoding="utf-8")  # fmt: skip
    script = str(ROOT / "benchmarks" / "metadata.py")
    done = subprocess.run(
        [sys.executable, script, str(tmp_path), "--only", "ours", "--annotations", str(notes),
         "--show-people-failures", "5"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    row = next(
        line for line in done.stdout.splitlines() if line.startswith("ours") and " all " in line
    )
    # p3 has no annotation: of the two annotated pages, one title and one author list right;
    # p2's names score F1 2/3.
    assert row.split()[6:9] == ["0.500", "0.500", "0.833"]
    assert "want ['Tom Becker', 'Eva Lind'] ours ['Tom Becker']" in done.stdout
    assert "want 'Snow in Oslo!' ours 'Snow in Oslo'" in done.stdout


def test_annotations_that_match_no_page_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "truth.json").write_text(json.dumps({"p1": {"url": "u"}}), encoding="utf-8")
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(b"<h1>x</h1>"))
    notes = tmp_path / "people.json"
    notes.write_text(json.dumps({"other": {"title": "x", "authors": []}}), encoding="utf-8")
    script = str(ROOT / "benchmarks" / "metadata.py")
    done = subprocess.run(
        [sys.executable, script, str(tmp_path), "--only", "ours", "--annotations", str(notes)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2
    assert "none of the annotated pages" in done.stderr
