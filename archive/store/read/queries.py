"""The read side of the archive: listing, looking up and searching articles.

Functions take the ``sqlite_utils.Database`` and return plain dicts with the JSON columns
(authors, tags, images, removed, headers) decoded into lists.
"""

import json
import re
from typing import Any

from sqlite_utils import Database

from archive.urls import normalize_url, validate_url

JSON_COLUMNS = frozenset(
    {"authors", "tags", "images", "removed", "request_headers", "response_headers"}
)
SUMMARY_COLUMNS = (
    "id, url, title, site, site_name, authors, published_at, word_count,"
    " first_seen_at, last_seen_at"
)
CAPTURE_COLUMNS = (
    "id, crawl_id, requested_url, final_url, status, content_type, body_hash, fetched_at,"
    " outcome, error"
)
# Title hits count more than body hits: bm25 weights per indexed column (title, text).
TITLE_WEIGHT, TEXT_WEIGHT = 10.0, 1.0
SNIPPET_TOKENS = 16
RANK_FUNCTION = f"bm25({TITLE_WEIGHT}, {TEXT_WEIGHT})"
RANKED_MATCHES = 10_000
# The lowest rowid among the newest RANKED_MATCHES matches (0 when there are fewer).
NEWEST_MATCHES_FLOOR = (
    "SELECT coalesce(min(rowid), 0) FROM (SELECT rowid FROM articles_fts"
    f" WHERE articles_fts MATCH ? ORDER BY rowid DESC LIMIT {RANKED_MATCHES})"
)

FTS_OPERATORS = frozenset({"AND", "OR", "NOT"})
# A quoted phrase, or a run of non-space characters.
_QUERY_TERM = re.compile(r'"([^"]*)"?|(\S+)')


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for column in JSON_COLUMNS.intersection(row):
        if isinstance(row[column], str):
            row[column] = json.loads(row[column])
    return row


def _limit(limit: int | None) -> int:
    return -1 if limit is None else max(int(limit), 0)


def site_clause(site: str | None, column: str) -> tuple[str, list[str]]:
    """SQL matching ``site`` with or without its ``www.``; empty when no site is given."""
    if not site:
        return "", []
    host = site.strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].removeprefix("www.")
    if re.fullmatch(r"[^\[\]]+:\d+", host):  # "127.0.0.1:8080": sites are hosts, without port
        host = host.rpartition(":")[0]
    return f" AND ({column} = ? OR {column} = ?)", [host, "www." + host]


def list_articles(db: Database, *, limit: int | None = 20, site: str | None = None) -> list[dict]:
    """Articles, most recently seen first (then newest id first)."""
    where, params = site_clause(site, "site")
    sql = (
        f"SELECT {SUMMARY_COLUMNS} FROM articles WHERE 1 = 1{where}"
        " ORDER BY last_seen_at DESC, id DESC LIMIT ?"
    )
    return [_decode(row) for row in db.query(sql, [*params, _limit(limit)])]


def get_article(db: Database, url: str) -> dict[str, Any] | None:
    """The full article for ``url``, with its ``captures`` newest first; None if absent.

    ``url`` may be the article key in any un-normalised form (tracking parameters, fragment,
    upper-case host ...), the canonical URL the page named, or any URL a capture requested
    or was served from. Raises ``InvalidURLError`` for a URL that is not http(s).
    """
    given = validate_url(url)
    key = normalize_url(given)
    lookups = [
        ("SELECT * FROM articles WHERE url = ?", [key]),
        (
            "SELECT * FROM articles WHERE canonical_url IN (?, ?)"
            " ORDER BY last_seen_at DESC LIMIT 1",
            [given, key],
        ),
        (
            "SELECT a.* FROM captures c JOIN articles a ON a.id = c.article_id"
            " WHERE c.requested_url IN (?, ?) OR c.final_url IN (?, ?)"
            " ORDER BY c.fetched_at DESC, c.id DESC LIMIT 1",
            [given, key, given, key],
        ),
    ]
    for sql, params in lookups:
        rows = list(db.query(sql, params))
        if rows:
            article = _decode(rows[0])
            article["captures"] = [
                _decode(row)
                for row in db.query(
                    f"SELECT {CAPTURE_COLUMNS} FROM captures WHERE article_id = ?"
                    " ORDER BY fetched_at DESC, id DESC",
                    [article["id"]],
                )
            ]
            return article
    return None


def find_captures(db: Database, url: str, *, limit: int | None = 20) -> list[dict]:
    """Captures whose requested or final URL is ``url`` (as given or normalised), newest
    first: failures included, so a caller can say why a URL holds no article."""
    given = validate_url(url)
    key = normalize_url(given)
    sql = (
        f"SELECT {CAPTURE_COLUMNS}, article_id FROM captures"
        " WHERE requested_url IN (?, ?) OR final_url IN (?, ?)"
        " ORDER BY fetched_at DESC, id DESC LIMIT ?"
    )
    return list(db.query(sql, [given, key, given, key, _limit(limit)]))


