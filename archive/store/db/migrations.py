"""The archive database's schema, built and upgraded by sqlite-utils ``Migrations``.

Each migration runs once per file, in order, inside a transaction with the record that it ran
(table ``_sqlite_migrations``). Never edit a migration that has shipped: add a new one. Views
are dropped and re-created by whichever later migration changes them.

Tables (Datasette- and sqlite-utils-friendly: explicit keys, declared foreign keys, JSON arrays
for lists, ``*_at`` columns in UTC ISO 8601):

- ``crawls``: one row per crawl run.
- ``bodies``: raw response bodies, compressed, one row per SHA-256 of the raw bytes.
- ``captures``: one row per fetch, failures included, URLs exactly as requested and served.
- ``articles``: the clean record of each article, keyed by its normalised URL.
- ``articles_fts``: FTS5 index over ``articles.title`` and ``articles.text``, kept in sync by
  triggers so that no write path can bypass it.
- ``article_versions`` (0002): every version of every article, a full snapshot each, marked
  'first', 'page' (the page changed) or 'parser' (re-extraction with a newer parser changed it).
- ``zstd_dictionaries`` (0003), record sources and rules columns (0004), an index on captures
  by served URL and fetch time (0005), ``scheduled_runs``: the scheduler's runs per job (0006),
  ``ingested_captures`` and ``ingested_crawls``: what ``archive ingest`` has stored (0007),
  the refused-page columns of captures (0008), ``markdown``: the body as CommonMark, in
  articles and versions (0009), the ``site_health_runs`` and ``site_health`` views (0010),
  versions kept in ``article_version_rows`` without repeating the article's current body,
  read whole through the ``article_versions`` view (0011).
  The SQL of 0006 on lives in ``migrations_sql``.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from archive.store.db import migrations_sql

MIGRATIONS = Migrations("article-archiver")

_INITIAL_TABLES = [
    """
    CREATE TABLE crawls (
        id INTEGER PRIMARY KEY,
        spider TEXT NOT NULL,
        arguments TEXT NOT NULL DEFAULT '{}',   -- JSON object
        started_at TEXT NOT NULL,
        finished_at TEXT,
        finish_reason TEXT,
        stats TEXT                              -- JSON object
    )
    """,
    """
    CREATE TABLE bodies (
        hash TEXT PRIMARY KEY,                  -- sha256 hex of the raw bytes
        size INTEGER NOT NULL,                  -- raw size in bytes
        compression TEXT NOT NULL,              -- 'zlib', 'none', later 'zstd'
        data BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE captures (
        id INTEGER PRIMARY KEY,
        crawl_id INTEGER REFERENCES crawls(id),
        requested_url TEXT NOT NULL,
        final_url TEXT,
        site TEXT,                              -- host of final_url, else of requested_url
        request_headers TEXT NOT NULL DEFAULT '[]',   -- JSON list of [name, value]
        status INTEGER,
        response_headers TEXT NOT NULL DEFAULT '[]',  -- JSON list of [name, value]
        content_type TEXT,
        body_hash TEXT REFERENCES bodies(hash),
        fetched_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        error TEXT,
        article_id INTEGER REFERENCES articles(id)
    )
    """,
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,               -- the article key (archive.urls.article_key)
        canonical_url TEXT,
        title TEXT,
        authors TEXT NOT NULL DEFAULT '[]',     -- JSON list of names
        published_at TEXT,                      -- as precise as the page gives it
        modified_at TEXT,
        site_name TEXT,
        site TEXT,                              -- host of url
        language TEXT,
        description TEXT,
        image TEXT,
        tags TEXT NOT NULL DEFAULT '[]',        -- JSON list
        images TEXT NOT NULL DEFAULT '[]',      -- JSON list of {src, caption}
        text TEXT NOT NULL DEFAULT '',
        word_count INTEGER NOT NULL DEFAULT 0,
        removed TEXT NOT NULL DEFAULT '[]',     -- JSON list of {kind, sample}
        extractor_version TEXT,
        capture_id INTEGER REFERENCES captures(id),   -- the latest capture
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
    )
    """,
]

