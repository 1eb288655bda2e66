"""Readable reasons for failed fetches, so that failures are data a person can facet on.

Scrapy reports a failed fetch as an exception (a timeout, a refused connection, robots.txt
...). ``describe_failure`` turns one into an archive outcome and a short reason such as
``"connection refused"`` or ``"timed out: no response within 30 seconds"``.
"""

import re
from http import HTTPStatus

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from twisted.internet import error as tx_error

from archive.records import Outcome
from crawler.netguard import Refused
from crawler.render.marks import RenderError

# Scrapy's RobotsTxtMiddleware raises a plain IgnoreRequest; only its message tells it apart.
ROBOTS_MESSAGE = "Forbidden by robots.txt"
_MAXSIZE_RE = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")
# HttpCompressionMiddleware's IgnoreRequest for a body that inflates past DOWNLOAD_MAXSIZE.
# One Twisted failure as Scrapy prints them: "<twisted.python.failure.Failure module.Name: text>".
_TWISTED_FAILURE_RE = re.compile(r"<twisted\.python\.failure\.Failure (?:[\w.]+\.)?(\w+): ([^>]*)>")
_INFLATED_RE = re.compile(r"exceeded DOWNLOAD_MAXSIZE \((\d+) B\) during decompression")


def describe_failure(exc: BaseException, request: Request) -> tuple[str, str]:
    """The outcome and a readable reason for an exception that ended a fetch."""
    if isinstance(exc, Refused):
        return Outcome.REFUSED, exc.reason
    if isinstance(exc, IgnoreRequest):
        if str(exc) == ROBOTS_MESSAGE:
            return Outcome.ROBOTS, "forbidden by robots.txt"
        if match := _INFLATED_RE.search(str(exc)):
            limit = match.group(1)
            return Outcome.FETCH_ERROR, (
                f"response too large: over the {limit}-byte limit once decompressed "
                "(DOWNLOAD_MAXSIZE)"
            )
        if str(exc) == "max redirections reached":  # RedirectMiddleware's message
            return Outcome.FETCH_ERROR, "too many redirects (REDIRECT_MAX_TIMES)"
        return Outcome.FETCH_ERROR, f"request ignored: {exc}" if str(exc) else "request ignored"
    return Outcome.FETCH_ERROR, _fetch_reason(exc, request) + attempts_note(request)


def _fetch_reason(exc: BaseException, request: Request) -> str:
    if isinstance(exc, RenderError):  # the browser's failure, already put in words
        return str(exc)
    if isinstance(exc, DownloadTimeoutError | tx_error.TimeoutError):
        timeout = request.meta.get("download_timeout")
        within = f" within {_seconds(timeout)}" if isinstance(timeout, int | float) else ""
        return f"timed out: no complete response{within}"
    if isinstance(exc, DownloadConnectionRefusedError | tx_error.ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, CannotResolveHostError | tx_error.DNSLookupError):
        return f"DNS lookup failed for host {request.url.split('/')[2]!r}"
    if isinstance(exc, DownloadCancelledError) and (match := _MAXSIZE_RE.search(str(exc))):
        size, limit = match.groups()
        return f"response too large: {size} bytes, over the {limit}-byte limit (DOWNLOAD_MAXSIZE)"
    if isinstance(exc, ResponseDataLossError):
        return "connection closed before the whole response arrived"
    if isinstance(exc, UnsupportedURLSchemeError):
        return f"unsupported URL scheme: {exc}"
    if isinstance(exc, DownloadFailedError | tx_error.ConnectionLost | tx_error.ConnectError):
        return f"download failed: {_inner_failure(exc) or _first_line(exc) or type(exc).__name__}"
    message = _first_line(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def http_reason(status: int, request: Request | None, location: str | None = None) -> str:
    """``"HTTP 404 Not Found"``, plus how many attempts it took when retries were made.

    A redirect that was not followed (to another scheme, say) names its ``location``.
    """
    try:
        phrase = f" {HTTPStatus(status).phrase}"
    except ValueError:
        phrase = ""
    unfollowed = f" (redirect to {location} not followed)" if location else ""
    return f"HTTP {status}{phrase}{unfollowed}{attempts_note(request)}"


def attempts_note(request: Request | None) -> str:
    """``" (after 3 attempts)"`` when the retry middleware tried again, else nothing."""
    retries = int(request.meta.get("retry_times", 0)) if request is not None else 0
    return f" (after {retries + 1} attempts)" if retries else ""


def _inner_failure(exc: BaseException) -> str | None:
    """``"Connection was closed cleanly (ConnectionDone)"`` from Scrapy's message, which is
    the repr of a list of Twisted failures (a reset or closed connection)."""
    match = _TWISTED_FAILURE_RE.search(str(exc))
    if match is None:
        return None
    name, message = match.groups()
    return f"{message.strip().rstrip('.')} ({name})" if message.strip() else name


def _seconds(value: float) -> str:
    return "1 second" if value == 1 else f"{value:g} seconds"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
