"""Gone articles: a URL that once gave an article and now answers 404 or 410, or redirects to
its site's home page (the usual way a newsroom unpublishes a story).

The article is marked, never deleted: ``gone_at`` holds when the archive first saw it gone,
``gone_reason`` why; its versions and captures stay. A later answer of 200 (or 304) at the
URL clears the mark. Runs inside ``ArchiveDB.store``'s transaction.
"""

from urllib.parse import urlsplit

from sqlite_utils import Database

from archive.records import Capture, Outcome
from archive.store.write.articles import find_article

GONE_STATUSES = frozenset({404, 410})
# Paths that are a site's front page, where unpublished stories are often redirected.
HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home"})


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def redirected_home(requested_url: str, final_url: str | None) -> bool:
    """True when a request for a page (not the home page itself) ended on its site's home."""
    if not final_url or final_url == requested_url:
        return False
    requested, final = urlsplit(requested_url), urlsplit(final_url)
    return (
        _host(requested_url) == _host(final_url)
        and final.path in HOME_PATHS
        and not final.query
        and requested.path not in HOME_PATHS
    )


def gone_reason(capture: Capture) -> str | None:
    """Why this capture says its URL is gone, or None when it does not."""
    if capture.status in GONE_STATUSES:
        return f"HTTP {capture.status}"
    if redirected_home(capture.requested_url, capture.final_url):
        return f"redirects to the home page {capture.final_url}"
    return None


def note_status(db: Database, capture: Capture, capture_id: int, seen: str) -> None:
    """Mark or clear the gone state of the article at this capture's URL.

    Articles and 'unchanged' captures clear the mark through their own write path; this
    handles every other capture. A 404/410 capture is linked to the article (its URL is the
    article's own); a redirect to the home page is not, since its final URL is the home
    page's and linking it would make the home page look up as that article.
    """
    reason = gone_reason(capture)
    if reason is not None:
        urls = [capture.requested_url]
        if capture.status in GONE_STATUSES:
            urls.append(capture.final_url or capture.requested_url)
        found = find_article(db, *urls)
        if found is None:
            return
        # An older failure stored late says nothing about the article's state now.
        db.execute(
            "UPDATE articles SET gone_at = ?, gone_reason = ?"
            " WHERE id = ? AND gone_at IS NULL AND last_seen_at <= ?",
            [seen, reason, found[0], seen],
        )
        if capture.status in GONE_STATUSES:
            db.execute("UPDATE captures SET article_id = ? WHERE id = ?", [found[0], capture_id])
        return
    answered = capture.status is not None and (200 <= capture.status < 300 or capture.status == 304)
    if answered and capture.outcome not in (Outcome.ARTICLE, Outcome.UNCHANGED):
        found = find_article(db, capture.requested_url, capture.final_url)
        if found is not None:
            db.execute(
                "UPDATE articles SET gone_at = NULL, gone_reason = NULL"
                " WHERE id = ? AND gone_at <= ?",
                [found[0], seen],
            )
