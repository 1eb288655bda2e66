"""The dev-set snippet metric (benchmarks/snippets.py) and loader (benchmarks/devset.py), on
cases worked out by hand, and the benchmark script on a dev folder the test writes."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.devset import DevDataError, decode, half_of, load_dev_pages
from benchmarks.snippets import SnippetCounts, score_snippets, squeeze, total

OUTPUT = "The mayor  opened the\nnew bridge on Monday.\n\nShare this article"


def test_whitespace_runs_become_one_space() -> None:
    assert squeeze("  a \n\n b\t c ") == "a b c"
    assert squeeze(None) == ""


def test_each_snippet_counts_once_by_hand() -> None:
    page = score_snippets(
        OUTPUT,
        ["opened the new bridge", "on Monday.", "the old bridge"],  # 2 found, 1 missed
        ["Share this article", "Newsletter"],  # 1 leaked, 1 avoided
    )
    assert page.counts == SnippetCounts(tp=2, fn=1, fp=1, tn=1)
    assert page.missed == ("the old bridge",)
    assert page.leaked == ("Share this article",)


def test_snippets_are_case_sensitive_and_whitespace_blind() -> None:
    page = score_snippets(OUTPUT, ["the MAYOR", "The  mayor\topened"], [])
    assert page.counts == SnippetCounts(tp=1, fn=1)


def test_refused_page_misses_every_wanted_snippet_and_leaks_none() -> None:
    page = score_snippets("", ["a b", "c d"], ["menu"])
    assert page.counts == SnippetCounts(tp=0, fn=2, fp=0, tn=1)


def test_counts_are_summed_over_pages_before_the_ratios() -> None:
    # Page 1: 1 of 1 found, nothing leaked. Page 2: 1 of 3 found, 1 leaked.
    # Summed: TP 2, FN 2, FP 1 -> P 2/3, R 1/2, F 4/7 (a mean of page figures would differ).
    pages = [
        score_snippets("alpha", ["alpha"], ["x"]),
        score_snippets("one two menu", ["one", "three", "four"], ["menu"]),
    ]
    summed = total(pages)
    assert summed == SnippetCounts(tp=2, fn=2, fp=1, tn=1)
    assert summed.precision == pytest.approx(2 / 3)
    assert summed.recall == pytest.approx(1 / 2)
    assert summed.f == pytest.approx(4 / 7)
    assert SnippetCounts().f == 0.0


def test_halves_split_by_the_parity_of_the_url_hash() -> None:
    urls = [f"https://example.org/story/{n}" for n in range(40)]
    halves = [half_of(url) for url in urls]
    assert set(halves) == {"A", "B"}
    for url, half in zip(urls, halves, strict=True):
        parity = hashlib.sha1(url.encode()).digest()[-1] % 2
        assert half == ("A" if parity == 0 else "B")
        assert half_of(url) == half  # stable from run to run


def test_pages_decode_as_utf8_first_else_detected() -> None:
    assert decode("Grüße".encode()) == "Grüße"
    latin = "<html><body><p>Die Straße führt über die Brücke nach Köln.</p></body></html>"
    assert "Straße" in decode(latin.encode("cp1252"))


def write_dev(folder: Path) -> None:
    (folder / "cache").mkdir(parents=True)
    (folder / "eval").mkdir()
    body = "<p>" + "Barn owls hunt by sound alone in the dark of the night, study shows. " * 6
    page = (
        "<html><head><title>Owls at night</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Owls at night</h1>{body}</p></article><footer>Copyright</footer>"
        "</body></html>"
    )
    (folder / "cache" / "owls.html").write_text(page, encoding="utf-8")
    (folder / "eval" / "owls2.html").write_bytes(page.replace("Owls", "Eulen").encode("cp1252"))
    index = {
        "https://example.org/owls": {
            "file": "owls.html",
            "with": ["Barn owls hunt by sound", "not in the page"],
            "without": ["Copyright"],
        },
        "https://example.org/eulen": {"file": "owls2.html", "with": ["Eulen"], "without": []},
    }
    (folder / "evaldata.json").write_text(json.dumps(index), encoding="utf-8")


def test_loader_reads_cache_then_eval(tmp_path: Path) -> None:
    write_dev(tmp_path / "dev")
    pages = load_dev_pages(tmp_path / "dev")
    assert [p.name for p in pages] == ["owls2.html", "owls.html"]  # sorted by URL
    assert pages[1].wanted == ("Barn owls hunt by sound", "not in the page")
    with pytest.raises(DevDataError, match=r"evaldata\.json does not exist"):
        load_dev_pages(tmp_path / "nowhere")


SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "extraction.py"


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120
    )


def test_script_scores_the_dev_set_by_halves_and_holds_its_floor(tmp_path: Path) -> None:
    write_dev(tmp_path / "dev")
    out = tmp_path / "result.json"
    dev = str(tmp_path / "dev")
    result = run_script("--dev", dev, "--only", "ours", "--failures", "2", "--json", str(out))
    assert result.returncode == 0, result.stderr
    assert "half A (study)" in result.stdout and "half B (held out)" in result.stdout
    assert "refused" in result.stdout
    data = json.loads(out.read_text())["dev"]
    assert data["pages"] == 2
    ours = data["per_page"]["https://example.org/owls"]["ours"]
    assert ours["missed"] == ["not in the page"]
    assert ours["leaked"] == []
    failed = run_script("--dev", dev, "--only", "ours", "--min-dev-f", "1.01")
    assert failed.returncode == 1
    assert "dev-set F" in failed.stderr and "below the floor 1.01" in failed.stderr
