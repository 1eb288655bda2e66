"""SQL of the newer migrations (0006 on), kept apart so ``migrations.py`` stays small.

``migrations.py`` registers the migrations and says what each one does; this module only holds
their statements. Never edit a statement that has shipped: a new migration gets new ones.
"""

# 0006: each run of a job by `archive schedule`, in the job's database: what ``catch_up`` reads.
SCHEDULED_RUNS = [
    """
    CREATE TABLE scheduled_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,                      -- the job's name in its schedule file
        arguments TEXT NOT NULL DEFAULT '[]',   -- JSON list: the archive command line
        reason TEXT NOT NULL,                   -- schedule, catch-up, at-start or once
        due_at TEXT,                            -- the cron time it ran for, if any
        started_at TEXT NOT NULL,
        finished_at TEXT,
        exit_status INTEGER
    )
    """,
    "CREATE INDEX idx_scheduled_runs_job_started_at ON scheduled_runs(job, started_at)",
]

# 0007: the distributed writer's bookkeeping (archive ingest): which worker messages it has
# stored, so a message delivered twice is stored once. Until 0007 the writer created these
# tables itself when it started, so an archive that has ingested already holds them with
# exactly these columns: IF NOT EXISTS lets it migrate. Not declared as foreign keys: purging
# a capture must not be blocked by its ingest mark.
INGEST_TABLES = [
    """
    CREATE TABLE IF NOT EXISTS ingested_captures (
        uid TEXT PRIMARY KEY,                   -- made by the worker, one per page
        capture_id INTEGER                      -- the capture it was stored as
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS ingested_crawls (
        uid TEXT PRIMARY KEY,                   -- one per worker's crawl run
        crawl_id INTEGER                        -- the crawls row it was recorded as
    )
    """,
]

# 0009: each record's body as CommonMark beside its text (archive/parse/markdown), in the
# articles and in every version. Records made before it hold '' until `archive reextract`
# re-reads their stored pages (extractor 6 on).
MARKDOWN_COLUMNS = [
    "ALTER TABLE articles ADD COLUMN markdown TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE article_versions ADD COLUMN markdown TEXT NOT NULL DEFAULT ''",
]

# site_health_runs / site_health: per-site extraction health (archive.store.read.health).
# A run is a crawl, or a day for captures stored outside any crawl. Judged captures: those
# whose extraction says something about the site (an unchanged page, robots.txt and non-HTML
# files say nothing). An article capture's fields are those of the newest version of its
# article made from that capture or an earlier one (a re-crawl that found the same record
# made no new version).
SITE_HEALTH_HISTORY_RUNS = 20  # the runs before the latest that count as a site's history
HEALTH_COUNTS = (
    "captures",
    "articles",
    "not_article",
    "failed",
    "near_empty",
    "missing_date",
    "missing_authors",
    "missing_title",
)
_SHARES = (  # (share column, count, denominator)
    ("article_share", "articles", "captures"),
    ("not_article_share", "not_article", "captures"),
    ("failed_share", "failed", "captures"),
    ("near_empty_share", "near_empty", "captures"),
    ("missing_date_share", "missing_date", "articles"),
    ("missing_authors_share", "missing_authors", "articles"),
    ("missing_title_share", "missing_title", "articles"),
)


def _site_health_columns(prefix: str, rows: str) -> str:
    sums = [f"sum(CASE WHEN {rows} THEN {n} END) AS {prefix}_{n}" for n in HEALTH_COUNTS]
    shares = [
        f"round(1.0 * sum(CASE WHEN {rows} THEN {n} END)"
        f" / nullif(sum(CASE WHEN {rows} THEN {d} END), 0), 3) AS {prefix}_{share}"
        for share, n, d in _SHARES
    ]
    return ",\n           ".join(sums + shares)


SITE_HEALTH_VIEWS = [
    """
    CREATE VIEW site_health_runs AS
    WITH judged AS (
        SELECT c.site, c.crawl_id, c.fetched_at, c.outcome,
               coalesce('crawl ' || c.crawl_id, 'day ' || substr(c.fetched_at, 1, 10)) AS run,
               v.title, v.authors, v.published_at, v.word_count
        FROM captures c
        LEFT JOIN article_versions v ON c.outcome = 'article' AND v.id = (
            SELECT max(id) FROM article_versions
            WHERE article_id = c.article_id AND capture_id <= c.id)
        WHERE c.site IS NOT NULL AND c.outcome IN
            ('article', 'not-article', 'http-error', 'fetch-error', 'extract-error')
    )
    SELECT site, run, crawl_id, min(fetched_at) AS started_at, max(fetched_at) AS ended_at,
           count(*) AS captures,
           sum(outcome = 'article') AS articles,
           sum(outcome = 'not-article') AS not_article,
           sum(outcome LIKE '%-error') AS failed,
           sum(outcome = 'article' AND coalesce(word_count, 0) < 50) AS near_empty,
           sum(outcome = 'article' AND coalesce(published_at, '') = '') AS missing_date,
           sum(outcome = 'article' AND coalesce(authors, '[]') IN ('', '[]')) AS missing_authors,
           sum(outcome = 'article' AND trim(coalesce(title, '')) = '') AS missing_title
    FROM judged
    GROUP BY site, run
    """,
    f"""
    CREATE VIEW site_health AS
    WITH ranked AS (
        SELECT *, row_number() OVER (
            PARTITION BY site ORDER BY started_at DESC, run DESC) AS back
        FROM site_health_runs
    )
    SELECT site,
           max(CASE WHEN back = 1 THEN run END) AS latest_run,
           max(CASE WHEN back = 1 THEN started_at END) AS latest_started_at,
           {_site_health_columns("latest", "back = 1")},
           sum(back > 1) AS history_runs,
           min(CASE WHEN back > 1 THEN started_at END) AS history_from,
           {_site_health_columns("history", "back > 1")}
    FROM ranked
    WHERE back <= {SITE_HEALTH_HISTORY_RUNS + 1}
    GROUP BY site
    ORDER BY site
    """,
]
