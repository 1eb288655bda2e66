"""archive.urls: what a user may give, and how URLs become article keys."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.errors import InvalidURLError
from archive.urls import (
    article_key,
    host_of,
    normalize_url,
    resolve_url,
    same_site,
    validate_url,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/news/a.html", "https://example.org/news/a.html"),
        ("  http://example.org/a?b=1#c \n", "http://example.org/a?b=1#c"),
        ("HTTPS://Example.ORG", "HTTPS://Example.ORG"),
        ("http://127.0.0.1:8080/page", "http://127.0.0.1:8080/page"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
        ("http://müller.example/artikel", "http://müller.example/artikel"),
        ("http://under_score.example.org/", "http://under_score.example.org/"),
    ],
)
def test_validate_url_accepts_http_and_returns_it_stripped(url: str, expected: str) -> None:
    assert validate_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file.txt", "unsupported scheme 'ftp'"),
        ("mailto:editor@example.org", "unsupported scheme 'mailto'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("example.org/news", "no scheme"),
        ("example.org:8080/news", "no scheme"),
        ("localhost:8000", "no scheme"),
        ("//example.org/news", "no scheme"),
        ("http://", "no host name"),
        ("http:///path/only", "no host name"),
        ("https://:443/x", "no host name"),
        ("http://exa mple.org/", "whitespace"),
        ("http://example.org/a b", "whitespace"),
        ("http://example.org/a\tb", "whitespace"),
        ("http://example.org:port/", "invalid port"),
        ("http://example.org:99999/", "invalid port"),
        ("http://[::1/", "malformed URL"),
        ("http://exa<mple.org/", "invalid host name"),
        ("http://example..org/", "invalid host name"),
    ],
)
def test_validate_url_rejects_with_a_reason_naming_the_url(url: str, reason: str) -> None:
    with pytest.raises(InvalidURLError) as caught:
        validate_url(url)
    assert reason in caught.value.reason
    assert caught.value.url == url.strip()
    assert str(caught.value).startswith(f"{url.strip()}: ")


@pytest.mark.parametrize("url", ["", "  \n"])
def test_validate_url_rejects_an_empty_url_showing_what_was_given(url: str) -> None:
    with pytest.raises(InvalidURLError) as caught:
        validate_url(url)
    assert str(caught.value) == f"{url!r}: empty URL"


def test_validate_url_rejects_a_non_string() -> None:
    with pytest.raises(InvalidURLError, match="not a string"):
        validate_url(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Host and scheme lower-cased, path kept as it is.
        ("HTTP://News.Example.ORG/World/Story", "http://news.example.org/World/Story"),
        # Default ports dropped, others kept.
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org:80/a", "https://example.org:80/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        # Fragment dropped; an empty path becomes "/".
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org?", "https://example.org/"),
        # Tracking parameters dropped, whatever their case; others kept in order.
        (
            "https://example.org/a?utm_source=nl&id=7&utm_medium=email&UTM_Campaign=x&page=2",
            "https://example.org/a?id=7&page=2",
        ),
        ("https://example.org/a?fbclid=IwAR0&gclid=Cj0", "https://example.org/a"),
        ("https://example.org/a?mc_cid=abc&mc_eid=def&q=1", "https://example.org/a?q=1"),
        ("https://example.org/a?msclkid=1&_ga=2&igshid=3&yclid=4", "https://example.org/a"),
        # Encoding of the kept query is not rewritten; empty pieces go.
        ("https://example.org/s?q=a%20b&&utm_term=x", "https://example.org/s?q=a%20b"),
        # A parameter that only starts like a tracking one stays.
        (
            "https://example.org/a?utmost=1&gclid_like=2",
            "https://example.org/a?utmost=1&gclid_like=2",
        ),
        # Trailing dot of a fully qualified host; IDN as punycode.
        ("https://example.org./a", "https://example.org/a"),
        ("http://Müller.example/a", "http://xn--mller-kva.example/a"),
        ("http://[::1]:80/x", "http://[::1]/x"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_normalize_url_is_idempotent() -> None:
    once = normalize_url("HTTPS://WWW.Example.org:443/a/?utm_source=x&b=2#top")
    assert once == "https://www.example.org/a/?b=2"
    assert normalize_url(once) == once


def test_normalize_url_rejects_what_validate_rejects() -> None:
    with pytest.raises(InvalidURLError, match="unsupported scheme 'ftp'"):
        normalize_url("ftp://example.org/")


def test_host_of() -> None:
    assert host_of("https://WWW.Example.org:8443/a") == "www.example.org"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://example.org/a", "http://example.org:8080/b", True),
        ("https://www.example.org/a", "https://example.org/b", True),
        ("https://amp.example.org/a", "https://www.example.org/b", True),
        ("https://example.org/a", "https://example.com/a", False),
        ("https://example.org/a", "https://notexample.org/a", False),
        ("https://a.example.co.uk/", "https://b.example.co.uk/", False),
        ("https://example.co.uk/", "https://co.uk/", True),  # shorter has a dot: a parent
        ("https://localhost/", "https://x.localhost/", False),
    ],
)
def test_same_site(a: str, b: str, same: bool) -> None:
    assert same_site(a, b) is same
    assert same_site(b, a) is same


@pytest.mark.parametrize(
    ("final_url", "canonical_url", "key"),
    [
        # No canonical: the final URL, normalised.
        ("https://Example.org/a?utm_source=x#c", None, "https://example.org/a"),
        ("https://example.org/a", "", "https://example.org/a"),
        ("https://example.org/a", "   ", "https://example.org/a"),
        # Canonical on the same site, www. or not, other scheme: the canonical, normalised.
        (
            "https://www.example.org/a?utm_source=x",
            "http://example.org/story-a",
            "http://example.org/story-a",
        ),
        (
            "https://example.org/a?page=2",
            "https://WWW.example.org/a#top",
            "https://www.example.org/a",
        ),
        # An AMP page naming its main-site original.
        ("https://amp.example.org/a", "https://www.example.org/a", "https://www.example.org/a"),
        # A relative canonical resolves against the final URL.
        ("https://example.org/news/a?x=1", "/news/a", "https://example.org/news/a"),
        # Canonical on another site (a syndicated copy): the final URL.
        (
            "https://aggregator.example.com/s/1",
            "https://example.org/a",
            "https://aggregator.example.com/s/1",
        ),
        # A canonical that is not http(s) is ignored.
        ("https://example.org/a", "javascript:void(0)", "https://example.org/a"),
        ("https://example.org/a", "http://exa mple.org/a", "https://example.org/a"),
    ],
)
def test_article_key(final_url: str, canonical_url: str | None, key: str) -> None:
    assert article_key(final_url, canonical_url) == key


def test_article_key_rejects_an_invalid_final_url() -> None:
    with pytest.raises(InvalidURLError):
        article_key("not a url", "https://example.org/a")


_label = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
    min_size=1,
    max_size=10,
)
_safe = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~%/", max_size=12)
_param = st.sampled_from(
    ["id", "page", "q", "utm_source", "UTM_medium", "fbclid", "gclid", "mc_eid"]
)


@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "Https"]),
    labels=st.lists(_label, min_size=1, max_size=4),
    port=st.one_of(st.none(), st.sampled_from([80, 443, 8080])),
    path=_safe,
    params=st.lists(st.tuples(_param, _safe), max_size=4),
    fragment=st.one_of(st.none(), _safe),
)
def test_normalize_url_properties(
    scheme: str,
    labels: list[str],
    port: int | None,
    path: str,
    params: list[tuple[str, str]],
    fragment: str | None,
) -> None:
    url = f"{scheme}://{'.'.join(labels)}" + (f":{port}" if port else "") + "/" + path
    if params:
        url += "?" + "&".join(f"{name}={value}" for name, value in params)
    if fragment is not None:
        url += "#" + fragment
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert "#" not in once
    assert once.startswith(scheme.lower() + "://" + ".".join(labels).lower())
    kept = [f"{n}={v}" for n, v in params if n in ("id", "page", "q")]
    assert once.partition("?")[2] == "&".join(kept)


@pytest.mark.parametrize(
    ("base", "href", "resolved"),
    [
        ("https://news.example/a/b.html", "/img/c.jpg", "https://news.example/img/c.jpg"),
        (None, "/img/c.jpg", "/img/c.jpg"),
        ("https://news.example/a/b.html", "https://[bad.example/c.jpg", None),
        ("http://[::1/story", "c.jpg", None),
    ],
)
def test_resolve_url_gives_none_for_a_malformed_url(
    base: str | None, href: str, resolved: str | None
) -> None:
    assert resolve_url(base, href) == resolved
