"""Credentials never land in the archive: the headers that carry them are stored redacted.

``Authorization`` and ``Proxy-Authorization`` (a password or token the user configured),
``Cookie`` (a session the user handed the crawler) and ``Set-Cookie`` (the session a site
issues or renews for that login: as good as a password until it expires) keep their name and
the harmless part of their value (the scheme, the cookie names) and lose the secret:
``Authorization: Bearer [redacted]``, ``Cookie: sid=[redacted]; lang=[redacted]``. Applied
where captures are written (every write path: crawl, ingest, import-warc) and again where
WARC files are exported, so rows stored before the rule are not exported with secrets.
"""

from collections.abc import Iterable

REDACTED = "[redacted]"
_SCHEMED = frozenset({"authorization", "proxy-authorization"})
_COOKIES = frozenset({"cookie"})
_SET_COOKIES = frozenset({"set-cookie", "set-cookie2"})
SECRET_HEADERS = _SCHEMED | _COOKIES | _SET_COOKIES


def redacted_value(name: str, value: str) -> str:
    """``value`` with its secret replaced by ``[redacted]`` when ``name`` carries one."""
    lower = name.strip().lower()
    if lower not in SECRET_HEADERS or value == "":
        return value
    if lower in _SCHEMED:  # "Basic dXNlcjpwYXNz": the scheme says what kind, not the secret
        scheme, _, secret = value.strip().partition(" ")
        return f"{scheme} {REDACTED}" if secret else REDACTED
    if lower in _COOKIES:  # "a=1; b=2": every cookie's name, none of its value
        return "; ".join(_cookie(part) for part in value.split(";") if part.strip())
    return _cookie(value.split(";", 1)[0])  # Set-Cookie: the name; attributes dropped too


def _cookie(pair: str) -> str:
    name, equals, _ = pair.strip().partition("=")
    return f"{name.strip()}={REDACTED}" if equals and name.strip() else REDACTED


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """``[name, value]`` pairs with every secret-bearing value redacted, order kept."""
    return [(name, redacted_value(name, value)) for name, value in headers]
