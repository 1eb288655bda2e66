"""Extraction in worker processes: same records as in-process, bodies packed by the workers,
bounded in-flight pages, and no worker left behind after a crawl, finished or interrupted.

The crawls run in subprocesses (the reactor cannot restart) against a loopback server.
"""

import asyncio
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from archive.capture import decoded, extract_capture
from archive.errors import ArchiveError
from archive.extract import DEFAULT_OPTIONS
from archive.records import Outcome
from archive.store.bodies.compress import Dictionary, decompress, train_dictionary
from archive.store.db.archive_db import ArchiveDB
from crawler.pool import (
    MAX_DICTIONARIES,
    ExtractionJob,
    ExtractionPool,
    PackDictionary,
    extract_and_pack,
    extract_processes,
    pack_body,
)
from crawler.pool.pool import _for_worker
from tests.httpserver import LoopbackServer, Route

REPO = Path(__file__).resolve().parent.parent
ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
TITLE = "Harbour town votes to rebuild its flood wall"
GOLDEN = sorted((Path(__file__).parent / "pages").glob("*/source.html"))
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ROBOTSTXT_OBEY": "False",
    "RETRY_TIMES": "0",
    "LOG_LEVEL": "INFO",
}


def variant(number: int) -> bytes:
    """The crawl test article with its own title, canonical URL and an extra paragraph."""
    page = ARTICLE.replace(TITLE.encode(), f"{TITLE}, part {number}".encode())
    # Its own canonical URL too: pages sharing one are one article, whichever came last.
    page = page.replace(b"flood-wall-vote.html", f"flood-wall-vote-{number}.html".encode())
    extra = f"<p>Dispatch number {number} adds one more paragraph of reporting.</p>"
    return page.replace(b"</article>", extra.encode() + b"</article>", 1)


def site_routes() -> dict[str, Route]:
    routes = {f"/news/{n}.html": Route(body=variant(n)) for n in range(8)}
    for path in GOLDEN:
        routes[f"/golden/{path.parent.name}.html"] = Route(body=path.read_bytes())
    routes["/report.pdf"] = Route(body=PDF, content_type="application/pdf")
    routes["/gone.html"] = Route(b"<html><body>Not found</body></html>", status=404)
    return routes


# -- the worker's job, without a pool ---------------------------------------------------


def test_extract_and_pack_gives_the_in_process_result_and_the_packed_body() -> None:
    url = "https://example.org/news/story.html"
    done = extract_and_pack(
        ExtractionJob("text/html; charset=utf-8", ARTICLE.decode(), url, ARTICLE)
    )
    in_process = extract_capture(ARTICLE.decode(), "text/html", url)
    assert (done.outcome, done.reason) == (in_process.outcome, in_process.reason)
    assert done.record == in_process.record
    assert done.record is not None and done.record.title == TITLE
    packed = done.packed_body
    assert packed is not None
    assert packed["hash"] == hashlib.sha256(ARTICLE).hexdigest()
    assert packed["size"] == len(ARTICLE)
    assert len(packed["data"]) < len(ARTICLE) / 2
    assert decompress(packed["data"], packed["compression"]) == ARTICLE


def whole(dictionary: Dictionary) -> PackDictionary:
    """A site's dictionary as the crawl puts it in a job: its id and bytes."""
    return PackDictionary(dictionary.id, dictionary.data)


def trained_dictionary(dictionary_id: int = 7) -> Dictionary:
    data = train_dictionary([variant(n) for n in range(40)], 16 * 1024)
    return Dictionary(dictionary_id, "example.org", data)


def test_a_body_is_packed_with_the_sites_dictionary_when_given() -> None:
    dictionary = trained_dictionary()
    body = variant(99)
    url = "https://example.org/news/99.html"
    plain = extract_and_pack(ExtractionJob("text/html", None, url, body, "utf-8")).packed_body
    whole = PackDictionary(dictionary.id, dictionary.data)
    packed = extract_and_pack(
        ExtractionJob("text/html", None, url, body, "utf-8", DEFAULT_OPTIONS, whole)
    )
    assert plain is not None and packed.packed_body is not None
    assert (plain["compression"], packed.packed_body["compression"]) == ("zstd", "zstd-dict:7")
    assert len(packed.packed_body["data"]) < len(plain["data"]) * 0.8
    assert decompress(packed.packed_body["data"], "zstd-dict:7", dictionary.data) == body
    # Later jobs name the dictionary only; the process kept its bytes.
    by_id = extract_and_pack(
        ExtractionJob("text/html", None, url, body, "utf-8", DEFAULT_OPTIONS, PackDictionary(7))
    )
    assert by_id.packed_body == packed.packed_body


