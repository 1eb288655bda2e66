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

# 0011: a version no longer repeats the body its article holds. The versions live in
# ``article_version_rows``, where ``text`` and ``markdown`` are NULL when they are the article's
# current ones (most articles have one version, which is the current record: the body was kept
# twice); the view ``article_versions`` (the old table's name and columns, in the same order)
# fills them in from ``articles``, so Datasette, sqlite-utils, exports and the views built on
# it read every version whole. The invariant, kept by the triggers below for every writer (ours
# and a user's own SQL): a NULL body in a version means "the article's body as it is now";
# before an article's text or Markdown changes or the article is deleted, the versions that
# leave it to the article take the old value.
VERSION_ROWS_COLUMNS = (
    "id, article_id, version, cause, changed, capture_id, extractor_version, rules, created_at,"
    " canonical_url, title, authors, published_at, modified_at, site_name, language,"
    " description, image, tags, images, text, word_count, removed, published_from,"
    " modified_from, authors_from, markdown"
)
_BODY_FROM_ARTICLE = (
    "coalesce({column}, (SELECT a.{column} FROM articles a"
    " WHERE a.id = article_version_rows.article_id)) AS {column}"
)
SHARED_VERSION_BODIES = [
    """
    CREATE TABLE article_version_rows (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,               -- 1, 2, ... per article
        cause TEXT NOT NULL,                    -- 'first', 'page' or 'parser'
        changed TEXT NOT NULL DEFAULT '[]',     -- JSON list of field names
        capture_id INTEGER REFERENCES captures(id),
        extractor_version TEXT,
        rules TEXT NOT NULL DEFAULT '[]',       -- JSON list of the rules that applied
        created_at TEXT NOT NULL,
        canonical_url TEXT,
        title TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        published_at TEXT,
        modified_at TEXT,
        site_name TEXT,
        language TEXT,
        description TEXT,
        image TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        images TEXT NOT NULL DEFAULT '[]',
        text TEXT,                              -- NULL: the article's current text
        word_count INTEGER NOT NULL DEFAULT 0,
        removed TEXT NOT NULL DEFAULT '[]',
        published_from TEXT,
        modified_from TEXT,
        authors_from TEXT,
        markdown TEXT,                          -- NULL: the article's current markdown
        UNIQUE (article_id, version)
    )
    """,
    # Every version moves over; a body equal to its article's current one is left to it.
    f"""
    INSERT INTO article_version_rows ({VERSION_ROWS_COLUMNS})
    SELECT v.id, v.article_id, v.version, v.cause, v.changed, v.capture_id,
           v.extractor_version, v.rules, v.created_at, v.canonical_url, v.title, v.authors,
           v.published_at, v.modified_at, v.site_name, v.language, v.description, v.image,
           v.tags, v.images,
           CASE WHEN v.text = a.text THEN NULL ELSE v.text END,
           v.word_count, v.removed, v.published_from, v.modified_from, v.authors_from,
           CASE WHEN v.markdown = a.markdown THEN NULL ELSE v.markdown END
    FROM article_versions v LEFT JOIN articles a ON a.id = v.article_id
    ORDER BY v.id
    """,
    # The views built on article_versions (changed_articles, article_history,
    # site_health_runs) name it, not its table: they read the view below from now on.
    "DROP TABLE article_versions",
    "CREATE INDEX idx_article_version_rows_capture_id ON article_version_rows(capture_id)",
    "CREATE INDEX idx_article_version_rows_cause ON article_version_rows(cause)",
    "CREATE INDEX idx_article_version_rows_created_at ON article_version_rows(created_at)",
    # One table read (no join), so SQLite flattens it into the queries and views that use it
    # and reads an article's body only for a version that leaves it to the article.
    f"""
    CREATE VIEW article_versions AS
    SELECT id, article_id, version, cause, changed, capture_id, extractor_version, rules,
           created_at, canonical_url, title, authors, published_at, modified_at, site_name,
           language, description, image, tags, images,
           {_BODY_FROM_ARTICLE.format(column="text")},
           word_count, removed, published_from, modified_from, authors_from,
           {_BODY_FROM_ARTICLE.format(column="markdown")}
    FROM article_version_rows
    """,
    """
    CREATE TRIGGER articles_body_to_versions_au AFTER UPDATE OF text, markdown ON articles
    WHEN old.text IS NOT new.text OR old.markdown IS NOT new.markdown
    BEGIN
        UPDATE article_version_rows SET text = old.text
        WHERE article_id = old.id AND text IS NULL AND old.text IS NOT new.text;
        UPDATE article_version_rows SET markdown = old.markdown
        WHERE article_id = old.id AND markdown IS NULL AND old.markdown IS NOT new.markdown;
    END
    """,
    # With foreign keys on (the archive's own connections) the versions go with the article;
    # a connection without them (sqlite3's default) leaves them, and they keep their body.
    """
    CREATE TRIGGER articles_body_to_versions_ad AFTER DELETE ON articles
    BEGIN
        UPDATE article_version_rows
        SET text = coalesce(text, old.text), markdown = coalesce(markdown, old.markdown)
        WHERE article_id = old.id AND (text IS NULL OR markdown IS NULL);
    END
    """,
]
