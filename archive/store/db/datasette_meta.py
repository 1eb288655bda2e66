"""The Datasette metadata the archive writes for itself (``archive serve``).

Descriptions of the tables, views and columns; facets on site, language, authors and tags
(JSON arrays, so ``array`` facets); canned queries (search with snippets, an article's history,
recent changes); the raw bodies, zstd dictionaries and the distributed writer's bookkeeping
hidden from the table list; the ``markdown`` columns rendered as HTML by the
datasette-render-markdown plugin (with tables and fenced code). The settings (``SETTINGS``)
switch facet suggestions off: with them on, a table page over 50,000 articles spends 95-99%
of its 0.4 s suggesting facets (notes/performance.md).
"""

from pathlib import Path
from typing import Any

SETTINGS = {"suggest_facets": "off", "sql_time_limit_ms": "3000", "facet_time_limit_ms": "500"}
# Served on an address other than loopback (``archive serve --host``/``--public``): no SQL of
# the visitor's own (only the canned queries), no download of the whole file.
PUBLIC_SETTINGS = {**SETTINGS, "default_allow_sql": "off", "allow_download": "off"}
# Tables a public server refuses outright (Datasette's "allow": false): raw bodies, the zstd
# dictionaries, the writer's bookkeeping, and captures, whose request headers say how the
# crawler was configured; the ``capture_log`` query shows captures without them.
PUBLIC_DENIED = (
    "bodies",
    "zstd_dictionaries",
    "ingested_captures",
    "ingested_crawls",
    "captures",
)

_ARTICLE_COLUMNS = {
    "url": "The article's key: its canonical URL when on the same site, else the final URL",
    "canonical_url": "The canonical URL the page named",
    "authors": "JSON array of author names",
    "published_at": "Publication date or instant, as precise as the page gives it",
    "modified_at": "Last modification the page states",
    "site": "Host of the article URL",
    "language": "Primary language subtag, lower case",
    "tags": "JSON array of tags or keywords",
    "images": "JSON array of {src, caption}",
    "text": "The clean article text, paragraphs separated by blank lines",
    "markdown": "The same body as CommonMark: headings, lists, quotes, tables, code, links",
    "removed": "JSON array of {kind, sample}: boilerplate the parser stripped",
    "extractor_version": "Version of the parser that made this record",
    "rules": "JSON array of the per-site rules that applied (archive/rules)",
    "published_from": (
        "Where published_at came from: json-ld, meta, time, url, text, rule, or guess (htmldate)"
    ),
    "modified_from": "Where modified_at came from: json-ld, meta, time, url, text or rule",
    "authors_from": (
        "Where the authors came from: json-ld, meta, byline, text, rule or organization"
    ),
    "capture_id": "The capture this record was extracted from",
    "first_seen_at": "When the archive first saw the article (UTC)",
    "last_seen_at": "When the archive last saw the article (UTC)",
    "gone_at": "When the URL was first seen gone (404/410 or redirected home), else empty",
}
_CAPTURE_COLUMNS = {
    "requested_url": "The URL exactly as requested",
    "final_url": "The URL that served the response, after redirects",
    "request_headers": "JSON list of [name, value]",
    "response_headers": "JSON list of [name, value]",
    "body_hash": "SHA-256 of the raw body (a row of bodies)",
    "outcome": "article, unchanged, not-article, not-html, http-error, fetch-error, robots,"
    " refused, ...",
    "error": "Why this capture gave no article",
    "page_title": "A refused page's own title (not-article captures only)",
    "page_published_at": "A refused page's own publication date (not-article captures only)",
    "page_metadata": "JSON of all a refused page told about itself: dates, authors, site ...",
}

# The hidden ``rank`` column with ``rank MATCH 'bm25(...)'`` lets FTS5 sort and stop at the
# limit, so snippets are made for the hits shown only: 5x faster than ORDER BY bm25(...) on
# 2,000 articles, and the gap grows with the archive.
_SEARCH_SQL = """
select a.id, a.url, a.title, a.site, a.published_at, hits.snippet
from (
  select rowid, rank, snippet(articles_fts, 1, '[', ']', '…', 16) as snippet
  from articles_fts
  where articles_fts match :query and rank match 'bm25(10.0, 1.0)'
  order by rank limit 100
) hits join articles a on a.id = hits.rowid
order by hits.rank
"""
_HISTORY_SQL = """
select v.version, v.cause, v.changed, v.created_at, v.extractor_version, v.title,
  v.word_count, c.fetched_at, c.status, c.final_url
from article_versions v join articles a on a.id = v.article_id
left join captures c on c.id = v.capture_id
where a.url = :url
order by v.version
"""
_RECENT_SQL = """
select v.created_at, a.url, a.title, a.site, v.version, v.cause, v.changed
from article_versions v join articles a on a.id = v.article_id
where v.cause != 'first'
order by v.created_at desc, v.id desc
limit 200
"""