def test_a_dictionary_never_received_packs_without_one() -> None:
    done = extract_and_pack(
        ExtractionJob(
            "text/html",
            None,
            "https://x.org/a",
            ARTICLE,
            "utf-8",
            DEFAULT_OPTIONS,
            PackDictionary(424242),
        )
    )
    assert done.packed_body is not None and done.packed_body["compression"] == "zstd"


def test_a_pool_sends_each_worker_a_dictionary_once_and_packs_with_it() -> None:
    dictionary = trained_dictionary(3)
    whole = PackDictionary(dictionary.id, dictionary.data)
    pages = [(f"https://example.org/news/{n}.html", variant(n)) for n in range(6)]
    pool = ExtractionPool(2)

    async def run_all() -> list:
        jobs = [
            pool.extract(ExtractionJob("text/html", None, u, b, "utf-8", DEFAULT_OPTIONS, whole))
            for u, b in pages
        ]
        return await asyncio.gather(*jobs)

    try:
        results = asyncio.run(run_all())
        sent = [sorted(worker.dictionaries) for worker in pool._workers]
    finally:
        pool.shutdown()
    assert sent == [[3], [3]]
    for (_, body), done in zip(pages, results, strict=True):
        assert done.packed_body["compression"] == "zstd-dict:3"
        assert decompress(done.packed_body["data"], "zstd-dict:3", dictionary.data) == body


def test_a_worker_keeps_as_many_dictionaries_as_the_crawl_side_counts() -> None:
    class Held:  # what _for_worker reads of a worker
        def __init__(self) -> None:
            self.dictionaries: set[int] = set()

    worker, body = Held(), variant(5)
    data = trained_dictionary().data
    many = [Dictionary(100 + n, f"site{n}.example", data) for n in range(300)]
    for dictionary in many:  # each sent whole once, as a crawl would, and packed with
        sent = _for_worker(worker, whole(dictionary))  # type: ignore[arg-type]
        assert sent is not None and sent.data is not None
        packed = pack_body(body, sent)
        assert packed["compression"] == f"zstd-dict:{dictionary.id}"
    # Past MAX_DICTIONARIES both sides dropped the first ones: the next use sends it whole
    # again, and the worker packs with it.
    again = _for_worker(worker, whole(many[0]))  # type: ignore[arg-type]
    assert again is not None and again.data == many[0].data
    assert pack_body(body, again)["compression"] == f"zstd-dict:{many[0].id}"
    recent = _for_worker(worker, whole(many[-1]))  # type: ignore[arg-type]
    assert recent == PackDictionary(many[-1].id)  # still held: the id alone
    assert pack_body(body, recent)["compression"] == f"zstd-dict:{many[-1].id}"
    assert len(worker.dictionaries) <= MAX_DICTIONARIES


def test_extract_and_pack_without_a_body_packs_nothing() -> None:
    done = extract_and_pack(
        ExtractionJob("application/pdf", PDF, "https://example.org/r.pdf", None)
    )
    assert (done.outcome, done.packed_body) == (Outcome.NOT_HTML, None)
    assert done.reason == "not HTML: the server sent application/pdf"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html><body><p>Café – naïve</p></body></html>".encode("cp1252"), "text/html"),
        ("<html><body><p>Grüße</p></body></html>".encode("latin-1"), "text/html; charset=utf-8"),
        (
            b"\xef\xbb\xbf<html><body><p>\xc3\xa9t\xc3\xa9</p></body></html>",
            "text/html; charset=latin-1",
        ),
        ('<meta charset="koi8-r"><p>Привет</p>'.encode("koi8-r"), "text/html"),
    ],
)
def test_workers_decode_a_body_exactly_as_scrapy_does(body: bytes, content_type: str) -> None:
    response = HtmlResponse(
        "https://example.org/", body=body, headers={"Content-Type": content_type}
    )
    assert decoded(body, response.encoding) == response.text
    assert decoded(body, None) == body


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("1", 1), (" 3 ", 3), (4, 4), ("", os.cpu_count()), (None, os.cpu_count())],
)
def test_extract_processes_setting(value: object, expected: int) -> None:
    assert extract_processes(value) == expected


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_extract_processes_setting_rejects_nonsense(value: str) -> None:
    with pytest.raises(ArchiveError, match="ARCHIVE_EXTRACT_PROCESSES must be a whole number"):
        extract_processes(value)


