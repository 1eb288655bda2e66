"""URL helpers: validate what a user gives, normalise URLs into article keys.

Captures keep URLs exactly as requested and served; only article keys are normalised, so that
the same story reached through a newsletter link (``?utm_source=...``) and through the site's
own navigation is one article.
"""

import re
from urllib.parse import SplitResult, unquote_plus, urljoin, urlsplit, urlunsplit

from archive.errors import InvalidURLError

ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Query parameters that only say how a reader arrived (campaigns, click ids, mail tools).
# Compared case-insensitively; anything starting with one of TRACKING_PREFIXES goes too.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "rb_clickid",
        "s_cid",
        "ref_src",
        "pk_campaign",
        "pk_kwd",
        "pk_source",
        "pk_medium",
        "pk_content",
    }
)
TRACKING_PREFIXES = ("utm_", "mtm_")

_HOST_AND_PORT = re.compile(r"^[^:/]+:\d+(?:[/?#]|$)")
_WHITESPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
# A host label: letters, digits, hyphen, underscore, or any non-ASCII letter (IDN).
_HOST_LABEL = re.compile(r"^[a-z0-9_\-\u0080-\U0010ffff]+$")


def validate_url(url: str) -> str:
    """Return ``url`` stripped of surrounding whitespace, or raise ``InvalidURLError``.

    Accepts absolute http and https URLs with a host. Rejects other schemes (ftp, mailto,
    javascript ...), a missing scheme or host, whitespace or control characters inside the
    URL, a bad port and a host with characters no host name can hold.
    """
    if not isinstance(url, str):
        raise InvalidURLError(f"not a string: {url!r}", subject=repr(url))
    stripped = url.strip()
    if not stripped:
        # repr, so that the one-line message still shows what was given: '': empty URL
        raise InvalidURLError("empty URL", subject=repr(url))
    parts = _split(stripped)
    _check_scheme(stripped, parts)
    if _WHITESPACE_OR_CONTROL.search(stripped):
        raise InvalidURLError("contains whitespace or control characters", subject=stripped)
    _check_host(stripped, parts)
    return stripped


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL"
        raise InvalidURLError(f"malformed URL ({exc})", subject=url) from exc


def _check_scheme(url: str, parts: SplitResult) -> None:
    scheme = parts.scheme.lower()
    if scheme in ALLOWED_SCHEMES:
        return
    if not scheme or "." in scheme or _HOST_AND_PORT.match(url):
        # "example.com/page", "example.com:8080" or "localhost:8000": the scheme is missing.
        raise InvalidURLError("no scheme: the URL must start with http:// or https://", subject=url)
    raise InvalidURLError(
        f"unsupported scheme {scheme!r}: only http and https URLs can be archived", subject=url
    )


def _check_host(url: str, parts: SplitResult) -> None:
    host = parts.hostname
    if not host:
        raise InvalidURLError("no host name", subject=url)
    try:
        parts.port  # noqa: B018  (the property raises ValueError on a bad port)
    except ValueError as exc:
        raise InvalidURLError("invalid port", subject=url) from exc
    if ":" in host:  # an IPv6 literal; urlsplit has already checked the brackets
        return
    labels = host.rstrip(".").split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise InvalidURLError(f"invalid host name {host!r}", subject=url)


def host_of(url: str) -> str:
    """The URL's host, lower-cased, without port, trailing dot or brackets; IDN as punycode."""
    host = _split(validate_url(url)).hostname or ""
    return _normal_host(host)


def _normal_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        # Python's codec is IDNA 2003; a name it cannot encode is still a usable key as is.
        return host


def normalize_url(url: str) -> str:
    """Normalise an http(s) URL into a stable key; raise ``InvalidURLError`` if it is not one.

    Lower-cases scheme and host, drops the default port, the fragment and tracking query
    parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid`` ...), gives an empty path ``/``.
    The remaining query keeps its order and encoding: parameters can matter to a site.
    """
    parts = _split(validate_url(url))
    scheme = parts.scheme.lower()
    host = _normal_host(parts.hostname or "")
    if ":" in host:
        host = f"[{host}]"
    netloc = host
    if parts.port is not None and parts.port != DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{parts.port}"
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", _clean_query(parts.query), ""))


def _clean_query(query: str) -> str:
    kept = [piece for piece in query.split("&") if piece and not _is_tracking(piece)]
    return "&".join(kept)


def _is_tracking(piece: str) -> bool:
    name = unquote_plus(piece.partition("=")[0]).lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _site_host(url: str) -> str:
    host = host_of(url)
    return host.removeprefix("www.")


def same_site(url_a: str, url_b: str) -> bool:
    """Whether two http(s) URLs belong to the same site, whatever their scheme and port.

    Same site: the hosts are equal once a leading ``www.`` is dropped, or one is a subdomain
    of the other (``amp.example.com`` and ``example.com``). Without a public-suffix list we
    never call siblings (``a.example.co.uk`` and ``b.example.co.uk``) the same site: a wrong
    "no" only costs a less tidy key, a wrong "yes" would merge different sites' articles.
    """
    a, b = _site_host(url_a), _site_host(url_b)
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    # The parent must look like a registrable name (two labels at least), not "com" or "uk".
    return "." in shorter and longer.endswith("." + shorter)


def article_key(final_url: str, canonical_url: str | None) -> str:
    """The key of the article at ``final_url``: its canonical URL when on the same site.

    A relative canonical URL is resolved against ``final_url``. A canonical URL that is not
    valid http(s), or that points at another site (syndicated copies often name the original
    publisher), is ignored. The result is normalised with ``normalize_url``.
    """
    key = normalize_url(final_url)
    if not canonical_url or not canonical_url.strip():
        return key
    try:
        canonical = normalize_url(urljoin(key, canonical_url.strip()))
    except InvalidURLError:
        return key
    return canonical if same_site(key, canonical) else key


def resolve_url(base: str | None, href: str) -> str | None:
    """``href`` made absolute against ``base`` (itself when there is no base), or None when
    either is malformed, such as an unclosed IPv6 bracket: a page's bad link is no reason to
    lose its article."""
    if not base:
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return None
