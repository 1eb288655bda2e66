"""The speed figure of benchmarks/extraction.py: our time over an anchor's, page by page."""

from benchmarks.report import Run, format_time_ratios, time_ratios
from benchmarks.scoring import score_page


def run_with(times: dict[str, list[float]], statuses: dict[str, list[str]] | None = None) -> Run:
    run = Run(list(times), {name: "1" for name in times})
    pages = len(next(iter(times.values())))
    for index in range(pages):
        run.start_page(f"p{index}", "", "some words of truth here")
        for name, seconds in times.items():
            status = (statuses or {}).get(name, ["ok"] * pages)[index]
            score = score_page("some words of truth here", "some words")
            run.add(f"p{index}", name, score, status, seconds[index], "some words")
    return run


def test_the_ratio_is_a_median_of_per_page_ratios_not_a_ratio_of_medians() -> None:
    # Per page 1/1, 2/10, 3/1: ratios 1, 0.2, 3, median 1; the medians 2 and 1 give 2.
    run = run_with({"ours": [1.0, 2.0, 3.0], "trafilatura": [1.0, 10.0, 1.0]})
    assert time_ratios(run) == {"trafilatura": 1.0}
    (line,) = format_time_ratios(run)
    assert line.startswith("time ours / trafilatura: median per page 1.000")
    assert "(median ms 2000.00 / 1000.00 = 2.000)" in line


def test_pages_where_either_crashed_are_left_out() -> None:
    run = run_with(
        {"ours": [1.0, 1.0, 5.0], "readability": [2.0, 4.0, 1.0]},
        {"ours": ["ok", "ok", "fail: boom"], "readability": ["ok", "empty", "ok"]},
    )
    # Left: 1/2 and 1/4 (an empty result is a result, and was timed).
    assert time_ratios(run) == {"readability": 0.375}


def test_no_ratio_without_ours() -> None:
    assert time_ratios(run_with({"trafilatura": [1.0]})) == {}
