"""benchmarks/unlabelled.py: the kinds of page it lists, on cases worked out by hand, and the
script on a folder the test writes (ours and the anchors on real tiny pages, no mocks)."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.devset import half_of
from benchmarks.unlabelled import classify, held_out, lost_lines

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("ours", "anchors", "kind"),
    [
        (100, [400, 380], "shorter"),  # under 0.6 of the shorter anchor, 280 words fewer
        (250, [400, 380], None),  # 0.66 of the shorter anchor: not much shorter
        (20, [50, 45], None),  # much shorter, but only 25 words: under --min-words
        (900, [400, 300], "longer"),  # over 1.6 times the longer anchor
        (600, [400, 300], None),
        (100, [], None),  # no anchor ran: nothing to say
    ],
)
def test_classify_against_both_anchors(ours: int, anchors: list[int], kind: str | None) -> None:
    assert classify(ours, anchors, shorter=0.6, longer=1.6, min_words=40) == kind


def test_lost_lines_are_those_every_anchor_gives_and_ours_lacks() -> None:
    kept = "The council met on Tuesday to vote on the budget."
    lost = "The mayor said the vote would be held again in March."
    one_anchor = "Only one extractor kept this line about the weather today."
    traf = "\n".join([kept, lost, one_anchor, "Share"])
    read = "\n".join([kept.replace(" on ", "  on "), lost])  # whitespace does not count
    assert lost_lines(kept, [traf, read]) == [lost]
    assert lost_lines(kept, []) == []


def test_held_out_takes_half_b_by_url_and_bytes(tmp_path: Path) -> None:
    urls = [f"https://news.example/story-{n}" for n in range(8)]
    (tmp_path / "cache").mkdir()
    entries = {}
    for n, url in enumerate(urls):
        (tmp_path / "cache" / f"p{n}.html").write_bytes(f"<p>page {n}</p>".encode())
        entries[url] = {"file": f"p{n}.html", "with": [], "without": []}
    (tmp_path / "evaldata.json").write_text(json.dumps(entries))
    held_urls, digests = held_out(tmp_path)
    assert held_urls == {u for u in urls if half_of(u) == "B"}
    assert len(digests) == len(held_urls) > 0
    assert held_out(tmp_path / "missing") == (set(), set())


ARTICLE = (
    "<html><head><title>Ferry timetable</title></head><body><article><h1>Ferry timetable</h1>"
    + "".join(
        f"<p>Paragraph {n}: the first ferry to the island leaves at seven from Monday, the "
        "operator said, and the last one returns at half past six in the evening.</p>"
        for n in range(6)
    )
    + "</article></body></html>"
)
LINKS = "".join(f"<a href='/s{n}'>Story {n}</a> " for n in range(30))
FRONT = f"<html><body>{LINKS}</body></html>"


def test_the_script_lists_a_refused_page_and_never_a_held_out_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "html").mkdir(parents=True)
    urls = [f"https://news.example/front-{n}" for n in range(40)]
    # Both fronts in half A by their URL: only the bytes tell front-b is a held-out page.
    studied, held = [u for u in urls if half_of(u) == "A"][:2]
    truth = {
        "article": {"url": "https://news.example/ferry", "published": "2024-01-01"},
        "front-a": {"url": studied, "published": "2024-01-01"},
        "front-b": {"url": held, "published": "2024-01-01"},
    }
    (data / "truth.json").write_text(json.dumps(truth))
    (data / "html" / "article.html.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    # front-a: other bytes than the dev set's page; front-b: that page's bytes (held out)
    (data / "html" / "front-a.html.gz").write_bytes(gzip.compress((FRONT + "\n").encode()))
    (data / "html" / "front-b.html.gz").write_bytes(gzip.compress(FRONT.encode()))
    dev = tmp_path / "dev"
    (dev / "cache").mkdir(parents=True)
    (dev / "cache" / "b.html").write_text(FRONT)
    elsewhere = (f"https://elsewhere.example/{n}" for n in range(40))
    other = next(u for u in elsewhere if half_of(u) == "B")
    (dev / "evaldata.json").write_text(
        json.dumps({other: {"file": "b.html", "with": [], "without": []}})
    )
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "unlabelled.py"), str(data), "--dev", str(dev)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = run.stdout
    assert "refused: 1 pages" in out  # front-a only: front-b has a held-out page's bytes
    assert "front-a" in out and "not an article" in out
    assert "front-b" not in out
