"""A run too small to judge alone (a page or two saved by hand) is judged together with the
runs just before it: after a broken crawl it keeps the site flagged instead of hiding the flag
behind "too little history"."""

from pathlib import Path

from archive.store.db.archive_db import ArchiveDB
from archive.store.read.health import flags_of_run, site_health
from tests.test_health import _store_run


def test_a_one_page_run_after_a_redesign_keeps_the_flag(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as archive:
        for run in range(4):  # crawls 1 to 4: healthy
            _store_run(archive, run, 18, 2, dated=True)
        _store_run(archive, 4, 2, 18, dated=True)  # crawl 5: the redesign
        _store_run(archive, 5, 0, 1, dated=True)  # crawl 6: one page saved by hand
        (found,) = site_health(archive.db)
        assert found.too_little is None
        assert found.latest is not None and found.latest.run == "crawl 5 + 1 later"
        assert found.latest.counts["captures"] == 21
        assert [(flag.measure, flag.since_run) for flag in found.flags] == [("articles", "crawl 5")]
        # The one-page run ends with the flag it is judged under, as the crawl did.
        assert [flag.measure for flag in flags_of_run(archive.db, 6)] == ["articles"]


def test_small_runs_of_a_healthy_site_are_pooled_and_stay_quiet(tmp_path: Path) -> None:
    with ArchiveDB(tmp_path / "a.db") as archive:
        for run in range(4):
            _store_run(archive, run, 18, 2, dated=True)
        for run in range(4, 7):  # three saves of 4 pages each: 12 captures together
            _store_run(archive, run, 4, 0, dated=True)
        (found,) = site_health(archive.db)
    assert found.too_little is None and found.flags == []
    assert found.latest is not None and found.latest.run == "crawl 5 + 2 later"
    assert [run.run for run in found.history] == ["crawl 1", "crawl 2", "crawl 3", "crawl 4"]