def fts_query(text: str) -> str:
    """A user's search words as a safe FTS5 query.

    Each word or ``"quoted phrase"`` becomes an FTS5 string, so punctuation (``C++``,
    ``don't``, ``AND(``, a stray quote) can never be a syntax error; a trailing ``*`` keeps
    its meaning as a prefix search. Terms are ANDed; an upper-case ``AND``, ``OR`` or ``NOT``
    between two terms is kept as the operator, anywhere else it is searched as a word. Terms
    with no letter or digit are dropped. Returns ``""`` when nothing searchable is left.
    """
    found = (_fts_token(phrase, word) for phrase, word in _QUERY_TERM.findall(text))
    tokens = [token for token in found if token is not None]
    parts: list[str] = []
    for index, (kind, value) in enumerate(tokens):
        is_binary = (
            kind == "operator"
            and parts
            and parts[-1] not in FTS_OPERATORS
            and index + 1 < len(tokens)
            and tokens[index + 1][0] != "operator"
        )
        if is_binary:
            parts.append(value)
        else:
            parts.append(_quoted(value) if kind == "operator" else value)
    return " ".join(parts)


def _fts_token(phrase: str, word: str) -> tuple[str, str] | None:
    """("operator", "OR"), ("term", '"c++"*') or None for a term with nothing searchable."""
    if word in FTS_OPERATORS:
        return ("operator", word)
    term = phrase if phrase else word.replace('"', "")
    prefix = bool(word) and term.endswith("*")
    term = term.rstrip("*") if prefix else term
    if not re.search(r"\w", term):
        return None
    return ("term", _quoted(term) + ("*" if prefix else ""))


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search(
    db: Database,
    query: str,
    *,
    limit: int | None = 20,
    site: str | None = None,
    since: str | None = None,
    highlight: tuple[str, str] = ("[", "]"),
) -> list[dict]:
    """Articles matching ``query``, best first, each with a ``snippet`` of its text.

    ``rank`` is FTS5's bm25 score (lower is better). ``since`` (an archive timestamp) keeps
    articles the archive first saw at or after it. An empty or punctuation-only query
    matches nothing.
    """
    match = fts_query(query)
    if not match:
        return []
    where, params = site_clause(site, "a.site")
    if since:
        where += " AND a.first_seen_at >= ?"
        params.append(since)
    # Matches are ranked by FTS5's own ``rank`` column (bm25 with the title weighted). A word
    # that matches more than RANKED_MATCHES articles is ranked among the newest
    # RANKED_MATCHES of them (newest by rowid), which bounds the cost of near-stopwords on a
    # large archive. Filters on articles go in as a rowid set, so an unfiltered search
    # never touches the articles table until the hits are known.
    filtered = f" AND articles_fts.rowid IN (SELECT a.id FROM articles a WHERE 1 = 1{where})"
    ranked = (
        "SELECT articles_fts.rowid AS id, articles_fts.rank AS rank,"
        f" snippet(articles_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}) AS snippet FROM articles_fts"
        f" WHERE articles_fts MATCH ? AND articles_fts.rank MATCH '{RANK_FUNCTION}'"
        f" AND articles_fts.rowid >= ({NEWEST_MATCHES_FLOOR}){filtered if where else ''}"
        " ORDER BY articles_fts.rank LIMIT ?"
    )
    # FTS5 itself sorts by rank and stops at the limit, so snippets are made for the hits
    # returned only; the articles table is read for those hits alone.
    sql = (
        "SELECT a.id, a.url, a.title, a.site, a.site_name, a.authors, a.published_at,"
        " a.first_seen_at, a.last_seen_at, a.gone_at, hits.snippet, hits.rank"
        f" FROM ({ranked}) AS hits JOIN articles a ON a.id = hits.id"
        " ORDER BY hits.rank, a.id"
    )
    arguments = [highlight[0], highlight[1], match, match, *params, _limit(limit)]
    return [_decode(row) for row in db.query(sql, arguments)]


def history(db: Database, url: str) -> dict[str, Any] | None:
    """The article at ``url`` (as ``get_article`` finds it) with its ``versions``, oldest
    first, each joined to the capture it came from (``fetched_at``, ``status``); None if the
    archive has no article there."""
    article = get_article(db, url)
    if article is None:
        return None
    versions = []
    for row in db.query(
        "SELECT v.*, c.fetched_at, c.status, c.final_url FROM article_versions v"
        " LEFT JOIN captures c ON c.id = v.capture_id"
        " WHERE v.article_id = ? ORDER BY v.version",
        [article["id"]],
    ):
        row = _decode(row)
        for name in ("changed", "rules"):
            if isinstance(row.get(name), str):
                row[name] = json.loads(row[name])
        versions.append(row)
    article["versions"] = versions
    return article
