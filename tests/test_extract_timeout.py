"""A page whose extraction runs past ``ARCHIVE_EXTRACT_TIMEOUT`` is abandoned: its worker is
killed and replaced, the page recorded with the reason, and the crawl goes on. The slow page is
genuinely slow (a few megabytes of paragraphs take the parser seconds); the limit is tiny."""

import asyncio
from pathlib import Path

from archive.records import Outcome
from crawler.pool import ExtractionJob, ExtractionPool
from tests.crawlsite import Page, SiteServer, article, outcomes, rows, run_archive

ARTICLE = (Path(__file__).parent / "crawl_pages" / "article.html").read_bytes()
TITLE = "Harbour town votes to rebuild its flood wall"
# About 3.6 MB of short paragraphs: seconds of parsing, far past the limits below.
SLOW = b"<html><body><article>" + b"<p>word " * 400_000 + b"</article></body></html>"
ABANDONED = "extraction abandoned: still running after {:g} s (ARCHIVE_EXTRACT_TIMEOUT)"


def test_a_page_past_the_limit_is_abandoned_and_the_pages_behind_it_are_not() -> None:
    pool = ExtractionPool(1, timeout=0.5)

    async def slow_then_quick() -> tuple:
        slow = asyncio.ensure_future(
            pool.extract(ExtractionJob("text/html", None, "http://x/s", SLOW))
        )
        await asyncio.sleep(0)  # queued first, on the one worker
        quick = asyncio.ensure_future(
            pool.extract(ExtractionJob("text/html", None, "http://x/q", ARTICLE))
        )
        while not pool.worker_pids():
            await asyncio.sleep(0.01)
        first = pool.worker_pids()
        return first, await slow, await quick, pool.worker_pids()

    try:
        first, slow, quick, after = asyncio.run(slow_then_quick())
    finally:
        pool.shutdown()
    assert (slow.outcome, slow.record, slow.reason) == (
        Outcome.EXTRACT_ERROR,
        None,
        ABANDONED.format(0.5),
    )
    # The page queued behind it went to the new worker and was extracted there.
    assert quick.outcome == Outcome.ARTICLE and quick.record.title == TITLE
    assert after and not set(after) & set(first)


def test_the_limit_counts_from_when_the_worker_begins_the_page() -> None:
    # A worker takes about a second to start (imports): a page sent at once is not late.
    pool = ExtractionPool(2, timeout=0.5)

    async def quick_pages() -> list:
        jobs = [
            pool.extract(ExtractionJob("text/html", None, f"http://x/{n}", ARTICLE))
            for n in range(4)
        ]
        return list(await asyncio.gather(*jobs))

    try:
        done = asyncio.run(quick_pages())
    finally:
        pool.shutdown()
    assert [extracted.outcome for extracted in done] == [Outcome.ARTICLE] * 4


def test_a_crawl_abandons_the_slow_page_and_goes_on(tmp_path: Path) -> None:
    with SiteServer() as site:
        quick = [f"/news/story-{n}.html" for n in range(1, 5)]
        for path in quick:
            site.routes[path] = Page(article(path[6:-5], f"Story {path[12:-5]}"))
        site.routes["/news/slow.html"] = Page(SLOW)
        db = tmp_path / "a.db"
        urls = [site.url(path) for path in ["/news/slow.html", *quick]]
        run = run_archive(
            "save", *urls, db=db, ARCHIVE_EXTRACT_PROCESSES="2", ARCHIVE_EXTRACT_TIMEOUT="1"
        )
    assert "Traceback" not in run.stderr, run
    assert run.status == 1, run  # one URL failed, and the exit status says so
    assert outcomes(db) == {"/news/slow.html": "extract-error", **dict.fromkeys(quick, "article")}
    reason = rows(db, "SELECT error FROM captures WHERE requested_url LIKE '%slow.html'")
    assert reason == [(ABANDONED.format(1),)]
    assert ABANDONED.format(1) in run.stdout
    # The body was kept: re-extraction can try again, with a larger limit or a faster parser.
    assert rows(db, "SELECT body_hash IS NOT NULL FROM captures WHERE error LIKE 'extraction%'")[0]