_INITIAL_INDEXES = [
    "CREATE INDEX idx_captures_requested_url ON captures(requested_url)",
    "CREATE INDEX idx_captures_final_url ON captures(final_url)",
    "CREATE INDEX idx_captures_outcome ON captures(outcome)",
    "CREATE INDEX idx_captures_fetched_at ON captures(fetched_at)",
    "CREATE INDEX idx_captures_site ON captures(site)",
    "CREATE INDEX idx_captures_crawl_id ON captures(crawl_id)",
    "CREATE INDEX idx_captures_article_id ON captures(article_id)",
    "CREATE INDEX idx_captures_body_hash ON captures(body_hash)",
    "CREATE INDEX idx_articles_site ON articles(site)",
    "CREATE INDEX idx_articles_last_seen_at ON articles(last_seen_at)",
    "CREATE INDEX idx_articles_first_seen_at ON articles(first_seen_at)",
    "CREATE INDEX idx_articles_published_at ON articles(published_at)",
    "CREATE INDEX idx_articles_canonical_url ON articles(canonical_url)",
]

# External-content FTS5: the index holds no copy of the text. content="articles" is the
# spelling sqlite-utils and Datasette look for when they detect a table's search index.
# The update trigger fires only when title or text really change, so a re-crawl that finds the
# same article (or only touches last_seen_at) costs no index work.
_INITIAL_FTS = [
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content="articles", content_rowid="id",
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
    """
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END
    """,
    """
    CREATE TRIGGER articles_au AFTER UPDATE OF id, title, text ON articles
    WHEN old.id != new.id OR old.title IS NOT new.title OR old.text IS NOT new.text
    BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
]

_INITIAL_VIEWS = [
    # Each article with the capture it was last seen in, newest first.
    """
    CREATE VIEW latest_articles AS
    SELECT a.id, a.url, a.title, a.site, a.site_name, a.authors, a.published_at,
           a.word_count, a.first_seen_at, a.last_seen_at, a.extractor_version,
           c.id AS capture_id, c.final_url, c.status, c.fetched_at
    FROM articles a LEFT JOIN captures c ON c.id = a.capture_id
    ORDER BY a.last_seen_at DESC, a.id DESC
    """,
    # Every capture that did not give an article, counted by site, outcome and reason.
    """
    CREATE VIEW failures_by_site AS
    SELECT site, outcome, error, count(*) AS count, max(fetched_at) AS last_seen_at
    FROM captures
    WHERE outcome != 'article'
    GROUP BY site, outcome, error
    ORDER BY count DESC, site, outcome
    """,
    # One row per crawl with its captures counted by outcome.
    """
    CREATE VIEW crawl_summaries AS
    SELECT cr.id, cr.spider, cr.started_at, cr.finished_at, cr.finish_reason,
           count(c.id) AS captures,
           sum(c.outcome = 'article') AS articles,
           sum(c.outcome != 'article') AS failures
    FROM crawls cr LEFT JOIN captures c ON c.crawl_id = cr.id
    GROUP BY cr.id
    ORDER BY cr.id DESC
    """,
]


@MIGRATIONS(name="0001_initial_schema")
def initial_schema(db: Database) -> None:
    """Crawls, bodies, captures, articles, their search index and the first views."""
    for sql in _INITIAL_TABLES + _INITIAL_INDEXES + _INITIAL_FTS + _INITIAL_VIEWS:
        db.execute(sql)


# -- 0002: versions, gone articles, re-extraction marks, more views ---------------------

# One row per version of an article: the whole record as it then was (a snapshot, not a diff).
# ``cause`` is 'first' for version 1, 'page' when a new capture brought a changed record, and
# 'parser' when re-extracting a stored body with a newer parser changed it. ``created_at`` is
# when the archive first had this content: the capture's ``fetched_at`` for 'first' and
# 'page', the time of re-extraction for 'parser'. ``changed`` lists the fields that differ
# from the previous version.
_VERSION_TABLES = [
    """
    CREATE TABLE article_versions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,               -- 1, 2, ... per article
        cause TEXT NOT NULL,                    -- 'first', 'page' or 'parser'
        changed TEXT NOT NULL DEFAULT '[]',     -- JSON list of field names
        capture_id INTEGER REFERENCES captures(id),
        extractor_version TEXT,
        rules TEXT NOT NULL DEFAULT '{}',       -- JSON: the parser rules that applied
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
        text TEXT NOT NULL DEFAULT '',
        word_count INTEGER NOT NULL DEFAULT 0,
        removed TEXT NOT NULL DEFAULT '[]',
        UNIQUE (article_id, version)
    )
    """,
    "CREATE INDEX idx_article_versions_capture_id ON article_versions(capture_id)",
    "CREATE INDEX idx_article_versions_cause ON article_versions(cause)",
    "CREATE INDEX idx_article_versions_created_at ON article_versions(created_at)",
    # Seen answering 404/410, or redirecting to the site's home page; NULL while it is there.
    "ALTER TABLE articles ADD COLUMN gone_at TEXT",
    "ALTER TABLE articles ADD COLUMN gone_reason TEXT",
    "CREATE INDEX idx_articles_gone_at ON articles(gone_at)",
    # Which parser last re-extracted this capture's body, so a re-extraction can resume.
    "ALTER TABLE captures ADD COLUMN reextracted_version TEXT",
    "ALTER TABLE captures ADD COLUMN reextracted_at TEXT",
]

# Every existing article gets its version 1 from the record it holds now.
_VERSION_BACKFILL = """
    INSERT INTO article_versions (
        article_id, version, cause, changed, capture_id, extractor_version, created_at,
        canonical_url, title, authors, published_at, modified_at, site_name, language,
        description, image, tags, images, text, word_count, removed)
    SELECT a.id, 1, 'first', '[]', a.capture_id, a.extractor_version,
           coalesce(c.fetched_at, a.first_seen_at),
           a.canonical_url, a.title, a.authors, a.published_at, a.modified_at, a.site_name,
           a.language, a.description, a.image, a.tags, a.images, a.text, a.word_count,
           a.removed
    FROM articles a LEFT JOIN captures c ON c.id = a.capture_id
    ORDER BY a.id
