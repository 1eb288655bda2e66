"""The network guard: which addresses a crawl may connect to (issue 14, SSRF).

A feed entry, a sitemap ``<loc>``, a followed link or a redirect can point into the network
the archive runs in: ``http://169.254.169.254/`` (cloud metadata), ``http://10.0.0.5/admin``,
``http://127.0.0.1:6379/``. This module decides, without any I/O, whether an address is such
an internal one and why; the crawler (``crawler.netguard``) asks it before every connection,
for IP literals in URLs and for every address a host name resolves to.

The hosts the user named (``NetworkGuard.named``: host and port of each URL given on the
command line, in a ``-i`` file or a schedule) stay reachable whatever their address, so an
intranet archive, the demo and the tests (all on 127.0.0.1) keep working.
"""

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _networks(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs)


# Each internal class with its ranges, checked in this order (the first match names the
# address). Written out rather than taken from ipaddress's is_private, whose ranges changed
# between Python versions; ``is_global`` is only the last net for anything not listed.
ADDRESS_CLASSES = (
    ("unspecified", _networks("0.0.0.0/8", "::/128")),
    ("loopback", _networks("127.0.0.0/8", "::1/128")),
    (
        "private",
        _networks(
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "fc00::/7",  # unique local
            "fec0::/10",  # site-local, deprecated but still routed on some networks
            "64:ff9b:1::/48",  # local-use NAT64
        ),
    ),
    ("shared (CGNAT)", _networks("100.64.0.0/10")),
    ("link-local", _networks("169.254.0.0/16", "fe80::/10")),
    ("multicast", _networks("224.0.0.0/4", "ff00::/8")),
    (
        "reserved",
        _networks(
            "240.0.0.0/4",  # future use, and 255.255.255.255 broadcast
            "192.0.0.0/24",  # IETF protocol assignments
            "192.0.2.0/24",  # documentation (TEST-NET-1, -2, -3)
            "198.51.100.0/24",
            "203.0.113.0/24",
            "198.18.0.0/15",  # benchmarking
            "192.88.99.0/24",  # 6to4 relay anycast, deprecated
            "::/8",  # IPv4-compatible and other reserved IPv6
            "100::/64",  # discard-only
            "2001::/23",  # IETF protocol assignments
            "2001:db8::/32",  # documentation
            "3fff::/20",  # documentation
        ),
    ),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")
# One part of an IPv4 literal as inet_aton reads it: decimal, octal (leading 0) or hex.
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")


def embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, NAT64, IPv4-compatible),
    since a connection to it reaches that IPv4 host; any other address unchanged."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # ::a.b.c.d, IPv4-compatible
        return ipaddress.IPv4Address(int(address))
    return address


def address_class(address: IPAddress) -> str | None:
    """The internal class of ``address`` (``"loopback"``, ``"private"``, ``"link-local"``
    ...), or None for a public address a crawl may reach."""
    inner = embedded_ipv4(address)
    for name, networks in ADDRESS_CLASSES:
        if any(inner.version == net.version and inner in net for net in networks):
            return name
    if isinstance(inner, ipaddress.IPv6Address) and inner not in _GLOBAL_UNICAST_V6:
        return "reserved"  # IANA has allocated only 2000::/3 for global unicast
    return None if inner.is_global else "reserved"


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a URL's host denotes when it is an IP literal, in any form a resolver
    accepts (``127.0.0.1``, ``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``[::1]``,
    ``[fe80::1%eth0]``); None when the host is a name."""
    text = host.strip().strip("[]").rstrip(".").lower()
    if "%" in text:  # an IPv6 zone index: the address is what counts
        text = text.split("%", 1)[0]
    if ":" in text:
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    return _inet_aton(text)


def _inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """IPv4 in the forms of inet_aton(3): ``a.b.c.d``, ``a.b.c`` (c is 16 bits), ``a.b``
    (b is 24 bits) and ``a`` (32 bits); each part decimal, octal or hex."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(part) for part in parts):
        return None
    values = [_part_value(part) for part in parts]
    *leading, last = values
    if any(value > 255 for value in leading) or last >= 1 << (8 * (5 - len(parts))):
        return None
    number = last
    for index, value in enumerate(leading):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _part_value(part: str) -> int:
    if part[:2] in ("0x", "0X"):
        return int(part[2:], 16)
    return int(part, 8) if part.startswith("0") else int(part)


def refusal_reason(address: IPAddress, address_class_name: str) -> str:
    """``"refused: link-local address 169.254.169.254"``: the capture's reason."""
    return f"refused: {address_class_name} address {address}"


def url_origin(url: str) -> tuple[str, int]:
    """A URL's host (lower case, no brackets or trailing dot) and port (default by scheme)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    return host, port or (443 if parts.scheme.lower() == "https" else 80)


@dataclass(frozen=True)
class NetworkGuard:
    """The rule of one crawl: internal addresses refused, except on the hosts the user named
    (``named``: host and port pairs) and when the guard is off (``enabled=False``,
    ``ARCHIVE_ALLOW_PRIVATE``)."""

    named: frozenset[tuple[str, int]] = frozenset()
    enabled: bool = True

    @classmethod
    def for_urls(cls, urls: Iterable[str], *, enabled: bool = True) -> "NetworkGuard":
        return cls(frozenset(url_origin(url) for url in urls), enabled)

    def with_urls(self, urls: Iterable[str]) -> "NetworkGuard":
        """This guard with more user-named URLs."""
        return NetworkGuard(self.named | {url_origin(url) for url in urls}, self.enabled)

    def is_named(self, host: str, port: int) -> bool:
        return (host.lower().strip("[]").rstrip("."), port) in self.named

    def check_address(self, host: str, port: int, address: IPAddress | str) -> str | None:
        """Why connecting to ``address`` (which ``host`` resolved to, for ``port``) is
        refused, or None when it is allowed."""
        if not self.enabled or self.is_named(host, port):
            return None
        ip = parse_ip_literal(address) if isinstance(address, str) else address
        if ip is None:  # a resolver answer we cannot read is no address we checked
            return f"refused: unreadable address {address!r}"
        kind = address_class(ip)
        return refusal_reason(embedded_ipv4(ip), kind) if kind else None

    def check_url(self, url: str) -> str | None:
        """Why ``url`` is refused before any lookup (its host is an internal IP literal), or
        None: allowed, or a name whose addresses the resolver checks."""
        host, port = url_origin(url)
        address = parse_ip_literal(host)
        return None if address is None else self.check_address(host, port, address)