# -- the pool, driven from an asyncio loop ----------------------------------------------


def test_pool_extracts_in_other_processes_with_bounded_in_flight_pages() -> None:
    pages = [(f"https://example.org/news/{n}.html", variant(n)) for n in range(10)]
    pool = ExtractionPool(2, max_in_flight=3)

    async def run_all() -> list:
        jobs = [
            pool.extract(ExtractionJob("text/html", body.decode(), url, body))
            for url, body in pages
        ]
        return await asyncio.gather(*jobs)

    try:
        results = asyncio.run(run_all())
        workers = pool.worker_pids()
    finally:
        pool.shutdown()
    assert [r.record.title for r in results] == [f"{TITLE}, part {n}" for n in range(10)]
    assert [r.packed_body["size"] for r in results] == [len(body) for _, body in pages]
    assert len(workers) == 2 and os.getpid() not in workers
    assert pool.peak_in_flight == 3
    assert pool.worker_pids() == []
    for pid in workers:  # shut down and reaped: the pids are gone
        assert not Path(f"/proc/{pid}").exists()


def test_a_worker_that_dies_fails_its_page_and_the_pool_carries_on() -> None:
    # A page big enough to keep the worker busy while it is killed.
    huge = b"<html><body><article>" + b"<p>word " * 400_000 + b"</article></body></html>"
    pool = ExtractionPool(1)

    async def kill_mid_page() -> tuple:
        job = asyncio.ensure_future(
            pool.extract(ExtractionJob("text/html", huge, "https://x.org/h", huge))
        )
        while not pool.worker_pids():
            await asyncio.sleep(0.05)
        victim = pool.worker_pids()[0]
        await asyncio.sleep(0.5)  # started on the page
        os.kill(victim, signal.SIGKILL)
        died = await job
        after = await pool.extract(
            ExtractionJob("text/html", ARTICLE.decode(), "https://x.org/a", ARTICLE)
        )
        return victim, died, after

    try:
        victim, died, after = asyncio.run(kill_mid_page())
        assert victim not in pool.worker_pids()
    finally:
        pool.shutdown()
    assert (died.outcome, died.record, died.packed_body) == (Outcome.EXTRACT_ERROR, None, None)
    assert died.reason == "extraction worker died (crash or out of memory)"
    assert after.outcome == Outcome.ARTICLE and after.record.title == TITLE


def test_a_page_after_shutdown_is_extracted_without_new_workers() -> None:
    pool = ExtractionPool(2)
    pool.shutdown()
    done = asyncio.run(
        pool.extract(ExtractionJob("text/html", ARTICLE.decode(), "https://x.org/a", ARTICLE))
    )
    assert done.record is not None and done.record.title == TITLE
    assert pool.worker_pids() == []


# -- real crawls ------------------------------------------------------------------------


def crawl_command(urls: list[str], db: Path, processes: int) -> list[str]:
    settings = {**FAST, "ARCHIVE_DB": str(db), "ARCHIVE_EXTRACT_PROCESSES": str(processes)}
    command = [sys.executable, "-m", "scrapy", "crawl", "page", "-a", "url=" + ",".join(urls)]
    return command + [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]