"""

_VIEWS_0002 = [
    "DROP VIEW latest_articles",
    """
    CREATE VIEW latest_articles AS
    SELECT a.id, a.url, a.title, a.site, a.site_name, a.authors, a.published_at,
           a.word_count, a.first_seen_at, a.last_seen_at, a.extractor_version, a.gone_at,
           c.id AS capture_id, c.final_url, c.status, c.fetched_at
    FROM articles a LEFT JOIN captures c ON c.id = a.capture_id
    ORDER BY a.last_seen_at DESC, a.id DESC
    """,
    # An 'unchanged' capture (a 304, the same body again) is no failure.
    "DROP VIEW failures_by_site",
    """
    CREATE VIEW failures_by_site AS
    SELECT site, outcome, error, count(*) AS count, max(fetched_at) AS last_seen_at
    FROM captures
    WHERE outcome NOT IN ('article', 'unchanged')
    GROUP BY site, outcome, error
    ORDER BY count DESC, site, outcome
    """,
    "DROP VIEW crawl_summaries",
    """
    CREATE VIEW crawl_summaries AS
    SELECT cr.id, cr.spider, cr.started_at, cr.finished_at, cr.finish_reason,
           count(c.id) AS captures,
           sum(c.outcome = 'article') AS articles,
           sum(c.outcome = 'unchanged') AS unchanged,
           sum(c.outcome NOT IN ('article', 'unchanged')) AS failures
    FROM crawls cr LEFT JOIN captures c ON c.crawl_id = cr.id
    GROUP BY cr.id
    ORDER BY cr.id DESC
    """,
    # Articles archived per site and day (the day the archive first saw them, UTC).
    """
    CREATE VIEW articles_by_site_day AS
    SELECT site, substr(first_seen_at, 1, 10) AS day, count(*) AS articles,
           sum(word_count) AS words
    FROM articles
    GROUP BY site, day
    ORDER BY day DESC, site
    """,
    # Articles whose page changed after the archive first saw it (parser changes left out).
    """
    CREATE VIEW changed_articles AS
    SELECT a.id, a.url, a.title, a.site, a.published_at, a.first_seen_at,
           count(v.id) AS page_changes, max(v.created_at) AS last_changed_at,
           max(v.version) AS latest_page_version
    FROM articles a JOIN article_versions v ON v.article_id = a.id AND v.cause = 'page'
    GROUP BY a.id
    ORDER BY last_changed_at DESC, a.id DESC
    """,
    # Each version of each article with the capture it came from.
    """
    CREATE VIEW article_history AS
    SELECT a.id AS article_id, a.url, v.version, v.cause, v.changed, v.created_at,
           v.extractor_version, v.title, v.word_count, v.capture_id,
           c.fetched_at, c.status, c.requested_url, c.final_url, c.body_hash
    FROM article_versions v
    JOIN articles a ON a.id = v.article_id
    LEFT JOIN captures c ON c.id = v.capture_id
    ORDER BY a.id, v.version
    """,
]


@MIGRATIONS(name="0002_versions_gone_reextract")
def versions_gone_reextract(db: Database) -> None:
    """Article versions (backfilled), gone marks, re-extraction marks, the history views."""
    for sql in _VERSION_TABLES:
        db.execute(sql)
    db.execute(_VERSION_BACKFILL)
    for sql in _VIEWS_0002:
        db.execute(sql)


# -- 0003: zstd dictionaries trained per site ----------------------------------------------

# Pages of one site share their template, so a zstd dictionary trained on a site's bodies
# packs its other bodies about 2.4x smaller than zstd alone. A body packed with one says
# ``zstd-dict:<id>`` in ``bodies.compression``; dictionaries are never changed or deleted
# while a body names them (a retrained site gets a new row).
_DICTIONARY_TABLES = [
    """
    CREATE TABLE zstd_dictionaries (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL,
        size INTEGER NOT NULL,                  -- bytes of the dictionary
        samples INTEGER NOT NULL,               -- bodies it was trained on
        trained_at TEXT NOT NULL,
        data BLOB NOT NULL
    )
    """,
    "CREATE INDEX idx_zstd_dictionaries_site ON zstd_dictionaries(site)",
]


@MIGRATIONS(name="0003_zstd_dictionaries")
def zstd_dictionaries(db: Database) -> None:
    """A table of zstd dictionaries, one or more per site."""
    for sql in _DICTIONARY_TABLES:
        db.execute(sql)


# Where each record's dates and authors came from, and which per-site rules made it: kept
# beside the record in articles and in each version, so a user can facet on them.
_SOURCE_COLUMNS = ("published_from", "modified_from", "authors_from")


@MIGRATIONS(name="0004_record_sources_and_rules")
def record_sources_and_rules(db: Database) -> None:
    """Sources of dates and authors, and the rules applied, on articles and versions."""
    for table in ("articles", "article_versions"):
        for column in _SOURCE_COLUMNS:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
    db.execute("ALTER TABLE articles ADD COLUMN rules TEXT NOT NULL DEFAULT '[]'")
    # Versions held an empty object until rules existed; a list of rule names from now on.
    db.execute("UPDATE article_versions SET rules = '[]' WHERE rules = '{}'")


# 0005: `archive import-warc` skips a response the archive holds (same served URL, second and body):
# (final_url, fetched_at) finds it exactly, and serves final_url lookups as the index it replaces.
@MIGRATIONS(name="0005_captures_url_time_index")
def captures_url_time_index(db: Database) -> None:
    """An index on captures (final_url, fetched_at) in place of the one on final_url."""
    db.execute("CREATE INDEX idx_captures_final_url_fetched_at ON captures(final_url, fetched_at)")
    db.execute("DROP INDEX idx_captures_final_url")


@MIGRATIONS(name="0006_scheduled_runs")
def scheduled_runs(db: Database) -> None:
    """A table of the scheduler's runs, per job."""
    for sql in migrations_sql.SCHEDULED_RUNS:
        db.execute(sql)


