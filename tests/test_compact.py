"""`archive compact`: a crawled archive (bodies at zstd 3, no dictionary) brought to zstd 9 with
site dictionaries, every body reading back identical, safely beside other writers.

The archives are real SQLite files holding variants of the golden pages (their markup kept,
their text replaced per copy, as pages of one site differ), packed as a crawl packs them."""

import os
import pty
import random
import re
import select
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.records import Capture, Outcome
from archive.store.bodies import compact as compacting
from archive.store.bodies.compress import (
    CRAWL_LEVEL,
    ZSTD,
    body_hash,
    compress,
    dict_method,
    has_checksum,
)
from archive.store.bodies.dictionaries import TRAIN_MIN_BODIES, site_dictionaries
from archive.store.bodies.repack import Repacked, write_batch
from archive.store.db.archive_db import ArchiveDB

PAGES = Path(__file__).parent / "pages"
MARKUP = re.compile(r"(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>)", re.S | re.I)
WORDS = [
    word
    for page in sorted(PAGES.glob("*/source.html"))
    for text in MARKUP.split(page.read_text(encoding="utf-8"))[::2]
    for word in text.split()
]
# Two sites with enough pages for a dictionary, one with too few.
SITES = {"blog.example": ("blog-wordpress", 30), "news.example": ("newspaper-city-council", 28)}
SMALL = ("small.example", "seed-article", 6)


def variant(slug: str, seed: int) -> bytes:
    """A page of the golden page's site: its markup, with every run of text replaced."""
    rng = random.Random(seed)
    parts = MARKUP.split((PAGES / slug / "source.html").read_text(encoding="utf-8"))
    for index in range(0, len(parts), 2):
        count = len(parts[index].split())
        if count >= 3:
            start = rng.randrange(len(WORDS) - count)
            parts[index] = " ".join(WORDS[start : start + count])
    return "".join(parts).encode()


def crawl_packed(body: bytes) -> dict:
    """The bodies row a crawl's extraction workers hand over: zstd 3, no dictionary."""
    data = compress(body, ZSTD, level=CRAWL_LEVEL)
    return {"hash": body_hash(body), "size": len(body), "compression": ZSTD, "data": data}


def store_pages(archive: ArchiveDB, site: str, bodies: list[bytes], packer=crawl_packed) -> None:
    with archive.batch():
        for number, body in enumerate(bodies):
            url = f"https://{site}/news/{number}-{body_hash(body)[:8]}"
            capture = Capture(
                requested_url=url,
                fetched_at="2026-03-01T10:00:00+00:00",
                outcome=Outcome.NOT_ARTICLE,
                final_url=url,
                status=200,
                content_type="text/html",
                body=body,
            )
            archive.store(capture, packed_body=packer(body))


def build(path: Path) -> dict[str, bytes]:
    """A crawled archive of three sites; returns every body by its hash."""
    bodies: dict[str, bytes] = {}
    with ArchiveDB(path) as archive:
        for seed, (site, (slug, count)) in enumerate([*SITES.items(), (SMALL[0], SMALL[1:])]):
            pages = [variant(slug, seed * 1000 + i) for i in range(count)]
            store_pages(archive, site, pages)
            bodies.update((body_hash(page), page) for page in pages)
    return bodies


def rows(path: Path) -> dict[str, tuple[str, bytes]]:
    with ArchiveDB(path) as archive:
        found = archive.db.execute("SELECT hash, compression, data FROM bodies").fetchall()
    return {hash_: (method, bytes(data)) for hash_, method, data in found}


def site_rows(path: Path, site: str) -> dict[str, tuple[str, bytes]]:
    with ArchiveDB(path) as archive:
        hashes = {
            r[0]
            for r in archive.db.execute("SELECT body_hash FROM captures WHERE site = ?", [site])
        }
    return {h: row for h, row in rows(path).items() if h in hashes}


