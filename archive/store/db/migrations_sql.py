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

# 0008: each record's body as CommonMark beside its text (archive/parse/markdown), in the
# articles and in every version. Records made before it hold '' until `archive reextract`
# re-reads their stored pages (extractor 6 on).
MARKDOWN_COLUMNS = [
    "ALTER TABLE articles ADD COLUMN markdown TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE article_versions ADD COLUMN markdown TEXT NOT NULL DEFAULT ''",
]