# datasette-render-markdown (Python-Markdown underneath): GitHub's tables and fenced code need
# its extensions, CommonMark's escapes and list ends our own (markdown_compat, with sane_lists),
# and the tags they make must pass its HTML sanitiser.
RENDER_MARKDOWN = {
    "datasette-render-markdown": {
        "columns": ["markdown"],
        "extensions": ["tables", "fenced_code", "sane_lists", "archive.store.db.markdown_compat"],
        "extra_tags": ["table", "thead", "tbody", "tr", "th", "td", "hr", "br"],
    }
}


def _tables(has_versions: bool) -> dict[str, Any]:
    tables: dict[str, Any] = {
        "articles": {
            "description": "The clean record of each article, as last captured.",
            "label_column": "title",
            "facets": ["site", "language", {"array": "authors"}, {"array": "tags"}],
            "sort_desc": "last_seen_at",
            "columns": _ARTICLE_COLUMNS,
            "plugins": RENDER_MARKDOWN,
        },
        "captures": {
            "description": "Every fetch, failures included; the raw body is in bodies.",
            "facets": ["site", "outcome", "status"],
            "sort_desc": "fetched_at",
            "columns": _CAPTURE_COLUMNS,
        },
        "crawls": {"description": "One row per crawl run, with Scrapy's stats."},
        "scheduled_runs": {
            "description": "Runs of archive schedule jobs: why each ran, when, how it ended.",
            "sort_desc": "started_at",
            "facets": ["job", "reason", "exit_status"],
        },
        "bodies": {"description": "Raw response bodies, compressed.", "hidden": True},
        "zstd_dictionaries": {"description": "zstd dictionaries per site.", "hidden": True},
        "ingested_captures": {
            "description": "archive ingest's mark of each worker page it stored (by uid).",
            "hidden": True,
        },
        "ingested_crawls": {
            "description": "archive ingest's crawls row for each worker's crawl run (by uid).",
            "hidden": True,
        },
        "article_version_rows": {
            "description": "The stored rows behind the article_versions view: text and"
            " markdown are empty (NULL) where they are the article's current ones.",
            "hidden": True,
        },
        "latest_articles": {"description": "Each article with its latest capture."},
        "failures_by_site": {"description": "Captures without an article, by site and reason."},
        "crawl_summaries": {"description": "Each crawl with its captures counted by outcome."},
        "site_health": {
            "description": "Each site's latest run (crawl, or day) beside its up to 20 earlier"
            " runs: captures, articles, and the shares not-article, failed, near-empty (under"
            " 50 words), and of articles without a date, authors or title (archive health)."
        },
        "site_health_runs": {
            "description": "Extraction health per site and run: the counts behind site_health."
        },
    }
    if has_versions:
        tables["article_versions"] = {
            "description": "Every version of every article (a full snapshot each); cause is"
            " first, page (the page changed) or parser (a newer parser read it differently).",
            "facets": ["cause", {"array": "changed"}],
            "sort_desc": "created_at",
            "plugins": RENDER_MARKDOWN,
        }
    return tables


def _queries(has_versions: bool) -> dict[str, Any]:
    queries: dict[str, Any] = {
        "search": {
            "title": "Search articles",
            "description": 'Full-text search (SQLite FTS5 syntax: words, "phrases", OR,'
            " NOT, prefix*), best first, with a snippet.",
            "sql": _SEARCH_SQL.strip(),
        }
    }
    if has_versions:
        queries["history"] = {
            "title": "An article's history",
            "description": "Every version of the article with this URL, with its capture.",
            "sql": _HISTORY_SQL.strip(),
        }
        queries["recent_changes"] = {
            "title": "Recent changes",
            "description": "Newest versions that changed an article (page or parser).",
            "sql": _RECENT_SQL.strip(),
        }
    return queries


_CAPTURE_LOG_SQL = """
select id, crawl_id, requested_url, final_url, site, status, content_type, fetched_at,
  outcome, error
from captures
where (:site = '' or site = :site) and (:outcome = '' or outcome = :outcome)
order by id desc
limit 1000
"""


def metadata(
    db_path: str | Path, *, has_versions: bool = True, public: bool = False
) -> dict[str, Any]:
    """Datasette metadata for the archive at ``db_path`` (its name is the file's stem).

    ``public``: for a server reachable from other machines: arbitrary SQL refused
    (``allow_sql``), the tables of ``PUBLIC_DENIED`` refused, captures shown through the
    ``capture_log`` query without their headers.
    """
    name = Path(db_path).stem
    tables, queries = _tables(has_versions), _queries(has_versions)
    database: dict[str, Any] = {"tables": tables, "queries": queries}
    if public:
        for table in PUBLIC_DENIED:
            tables.setdefault(table, {}).update({"allow": False, "hidden": True})
        queries["capture_log"] = {
            "title": "Captures",
            "description": "The latest 1,000 fetches (filter by site or outcome; empty for"
            " all), without request and response headers.",
            "sql": _CAPTURE_LOG_SQL.strip(),
        }
        database["allow_sql"] = False
    meta: dict[str, Any] = {
        "title": "Article archive",
        "description": "Articles archived by article-archiver: clean records, every capture,"
        " every version.",
        "databases": {name: database},
    }
    if public:
        meta["allow_sql"] = False
    return meta