def packed_bytes(path: Path) -> int:
    return sum(len(data) for _, data in rows(path).values())


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["compact", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def crawled(tmp_path) -> tuple[Path, dict[str, bytes]]:
    path = tmp_path / "crawl.db"
    return path, build(path)


@pytest.mark.parametrize("processes", [0, 2])
def test_compact_shrinks_the_bodies_and_every_body_reads_back(crawled, processes) -> None:
    path, bodies = crawled
    before = packed_bytes(path)
    with ArchiveDB(path) as archive:
        report = compacting.compact(archive, processes=processes)
        assert sorted(report.trained) == sorted(SITES)
        assert report.repacked == len(bodies) == report.bodies
        assert report.bytes_before == before
        for hash_, body in bodies.items():
            assert archive.body(hash_) == body
        dictionaries = site_dictionaries(archive.db)
    after = packed_bytes(path)
    assert report.bytes_after == after
    # Measured 0.32 x on these pages (dictionaries not counted; they are 54 KB).
    assert after < before * 0.5
    for site in SITES:
        methods = {method for method, _ in site_rows(path, site).values()}
        assert methods == {dict_method(dictionaries[site].id)}
    small = site_rows(path, SMALL[0]).values()
    assert {method for method, _ in small} == {ZSTD}
    assert all(has_checksum(data) for _, data in small)  # zstd 9, packed by compact


def test_a_second_run_does_nothing_and_says_so(crawled) -> None:
    path, _ = crawled
    assert run("--db", str(path), "-p", "0")[0] == 0
    first = rows(path)
    status, out, err = run("--db", str(path), "-p", "0")
    assert status == 0, err
    assert "nothing to do" in out
    assert f"the {len(first)} bodies of 3 sites are packed at their best" in out
    assert rows(path) == first
    with ArchiveDB(path) as archive:
        assert compacting.compact(archive, processes=0).nothing_done
        plan = compacting.plan(archive)
    assert (plan.to_train, plan.to_repack) == ([], 0)


def test_the_cli_reports_what_it_did(crawled) -> None:
    path, bodies = crawled
    status, out, err = run("--db", str(path), "-p", "1")
    assert status == 0, err
    assert f"re-packed {len(bodies)} of {len(bodies)} bodies; 2 site dictionaries trained" in out
    assert re.search(r"Bodies: [\d.]+ KB → [\d.]+ KB \(0\.[0-4]\d x; 0\.\d\d x their raw", out)
    assert "\r" not in out + err  # no progress line when not on a terminal


def test_dry_run_reports_and_changes_nothing(crawled) -> None:
    path, bodies = crawled
    with ArchiveDB(path) as archive:
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    file_before = path.read_bytes()
    before = rows(path)
    status, out, err = run("--db", str(path), "--dry-run", "--vacuum")
    assert status == 0, err
    assert "dry run, nothing written" in out
    assert "Would train dictionaries for 2 sites: blog.example, news.example" in out
    assert f"Would re-pack {len(bodies)} bodies" in out
    assert path.read_bytes() == file_before
    assert rows(path) == before
    with ArchiveDB(path) as archive:
        plan = compacting.plan(archive)
        assert archive.db["zstd_dictionaries"].count == 0
        report = compacting.compact(archive, processes=0)
    # The estimate (a sample, dictionaries trained on a few sites) is near what a run does.
    assert plan.bytes == report.bytes_before
    assert report.bytes_after * 0.7 < plan.estimated_after < report.bytes_after * 1.3


def test_site_limits_the_run_to_those_sites(crawled) -> None:
    path, _ = crawled
    others = {site: site_rows(path, site) for site in ("news.example", SMALL[0])}
    blog = site_rows(path, "blog.example")
    status, out, err = run("--db", str(path), "--site", "www.blog.example", "-p", "0")
    assert status == 0, err
    assert f"re-packed {len(blog)} of {len(blog)} bodies" in out
    for site, before in others.items():
        assert site_rows(path, site) == before
    with ArchiveDB(path) as archive:
        assert list(site_dictionaries(archive.db)) == ["blog.example"]
    assert sum(len(d) for _, d in site_rows(path, "blog.example").values()) < sum(
        len(d) for _, d in blog.values()
    )


def test_an_unknown_site_is_one_line_and_changes_nothing(crawled) -> None:
    path, _ = crawled
    before = rows(path)
    status, _, err = run("--db", str(path), "--site", "nowhere.example")
    assert status == 1
    assert (
        err == "archive: error: nowhere.example: no captured bodies of this site in the archive\n"
    )
    assert rows(path) == before


def test_bad_db_paths_are_one_line_and_nothing_is_created(tmp_path) -> None:
    missing = tmp_path / "missing.db"
    status, _, err = run("--db", str(missing))
    assert (status, err) == (
        2,
        f"archive: error: {missing}: no archive here"
        " (create one with `archive save URL` or `archive demo`)\n",
    )
    assert not missing.exists()

    text = tmp_path / "notes.txt"
    text.write_bytes(b"not a database at all, just some words\n" * 20)
    status, _, err = run("--db", str(text))
    assert (status, err) == (
        2,
        f"archive: error: {text}: not an SQLite database (left untouched)\n",
    )
    assert text.read_bytes() == b"not a database at all, just some words\n" * 20

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    status, _, err = run("--db", str(other))
    assert status == 2
    assert err == (
        f"archive: error: {other}: not an archive: no bodies or captures table (left untouched)\n"
    )
    conn = sqlite3.connect(other)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["things"]
    conn.close()


def _kb(number: str, unit: str) -> float:
    return float(number) * (1000 if unit == "MB" else 1)


def test_vacuum_shrinks_the_file(crawled) -> None:
    path, bodies = crawled
    status, out, err = run("--db", str(path), "-p", "0", "--vacuum")
    assert status == 0, err
    # Sizes print in KB or MB: the pages are drawn from every golden page's words, so the
    # file's size moves with the golden pages and may cross a megabyte.
    match = re.search(r"File after VACUUM: ([\d.]+) ([KM]B) → ([\d.]+) ([KM]B)", out)
    assert match, out
    before, after = _kb(match[1], match[2]), _kb(match[3], match[4])
    assert after < before * 0.7
    assert not Path(str(path) + "-wal").exists() or Path(str(path) + "-wal").stat().st_size == 0
    assert path.stat().st_size == pytest.approx(after * 1000, abs=100)
    with ArchiveDB(path) as archive:
        assert all(archive.body(h) == body for h, body in bodies.items())


def test_an_interrupted_run_keeps_its_batches_and_loses_nothing(crawled, monkeypatch) -> None:
    path, bodies = crawled
    monkeypatch.setattr(compacting, "WRITE_ROWS", 8)

    def stop(progress: compacting.Progress) -> None:
        if progress.phase == "repack" and progress.done >= 40:
            raise KeyboardInterrupt

    with ArchiveDB(path) as archive, pytest.raises(KeyboardInterrupt):
        compacting.compact(archive, processes=0, progress=stop)
    methods = [method for method, _ in rows(path).values()]
    done = sum(method.startswith("zstd-dict:") for method in methods)
    assert 8 <= done < len(bodies)  # some batches committed, the rest untouched
    with ArchiveDB(path) as archive:
        assert all(archive.body(h) == body for h, body in bodies.items())
        report = compacting.compact(archive, processes=0)
        assert report.repacked == len(bodies) - done
        assert report.trained == []  # kept by the first run
        assert all(archive.body(h) == body for h, body in bodies.items())


def test_another_writer_is_never_kept_waiting(crawled) -> None:
    """Between its short batches the run holds no lock: a crawl's write gets through at once
    (its busy timeout here is 0.1 s, not the usual 10)."""
    path, _ = crawled
    written: dict[str, bytes] = {}
    with ArchiveDB(path) as other:
        other.db.execute("PRAGMA busy_timeout = 100")

        def write_meanwhile(progress: compacting.Progress) -> None:
            page = variant("german-news", 5000 + len(written))
            store_pages(other, "later.example", [page])
            written[body_hash(page)] = page

        with ArchiveDB(path) as archive:
            compacting.compact(archive, processes=0, progress=write_meanwhile)
    assert len(written) >= 4  # two sites trained, then the re-packing in chunks
    with ArchiveDB(path) as archive:
        assert all(archive.body(h) == page for h, page in written.items())


def test_a_row_changed_meanwhile_is_not_overwritten(crawled) -> None:
    path, bodies = crawled
    hash_, body = next(iter(bodies.items()))
    method, data = rows(path)[hash_]
    new = compress(body, ZSTD, checksum=True)
    with ArchiveDB(path) as archive:
        # Another writer re-packed it after it was read (at zlib, say): the stale row loses.
        stale = Repacked(hash_, method, len(data) + 1, "repacked", ZSTD, new)
        assert write_batch(archive, [stale]) == set()
        # A dictionary that is gone (a purge) is never written into a body.
        orphan = Repacked(hash_, method, len(data), "repacked", dict_method(999), new)
        assert write_batch(archive, [orphan]) == set()
        assert rows(path)[hash_] == (method, data)
        fresh = Repacked(hash_, method, len(data), "repacked", ZSTD, new)
        assert write_batch(archive, [fresh]) == {hash_}
        assert archive.body(hash_) == body


def test_a_body_that_does_not_read_back_is_left_untouched(crawled) -> None:
    path, bodies = crawled
    hash_ = next(iter(bodies))
    wrong = compress(b"<html>another page</html>", ZSTD, level=CRAWL_LEVEL)
    with ArchiveDB(path) as archive:
        with archive.writing("damage a body"):
            archive.db.execute("UPDATE bodies SET data = ? WHERE hash = ?", [wrong, hash_])
        report = compacting.compact(archive, processes=0)
    assert report.unreadable == 1
    assert report.repacked == len(bodies) - 1
    assert rows(path)[hash_] == (ZSTD, wrong)


def plain9(body: bytes) -> dict:
    """A body as compact leaves it on a site without a dictionary: zstd 9, checksummed."""
    data = compress(body, ZSTD, checksum=True)
    return {"hash": body_hash(body), "size": len(body), "compression": ZSTD, "data": data}


def test_a_site_tried_without_gain_is_tried_again_at_twice_the_bodies(tmp_path) -> None:
    path = tmp_path / "a.db"
    blog = [variant("blog-wordpress", i) for i in range(4 * TRAIN_MIN_BODIES)]
    with ArchiveDB(path) as archive:
        # As a run leaves a site whose dictionary did not help: all at plain zstd 9.
        store_pages(archive, "tried.example", blog[:TRAIN_MIN_BODIES], packer=plain9)
        # Never tried (fewer than TRAIN_MIN_BODIES compacted), and now with enough bodies.
        store_pages(archive, "grown.example", blog[-TRAIN_MIN_BODIES + 1 :], packer=plain9)
        store_pages(archive, "grown.example", [blog[-TRAIN_MIN_BODIES]])
        assert compacting.plan(archive).to_train == ["grown.example"]
        store_pages(archive, "tried.example", blog[TRAIN_MIN_BODIES : 2 * TRAIN_MIN_BODIES - 1])
        assert compacting.plan(archive).to_train == ["grown.example"]
        store_pages(archive, "tried.example", [blog[2 * TRAIN_MIN_BODIES - 1]])
        assert compacting.plan(archive).to_train == ["grown.example", "tried.example"]


def test_a_site_where_no_dictionary_helps_gets_plain_zstd(tmp_path) -> None:
    path = tmp_path / "a.db"
    rng = random.Random(3)
    noise = [rng.randbytes(6000) for _ in range(TRAIN_MIN_BODIES + 2)]
    with ArchiveDB(path) as archive:
        store_pages(archive, "noise.example", noise)
        report = compacting.compact(archive, processes=0)
        assert (report.trained, report.untrained) == ([], ["noise.example"])
        assert archive.db["zstd_dictionaries"].count == 0
        # zstd cannot pack random bytes: none re-packed smaller, each left as it was.
        assert (report.repacked, report.not_smaller) == (0, len(noise))
        assert all(archive.body(body_hash(body)) == body for body in noise)


def test_checksum_marks_what_compact_packed() -> None:
    page = variant("seed-article", 1)
    crawl = compress(page, ZSTD, level=CRAWL_LEVEL)
    compacted = compress(page, ZSTD, checksum=True)
    assert not has_checksum(crawl)
    assert has_checksum(compacted)
    assert not has_checksum(compress(page, "zlib"))
    assert len(compacted) < len(crawl)


def test_progress_shows_on_a_terminal(crawled) -> None:
    """A real `archive compact` process with its stderr on a pseudo-terminal."""
    path, bodies = crawled
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "archive", "compact", "--db", str(path), "-p", "0"],
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=120,
        check=False,
    )
    os.close(follower)
    shown = b""
    while select.select([leader], [], [], 0.5)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert done.returncode == 0
    assert b"training dictionaries: 2/2 sites" in shown
    assert f"re-packing: {len(bodies)}/{len(bodies)} bodies".encode() in shown
    assert b"\r" in shown
    assert b"re-packed" in done.stdout and b"\r" not in done.stdout