@MIGRATIONS(name="0007_ingest_bookkeeping")
def ingest_bookkeeping(db: Database) -> None:
    """The distributed writer's marks of the worker messages and crawl runs it stored."""
    for sql in migrations_sql.INGEST_TABLES:
        db.execute(sql)


# 0008: a page refused as "not an article" still says what it is (a short brief, a gallery, a
# front): its title and date go with its capture (filled for captures stored from now on).
@MIGRATIONS(name="0008_refused_page_metadata")
def refused_page_metadata(db: Database) -> None:
    """Title, publication date and the page's other metadata (JSON) on refused captures."""
    # Prefixed: a query joining captures and articles must not find two "title" columns.
    for column in ("page_title", "page_published_at", "page_metadata"):
        db.execute(f"ALTER TABLE captures ADD COLUMN {column} TEXT")


@MIGRATIONS(name="0009_markdown_body")
def markdown_body(db: Database) -> None:
    """The body as CommonMark beside its text, in articles and article versions."""
    for sql in migrations_sql.MARKDOWN_COLUMNS:
        db.execute(sql)


@MIGRATIONS(name="0010_site_health_views")
def site_health_views(db: Database) -> None:
    """Views of each site's extraction health per run, and its latest run beside its history
    (``archive health`` reads them too)."""
    for sql in migrations_sql.SITE_HEALTH_VIEWS:
        db.execute(sql)


# 0011: the current version's body is no longer stored twice (in articles and in its version).
@MIGRATIONS(name="0011_versions_share_current_body")
def versions_share_current_body(db: Database) -> None:
    """Versions in ``article_version_rows``, their body NULL while it is the article's, read
    whole through the ``article_versions`` view; triggers keep a body before it changes."""
    for sql in migrations_sql.SHARED_VERSION_BODIES:
        db.execute(sql)