def crawl(urls: list[str], db: Path, processes: int) -> None:
    """A finished crawl of ``urls`` with ``processes`` extraction processes, or a failed test."""
    run = subprocess.run(
        crawl_command(urls, db, processes),
        cwd=REPO,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr


def child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ARCHIVE_")}


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def crawl_stats(db: Path) -> dict:
    return json.loads(rows(db, "SELECT stats FROM crawls")[0][0])


def test_a_pooled_crawl_stores_what_an_in_process_crawl_stores(tmp_path: Path) -> None:
    routes = site_routes()
    with LoopbackServer(routes) as server:
        urls = [server.url(path) for path in routes]
        for processes in (0, 2):
            crawl(urls, tmp_path / f"p{processes}.db", processes)
    in_process, pooled = tmp_path / "p0.db", tmp_path / "p2.db"
    assert crawl_stats(in_process)["archive/extract/processes"] == 1
    assert crawl_stats(pooled)["archive/extract/processes"] == 2
    assert crawl_stats(pooled)["archive/extract/peak_in_flight"] >= 1
    captures = "SELECT requested_url, outcome, error FROM captures ORDER BY requested_url"
    assert rows(pooled, captures) == rows(in_process, captures)
    outcomes = dict((url, outcome) for url, outcome, _ in rows(pooled, captures))
    assert outcomes[server.url("/news/3.html")] == "article"
    assert outcomes[server.url("/report.pdf")] == "not-html"
    assert outcomes[server.url("/gone.html")] == "http-error"
    articles = "SELECT url, title, authors, published_at, text FROM articles ORDER BY url"
    assert rows(pooled, articles) == rows(in_process, articles)
    assert len(rows(pooled, articles)) >= 8
    # The bodies the workers packed are the bytes the server sent.
    with ArchiveDB(pooled) as archive:
        for url, body_hash in rows(pooled, "SELECT requested_url, body_hash FROM captures"):
            path = url.split(str(server.port), 1)[1]
            assert archive.body(body_hash) == routes[path].body


def children_of(pid: int) -> set[int]:
    """Processes whose parent is ``pid``, from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_ctrl_c_stops_the_crawl_and_leaves_no_worker(
    tmp_path: Path, wait_until, capture_count
) -> None:
    routes = {f"/slow/{n}.html": Route(body=variant(n), delay=0.3) for n in range(60)}
    db = tmp_path / "archive.db"
    with LoopbackServer(routes) as server:
        command = crawl_command([server.url(path) for path in routes], db, 2)
        command += ["-s", "CONCURRENT_REQUESTS=2"]
        crawl = subprocess.Popen(
            command,
            cwd=REPO,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as a terminal's job would be
        )
        workers = wait_until(
            lambda: both_workers(crawl.pid), interval=0.2, what="the pool's workers to start"
        )
        # The workers start with the spider: wait for a first page, so Ctrl-C comes mid-crawl.
        wait_until(lambda: capture_count(db), what="a first stored page")
        os.killpg(crawl.pid, signal.SIGINT)  # Ctrl-C reaches every process of the job
        _, stderr = crawl.communicate(timeout=30)
    assert crawl.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived the crawl"
    ((reason, stored),) = rows(
        db, "SELECT finish_reason, json_extract(stats, '$.\"archive/stored\"') FROM crawls"
    )
    assert reason == "shutdown"
    assert 0 < stored < len(routes)
    assert rows(db, "SELECT count(*) FROM captures") == [(stored,)]


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def both_workers(pid: int) -> set[int]:
    """The two extraction workers of the crawl ``pid`` once both have started, else none."""
    workers = {p for p in children_of(pid) if b"crawler.pool.worker" in cmdline(p)}
    return workers if len(workers) == 2 else set()


def test_workers_start_with_the_crawl_not_with_its_first_page(tmp_path: Path, wait_until) -> None:
    # The page is held until the workers are seen (or 7.5 s have passed, a failure).
    with LoopbackServer({"/slow.html": Route(body=variant(1), held=True)}) as server:
        crawl = subprocess.Popen(
            crawl_command([server.url("/slow.html")], tmp_path / "archive.db", 2),
            cwd=REPO,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(
                lambda: both_workers(crawl.pid),
                timeout=7.5,
                interval=0.1,
                what="the workers, which waited for the first page",
            )
        finally:
            server.release()
            crawl.wait(timeout=30)
    assert crawl.returncode == 0
    assert rows(tmp_path / "archive.db", "SELECT outcome FROM captures") == [("article",)]


def test_a_crawl_packs_bodies_with_the_dictionaries_archive_compact_trained(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    routes = {f"/news/{n}.html": Route(body=variant(n)) for n in range(40)}
    with LoopbackServer(routes) as server:
        urls = [server.url(path) for path in routes]
        for number, batch in enumerate((urls[:30], urls[30:])):  # crawl, compact, crawl again
            crawl(batch, db, 2)
            if number == 0:
                compact = subprocess.run(
                    [sys.executable, "-m", "archive", "compact", "--db", str(db)],
                    env=child_env(),
                    capture_output=True,
                    text=True,
                    timeout=90,
                )
                assert compact.returncode == 0, compact.stderr
    ((dictionary_id,),) = rows(db, "SELECT id FROM zstd_dictionaries")
    second = rows(
        db,
        "SELECT c.requested_url, b.compression FROM captures c"
        " JOIN bodies b ON b.hash = c.body_hash WHERE c.crawl_id = 2",
    )
    assert len(second) == 10
    assert {method for _, method in second} == {f"zstd-dict:{dictionary_id}"}
    with ArchiveDB(db) as archive:
        for url, body_hash in rows(db, "SELECT requested_url, body_hash FROM captures"):
            assert archive.body(body_hash) == routes[url.split(str(server.port), 1)[1]].body