def test_bodies_a_crawl_packed_with_the_dictionary_are_packed_again_at_compacts_level(
    tmp_path,
) -> None:
    path = tmp_path / "archive.db"
    slug, count = SITES["blog.example"]
    with ArchiveDB(path) as archive:
        store_pages(archive, "blog.example", [variant(slug, i) for i in range(count)])
        assert compacting.compact(archive, processes=0).trained == ["blog.example"]
        dictionary = site_dictionaries(archive.db)["blog.example"]
        method = dict_method(dictionary.id)

        def crawl_packed_with_dictionary(body: bytes) -> dict:  # as crawler.pool packs it
            data = compress(body, method, dictionary.data, level=CRAWL_LEVEL)
            return {"hash": body_hash(body), "size": len(body), "compression": method, "data": data}

        later = [variant(slug, 500 + i) for i in range(6)]
        store_pages(archive, "blog.example", later, packer=crawl_packed_with_dictionary)
    before = {h: rows(path)[h] for h in map(body_hash, later)}
    assert all(m == method and not has_checksum(d) for m, d in before.values())
    with ArchiveDB(path) as archive:
        report = compacting.compact(archive, processes=0)
        assert report.repacked == len(later)
        assert all(archive.body(body_hash(body)) == body for body in later)
    after = {h: rows(path)[h] for h in before}
    assert all(m == method and has_checksum(d) for m, d in after.values())
    assert sum(len(d) for _, d in after.values()) < sum(len(d) for _, d in before.values())
