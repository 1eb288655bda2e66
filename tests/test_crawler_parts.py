"""The crawler's small parts on real Scrapy objects, without a crawl: URL lists, failure
reasons, headers, content types, settings."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Headers, HtmlResponse, Response
from scrapy.settings import Settings

from archive.capture import decoded, extract_capture
from archive.errors import ArchiveError, InvalidURLError
from archive.records import Outcome
from crawler.addons import ContactAddon, with_contact
from crawler.failures import describe_failure, http_reason
from crawler.pipelines.extract import media_type_of
from crawler.pipelines.store import json_safe
from crawler.runner import project_settings
from crawler.spiders.base import REQUESTED_URL, header_pairs, item_from_response
from crawler.spiders.page import collect_urls, split_urls

A, B = "https://example.org/a", "https://example.org/b?x=1,2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (A, [A]),
        (f"{A},{B}", [A, B]),
        (f"{A}, {B}", [A, B]),
        (f" {A}\n\t{B} ", [A, B]),
        (f"{B},{A},", [B, A]),  # the comma inside B's query is not a separator
        ("", []),
    ],
)
def test_split_urls(text: str, expected: list[str]) -> None:
    assert split_urls(text) == expected


def test_collect_urls_merges_the_file_and_drops_duplicates(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# a comment with http://not.a/url\n{B}\n\n  {A}\n", encoding="utf-8")
    assert collect_urls(A, str(listing)) == [A, B]


def test_collect_urls_rejects_bad_input_before_anything_is_fetched(tmp_path: Path) -> None:
    with pytest.raises(InvalidURLError, match=r"ftp://example\.org/f"):
        collect_urls(f"{A} ftp://example.org/f", None)
    with pytest.raises(ArchiveError, match="no URL given"):
        collect_urls(" , ", None)
    with pytest.raises(ArchiveError, match="cannot read URL list"):
        collect_urls(None, str(tmp_path / "missing.txt"))


def retried(times: int, **meta: object) -> Request:
    return Request(A, meta={"retry_times": times, **meta})


@pytest.mark.parametrize(
    ("error", "request_", "outcome", "reason"),
    [
        (IgnoreRequest("Forbidden by robots.txt"), Request(A), Outcome.ROBOTS,
         "forbidden by robots.txt"),
        (IgnoreRequest("max redirections reached"), Request(A), Outcome.FETCH_ERROR,
         "too many redirects (REDIRECT_MAX_TIMES)"),
        (IgnoreRequest("Offsite"), Request(A), Outcome.FETCH_ERROR, "request ignored: Offsite"),
        (DownloadTimeoutError("Getting x took longer than 30.0 seconds."),
         retried(2, download_timeout=30.0), Outcome.FETCH_ERROR,
         "timed out: no complete response within 30 seconds (after 3 attempts)"),
        (DownloadConnectionRefusedError("111"), Request(A), Outcome.FETCH_ERROR,
         "connection refused"),
        (CannotResolveHostError("no such host"), Request(A), Outcome.FETCH_ERROR,
         "DNS lookup failed for host 'example.org'"),
        (DownloadCancelledError(
            "Expected to receive 30000 bytes which is larger than download max size (20000) "
            "in request <GET https://example.org/a>."), Request(A), Outcome.FETCH_ERROR,
         "response too large: 30000 bytes, over the 20000-byte limit (DOWNLOAD_MAXSIZE)"),
        (ResponseDataLossError(), retried(1), Outcome.FETCH_ERROR,
         "connection closed before the whole response arrived (after 2 attempts)"),
        (ValueError("odd"), Request(A), Outcome.FETCH_ERROR, "ValueError: odd"),
    ],
)  # fmt: skip
def test_describe_failure(error: Exception, request_: Request, outcome: str, reason: str) -> None:
    assert describe_failure(error, request_) == (outcome, reason)


def test_http_reason() -> None:
    assert http_reason(404, Request(A)) == "HTTP 404 Not Found"
    assert http_reason(503, retried(2)) == "HTTP 503 Service Unavailable (after 3 attempts)"
    assert http_reason(599, Request(A)) == "HTTP 599"
    unfollowed = "HTTP 302 Found (redirect to ftp://x/y not followed)"
    assert http_reason(302, None, "ftp://x/y") == unfollowed


def test_header_pairs_keep_repeated_headers_and_redact_cookies() -> None:
    headers = Headers({"Set-Cookie": [b"a=1", b"b=2"], "Content-Type": "text/html"})
    assert sorted(header_pairs(headers)) == [
        ["Content-Type", "text/html"],
        ["Set-Cookie", "a=[redacted]"],
        ["Set-Cookie", "b=[redacted]"],
    ]


def test_item_from_a_redirected_html_response() -> None:
    request = Request("https://example.org/new", meta={REQUESTED_URL: "https://example.org/old"})
    request.headers["User-Agent"] = "article-archiver/test"
    body = "<html><head><meta charset='windows-1252'></head><body>caf\xe9</body></html>"
    response = HtmlResponse(
        "https://example.org/new", body=body.encode("cp1252"), request=request, status=200
    )
    item = item_from_response(response, "page")
    assert (item.requested_url, item.final_url, item.status) == (
        "https://example.org/old",
        "https://example.org/new",
        200,
    )
    assert item.request_headers == [["User-Agent", "article-archiver/test"]]
    assert item.encoding == "cp1252"
    assert "café" in decoded(item.body, item.encoding)
    assert item.fetched_at.endswith("+00:00") and len(item.fetched_at) == 25


def test_binary_response_has_no_text() -> None:
    response = Response(A, body=b"%PDF-1.4", request=Request(A))
    item = item_from_response(response, "page")
    assert (item.body, item.encoding) == (b"%PDF-1.4", None)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=UTF-8", "text/html"),
        ("Application/XHTML+XML", "application/xhtml+xml"),
        ("", None),
        (None, None),
    ],
)
def test_media_type_of(content_type: str | None, expected: str | None) -> None:
    assert media_type_of(content_type) == expected


def test_extract_page_does_not_parse_a_declared_non_html_type() -> None:
    html_that_lies = "<html><body>" + "<p>Many words here. </p>" * 100 + "</body></html>"
    done = extract_capture(html_that_lies, "image/png", A)
    outcome, record, reason = done.outcome, done.record, done.reason
    assert (outcome, record, reason) == (
        Outcome.NOT_HTML,
        None,
        "not HTML: the server sent image/png",
    )


def test_extract_page_lets_the_parser_judge_an_undeclared_type() -> None:
    done = extract_capture(b"%PDF-1.4\x00\x01\x02 binary", None, A)
    outcome, record, reason = done.outcome, done.record, done.reason
    assert (outcome, record) == (Outcome.NOT_HTML, None)
    assert reason


def test_json_safe_stats() -> None:
    stats = {"start_time": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "n": 3, "t": {1}}
    assert json_safe(stats) == {"start_time": "2024-01-02T03:04:05+00:00", "n": 3, "t": "{1}"}


def test_contact_is_appended_to_the_user_agent() -> None:
    agent = "article-archiver/0.1 (+https://github.com/article-archiver/article-archiver)"
    assert with_contact(agent, "me@example.org") == (
        "article-archiver/0.1 (+https://github.com/article-archiver/article-archiver;"
        " me@example.org)"
    )
    assert with_contact("bot/1", "me@example.org") == "bot/1 (me@example.org)"


def test_contact_addon_respects_an_explicit_user_agent() -> None:
    settings = project_settings("x.db", {"ARCHIVE_CONTACT": "me@example.org"})
    ContactAddon().update_settings(settings)
    assert settings["USER_AGENT"].endswith("; me@example.org)")
    explicit = project_settings("x.db", {"ARCHIVE_CONTACT": "me@example.org", "USER_AGENT": "X"})
    ContactAddon().update_settings(explicit)
    assert explicit["USER_AGENT"] == "X"


def test_project_settings_are_polite_and_overridable() -> None:
    settings = project_settings("here.db", {"DOWNLOAD_DELAY": 0})
    assert isinstance(settings, Settings)
    assert settings["ARCHIVE_DB"] == "here.db"
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert 429 in settings.getlist("RETRY_HTTP_CODES")
    assert settings["USER_AGENT"].startswith("article-archiver/")
