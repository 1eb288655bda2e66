"""Per-site extraction health: does a site's latest run look like its own history?

A redesign breaks extraction silently: captures turn into "not an article", bodies go empty,
dates and authors vanish. Each site's runs (crawls, or days for captures stored outside a
crawl) are read from the ``site_health_runs`` view; the latest run is compared with the up to
``SITE_HEALTH_HISTORY_RUNS`` runs before it, measure by measure (a share of the run's
captures, or of its articles).

A measure is flagged only when all of these hold, so that a healthy site whose figures wobble
stays quiet:

- enough to judge: the latest run has ``MIN_LATEST`` items (captures or articles, by the
  measure), the history ``MIN_HISTORY`` over at least ``MIN_HISTORY_RUNS`` runs;
- the share moved the bad way by at least ``MIN_CHANGE`` (absolute: 0.25 is 90% to 65%);
- the move is not chance: a one-sided two-proportion z-test of the latest run against the
  pooled history gives z >= ``MIN_Z`` (p < 0.0014). Captures of one site are not independent
  draws, which is why the absolute floor is there too.

"Since" is the first of the trailing runs that are each as far from the runs before them.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlite_utils import Database

from archive.store.db.migrations_sql import HEALTH_COUNTS, SITE_HEALTH_HISTORY_RUNS

MIN_LATEST = 10
MIN_HISTORY = 20
MIN_HISTORY_RUNS = 2
MIN_CHANGE = 0.25
MIN_Z = 3.0


@dataclass(frozen=True)
class Measure:
    name: str  # the site_health_runs column counted
    label: str  # what a flag calls it
    over: str  # its denominator column: captures or articles
    worse_when_higher: bool


MEASURES = (
    Measure("articles", "articles", "captures", worse_when_higher=False),
    Measure("failed", "failed captures", "captures", worse_when_higher=True),
    Measure("near_empty", "near-empty bodies (under 50 words)", "captures", True),
    Measure("missing_date", "articles without a published date", "articles", True),
    Measure("missing_authors", "articles without authors", "articles", True),
    Measure("missing_title", "articles without a title", "articles", True),
)
# The count columns of site_health_runs, as the view that makes them names them.
COUNTS = HEALTH_COUNTS


@dataclass(frozen=True)
class Run:
    run: str  # "crawl 12" or "day 2026-12-06"; pooled runs: "crawl 9 + 2 later"
    started_at: str
    counts: dict[str, int]
    members: tuple[str, ...] = ()  # pooled runs: the runs it joins (else just ``run``)

    def includes(self, run: str) -> bool:
        return run == self.run or run in self.members

    def share(self, name: str, over: str) -> float | None:
        return self.counts[name] / self.counts[over] if self.counts[over] else None


@dataclass(frozen=True)
class Flag:
    site: str
    measure: str
    label: str
    before: float  # the history's share
    after: float  # the latest run's share
    since_run: str
    since_at: str
    z: float

    def describe(self) -> str:
        return (
            f"{self.site}: {self.label} {_pct(self.before)} -> {_pct(self.after)}"
            f" since {self.since_run} ({self.since_at[:16].replace('T', ' ')})"
        )


@dataclass
class SiteHealth:
    site: str
    latest: Run | None
    history: list[Run]
    flags: list[Flag] = field(default_factory=list)
    too_little: str | None = None  # why the site cannot be judged yet

    def figures(self, runs: list[Run]) -> dict[str, Any]:
        counts = {name: sum(run.counts[name] for run in runs) for name in COUNTS}
        shares = {
            f"{'article' if name == 'articles' else name}_share": _ratio(
                counts[name], counts[_denominator(name)]
            )
            for name in COUNTS[1:]
        }
        return {"runs": len(runs), **counts, **shares}

    def to_dict(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "status": "flagged"
            if self.flags
            else "too little history"
            if self.too_little
            else "ok",
            "latest_run": self.latest.run if self.latest else None,
            "latest_started_at": self.latest.started_at if self.latest else None,
            "latest": self.figures([self.latest] if self.latest else []),
            "history": self.figures(self.history),
            "too_little_history": self.too_little,
            "flags": [{**asdict(flag), "message": flag.describe()} for flag in self.flags],
        }


def site_health(db: Database, site: str | None = None) -> list[SiteHealth]:
    """Every site's health (or only ``site``'s), sorted by site."""
    return [assess(name, runs) for name, runs in sorted(site_runs(db, site).items())]


def flags_of_run(db: Database, crawl_id: int) -> list[Flag]:
    """The flags a crawl raised: of the sites it captured, those flagged with it as their
    latest run."""
    sites = [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT site FROM captures WHERE crawl_id = ? AND site IS NOT NULL",
            [crawl_id],
        )
    ]
    flags: list[Flag] = []
    for name in sites:
        health = assess(name, site_runs(db, name).get(name, []))
        if health.latest is not None and health.latest.includes(f"crawl {crawl_id}"):
            flags.extend(health.flags)
    return flags


def flags_since(db: Database, started_at: str) -> list[Flag]:
    """The flags raised by the crawls that started at or after ``started_at`` (a scheduled
    run's crawls)."""
    crawls = db.execute("SELECT id FROM crawls WHERE started_at >= ? ORDER BY id", [started_at])
    return [flag for (crawl_id,) in crawls.fetchall() for flag in flags_of_run(db, crawl_id)]


def site_runs(db: Database, site: str | None = None) -> dict[str, list[Run]]:
    """Each site's runs, oldest first, the latest and up to ``SITE_HEALTH_HISTORY_RUNS``
    before it."""
    where, params = ("WHERE site = ?", [site]) if site else ("", [])
    rows = db.execute(
        f"SELECT site, run, started_at, {', '.join(COUNTS)} FROM site_health_runs {where}"
        " ORDER BY site, started_at, run",
        params,
    ).fetchall()
    runs: dict[str, list[Run]] = defaultdict(list)
    for row in rows:
        counts = {name: int(value or 0) for name, value in zip(COUNTS, row[3:], strict=True)}
        runs[row[0]].append(Run(row[1], row[2], counts))
    return {name: _pool_latest(found) for name, found in runs.items()}


def _pool_latest(runs: list[Run]) -> list[Run]:
    """The latest run and up to ``SITE_HEALTH_HISTORY_RUNS`` before it, where the latest is
    pooled with the runs just before it until it holds ``MIN_LATEST`` captures: a page or two
    saved by hand after a broken crawl is judged with that crawl, not alone (alone it is too
    small to judge, and would hide the flag the crawl raised)."""
    pooled, captures = 0, 0
    while pooled < len(runs) and captures < MIN_LATEST:
        pooled += 1
        captures += runs[-pooled].counts["captures"]
    if pooled <= 1 or pooled == len(runs):  # nothing to pool, or nothing left to judge by
        return runs[-(SITE_HEALTH_HISTORY_RUNS + 1) :]
    joined = runs[-pooled:]
    latest = Run(
        f"{joined[0].run} + {pooled - 1} later",
        joined[0].started_at,
        {name: sum(run.counts[name] for run in joined) for name in COUNTS},
        tuple(run.run for run in joined),
    )
    return [*runs[-(SITE_HEALTH_HISTORY_RUNS + pooled) : -pooled], latest]


def assess(site: str, runs: list[Run]) -> SiteHealth:
    """Judge the latest of ``runs`` (oldest first) against the ones before it."""
    health = SiteHealth(site, runs[-1] if runs else None, runs[:-1])
    health.too_little = _too_little(health)
    if health.too_little is None:
        for measure in MEASURES:
            flag = _flag(site, measure, runs)
            if flag is not None:
                health.flags.append(flag)
    return health


def _too_little(health: SiteHealth) -> str | None:
    if health.latest is None:
        return "no runs yet"
    runs, captures = len(health.history), sum(r.counts["captures"] for r in health.history)
    if runs < MIN_HISTORY_RUNS:
        return f"{runs} earlier run(s), {MIN_HISTORY_RUNS} needed"
    if captures < MIN_HISTORY:
        return f"{captures} captures in earlier runs, {MIN_HISTORY} needed"
    latest = health.latest.counts["captures"]
    if latest < MIN_LATEST:
        return f"{latest} captures in the latest run, {MIN_LATEST} needed"
    return None


def _flag(site: str, measure: Measure, runs: list[Run]) -> Flag | None:
    moved = _departure(measure, runs[-1:], runs[:-1])
    if moved is None:
        return None
    # How many trailing runs share the departure: the change began with the first of them.
    streak = 1
    while streak + 1 < len(runs) and _departure(
        measure, runs[-streak - 1 : -streak], runs[: -streak - 1]
    ):
        streak += 1
    before, after, z = _departure(measure, runs[-streak:], runs[:-streak]) or moved
    first = runs[-streak]
    since = first.members[0] if first.members else first.run
    return Flag(site, measure.name, measure.label, before, after, since, first.started_at, z)


def _departure(
    measure: Measure, latest: list[Run], history: list[Run]
) -> tuple[float, float, float] | None:
    """(history share, latest share, z) when the latest runs are clearly worse, else None."""
    n1 = sum(r.counts[measure.over] for r in latest)
    n0 = sum(r.counts[measure.over] for r in history)
    if n1 < MIN_LATEST or n0 < MIN_HISTORY or len(history) < MIN_HISTORY_RUNS:
        return None
    x1 = sum(r.counts[measure.name] for r in latest)
    x0 = sum(r.counts[measure.name] for r in history)
    p1, p0 = x1 / n1, x0 / n0
    worse = p1 - p0 if measure.worse_when_higher else p0 - p1
    if worse < MIN_CHANGE:
        return None
    pooled = (x0 + x1) / (n0 + n1)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    z = worse / spread if spread else math.inf
    return (p0, p1, z) if z >= MIN_Z else None


def _denominator(name: str) -> str:
    return "articles" if name.startswith("missing_") else "captures"


def _ratio(count: int, total: int) -> float | None:
    return round(count / total, 3) if total else None


def _pct(share: float) -> str:
    return f"{share:.0%}"
