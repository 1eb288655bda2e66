"""The network guard's decisions (issue 14, section 1), without any connection: the address
classifier over every range, IP literals in the odd forms resolvers accept, the named-host
rule, and the resolver fed chosen addresses by a stub that never touches the network."""

import asyncio
import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.resolver import dnscache
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IResolutionReceiver
from twisted.internet.task import Clock
from zope.interface import implementer

from archive.netguard import NetworkGuard, address_class, parse_ip_literal, url_origin
from crawler.netguard import GuardedResolver

# (address, class): the first and last address of each range, and a neighbour outside it.
CLASSIFIED = [
    ("0.0.0.0", "unspecified"),
    ("0.255.255.255", "unspecified"),
    ("::", "unspecified"),
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("::1", "loopback"),
    ("10.0.0.0", "private"),
    ("10.255.255.255", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.0.1", "private"),
    ("192.168.255.255", "private"),
    ("fc00::1", "private"),
    ("fdff:ffff::1", "private"),
    ("fec0::1", "private"),
    ("64:ff9b:1::1", "private"),
    ("100.64.0.0", "shared (CGNAT)"),
    ("100.127.255.255", "shared (CGNAT)"),
    ("169.254.0.1", "link-local"),
    ("169.254.169.254", "link-local"),
    ("fe80::1", "link-local"),
    ("febf::1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("192.0.0.8", "reserved"),
    ("192.0.2.1", "reserved"),
    ("198.51.100.7", "reserved"),
    ("203.0.113.9", "reserved"),
    ("198.18.0.1", "reserved"),
    ("198.19.255.255", "reserved"),
    ("2001:db8::1", "reserved"),
    ("100::1", "reserved"),
    ("3fff::1", "reserved"),
    # IPv6 forms that carry an IPv4 address are judged by it.
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:10.1.2.3", "private"),
    ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 169.254.169.254
    ("2002:c0a8:0101::", "private"),  # 6to4 of 192.168.1.1
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("::127.0.0.1", "loopback"),  # IPv4-compatible, deprecated
    # Public neighbours: just outside the ranges above.
    ("1.0.0.1", None),
    ("9.255.255.255", None),
    ("11.0.0.0", None),
    ("100.63.255.255", None),
    ("100.128.0.0", None),
    ("126.255.255.255", None),
    ("128.0.0.0", None),
    ("169.253.255.255", None),
    ("169.255.0.0", None),
    ("172.15.255.255", None),
    ("172.32.0.0", None),
    ("192.167.255.255", None),
    ("192.169.0.0", None),
    ("198.17.255.255", None),
    ("198.20.0.0", None),
    ("223.255.255.255", None),
    ("8.8.8.8", None),
    ("93.184.215.14", None),
    ("2606:4700:4700::1111", None),
    ("2a00:1450:4001::200e", None),
    ("::ffff:8.8.8.8", None),
    ("2002:0808:0808::1", None),  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "expected"), CLASSIFIED)
def test_address_classes(address: str, expected: str | None) -> None:
    assert address_class(ipaddress.ip_address(address)) == expected


@pytest.mark.parametrize("address", ["fbff::1", "4000::1", "1000::1", "e000::1"])
def test_ipv6_outside_global_unicast_is_reserved(address: str) -> None:
    # In no listed range, and outside 2000::/3, the only unicast space IANA has allocated.
    assert address_class(ipaddress.ip_address(address)) == "reserved"


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # one decimal number
        ("0x7f000001", "127.0.0.1"),  # one hex number
        ("017700000001", "127.0.0.1"),  # one octal number
        ("0x7f.1", "127.0.0.1"),  # a.b: b is 24 bits
        ("127.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),  # octal part
        ("0x7f.0x0.0.1", "127.0.0.1"),
        ("169.254.43518", "169.254.169.254"),  # a.b.c: c is 16 bits
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("10.1", "10.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),  # a trailing dot (browsers read it so; stricter)
        ("[::1]", "::1"),
        ("[::ffff:169.254.169.254]", "::ffff:169.254.169.254"),
        ("::ffff:a9fe:a9fe", "::ffff:169.254.169.254"),
        ("[fe80::1%25eth0]", "fe80::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("8.8.8.8", "8.8.8.8"),
    ],
)
def test_ip_literals_in_every_form(host: str, address: str) -> None:
    assert parse_ip_literal(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "host",
    [
        "example.org",
        "localhost",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.256.1.1",
        "08.0.0.1",
        "4294967296",
        "127.0.0.0x",
        "0x",
        "",
        "[:::1]",
        "1e100.net",
        "127.0.0.1.example.org",
    ],
)
def test_names_and_malformed_literals_are_not_addresses(host: str) -> None:
    # As glibc's inet_aton and getaddrinfo: "0x" and "08" are no numbers, so no addresses.
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://Example.ORG/a", ("example.org", 80)),
        ("https://example.org/a", ("example.org", 443)),
        ("http://127.0.0.1:8000/", ("127.0.0.1", 8000)),
        ("http://[::1]:8080/x", ("::1", 8080)),
        ("https://example.org./", ("example.org", 443)),
    ],
)
def test_url_origin(url: str, origin: tuple[str, int]) -> None:
    assert url_origin(url) == origin


def test_the_named_host_and_port_pass_everything_else_internal_is_refused() -> None:
    guard = NetworkGuard.for_urls(["http://127.0.0.1:8000/feed.xml"])
    assert guard.check_url("http://127.0.0.1:8000/other") is None
    assert guard.check_url("http://127.0.0.1:8001/") == "refused: loopback address 127.0.0.1"
    assert guard.check_url("http://127.0.0.2:8000/") == "refused: loopback address 127.0.0.2"
    assert guard.check_url("http://169.254.169.254/latest/meta-data/") == (
        "refused: link-local address 169.254.169.254"
    )
    assert guard.check_url("http://[::ffff:169.254.169.254]/") == (
        "refused: link-local address 169.254.169.254"
    )
    assert guard.check_url("http://2130706433:8000/") == "refused: loopback address 127.0.0.1"
    assert guard.check_url("http://0x7f.1/") == "refused: loopback address 127.0.0.1"
    assert guard.check_url("http://10.0.0.5/admin") == "refused: private address 10.0.0.5"
    assert guard.check_url("http://100.100.100.200/") == (
        "refused: shared (CGNAT) address 100.100.100.200"
    )
    assert guard.check_url("https://8.8.8.8/") is None
    assert guard.check_url("https://example.org/") is None  # a name: the resolver decides


def test_a_named_name_passes_on_its_port_only() -> None:
    guard = NetworkGuard.for_urls(["https://intranet.example/"])
    assert guard.check_address("intranet.example", 443, "10.0.0.5") is None
    assert guard.check_address("INTRANET.example.", 443, "10.0.0.5") is None
    assert guard.check_address("intranet.example", 6379, "10.0.0.5") == (
        "refused: private address 10.0.0.5"
    )


def test_the_guard_switched_off_allows_everything() -> None:
    guard = NetworkGuard(enabled=False)
    assert guard.check_url("http://169.254.169.254/") is None
    assert guard.check_address("x.example", 80, "127.0.0.1") is None


def test_an_unreadable_resolver_answer_is_refused() -> None:
    assert NetworkGuard().check_address("x.example", 80, "not-an-ip") == (
        "refused: unreadable address 'not-an-ip'"
    )


# --- The resolver, fed by a stub: no lookup, no connection. ----------------------------------


class StubResolver:
    """Answers every lookup with the addresses the test chose, synchronously."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    def resolveHostName(  # Twisted's name
        self, receiver: Any, hostName: str, portNumber: int = 0, *args: Any, **kwargs: Any
    ) -> Any:
        self.asked.append((hostName, portNumber))
        receiver.resolutionBegan(None)
        for address in self.answers.get(hostName, []):
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, portNumber))
        receiver.resolutionComplete()
        return receiver


class FakeReactor:
    def __init__(self, stub: StubResolver) -> None:
        self.nameResolver = stub


@implementer(IResolutionReceiver)
class Collect:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: Any) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


ANSWERS = {
    "metadata.test": ["169.254.169.254"],
    "mixed.test": ["93.184.215.14", "10.0.0.5"],  # one public, one private: all refused
    "public.test": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "intranet.test": ["10.1.2.3"],
    "169.254.169.254": ["169.254.169.254"],  # a literal, answered as getaddrinfo does
}


@pytest.fixture
def resolver() -> GuardedResolver:
    dnscache.clear()  # Scrapy's cache is a module global: no answers from other tests
    guarded = GuardedResolver(FakeReactor(StubResolver(ANSWERS)), 100)
    guarded.name_urls(["https://intranet.test/"])
    return guarded


@pytest.mark.parametrize(
    ("host", "port", "passed", "reason"),
    [
        ("metadata.test", 80, [], "refused: link-local address 169.254.169.254"),
        ("mixed.test", 80, [], "refused: private address 10.0.0.5"),
        ("mapped.test", 80, [], "refused: loopback address 127.0.0.1"),
        ("public.test", 443, ANSWERS["public.test"], None),
        ("intranet.test", 443, ["10.1.2.3"], None),  # the named host, on its port
        ("intranet.test", 6379, [], "refused: private address 10.1.2.3"),
        ("169.254.169.254", 80, [], "refused: link-local address 169.254.169.254"),
    ],
)
def test_the_resolver_hands_on_only_allowed_addresses(
    resolver: GuardedResolver, host: str, port: int, passed: list[str], reason: str | None
) -> None:
    collect = Collect()
    resolver.resolveHostName(collect, host, port)
    assert collect.complete
    assert collect.addresses == passed
    assert resolver.refusals.get((host, port)) == reason


def test_cached_answers_are_checked_again_for_each_port(resolver: GuardedResolver) -> None:
    first, second = Collect(), Collect()
    resolver.resolveHostName(first, "intranet.test", 443)
    resolver.resolveHostName(second, "intranet.test", 8080)  # from Scrapy's DNS cache
    assert first.addresses == ["10.1.2.3"]
    assert second.addresses == []
    assert resolver.original_resolver.asked == [("intranet.test", 443)]  # type: ignore[attr-defined]


def test_the_resolver_switched_off_passes_everything() -> None:
    dnscache.clear()
    guarded = GuardedResolver(FakeReactor(StubResolver(ANSWERS)), 100, enabled=False)
    collect = Collect()
    guarded.resolveHostName(collect, "metadata.test", 80)
    assert collect.addresses == ["169.254.169.254"]


class ClockReactor(FakeReactor):
    """A fake reactor whose time is a Twisted Clock the test advances by hand."""

    def __init__(self, stub: Any) -> None:
        super().__init__(stub)
        self.clock = Clock()
        self.callLater = self.clock.callLater
        self.seconds = self.clock.seconds


class SilentResolver(StubResolver):
    """Begins every lookup and never completes it: a DNS server that does not answer."""

    def resolveHostName(self, receiver: Any, hostName: str, *args: Any, **kwargs: Any) -> Any:
        receiver.resolutionBegan(None)
        return receiver


def test_the_middleware_check_names_the_refusal_and_passes_public_names() -> None:
    dnscache.clear()
    guarded = GuardedResolver(ClockReactor(StubResolver(ANSWERS)), 100)

    async def both() -> tuple[str | None, str | None]:
        return await guarded.check("metadata.test", 80), await guarded.check("public.test", 80)

    assert asyncio.run(both()) == ("refused: link-local address 169.254.169.254", None)


def test_a_lookup_that_never_answers_is_left_to_the_download() -> None:
    dnscache.clear()
    reactor = ClockReactor(SilentResolver({}))
    guarded = GuardedResolver(reactor, 100, timeout=5)

    async def check() -> str | None:
        asyncio.get_running_loop().call_later(0.1, reactor.clock.advance, 6)
        # Real seconds as a backstop: without the resolver's own timeout this would hang.
        return await asyncio.wait_for(guarded.check("silent.test", 80), 10)

    assert asyncio.run(check()) is None


def test_the_environment_proxies_are_allowed_hosts() -> None:
    """A proxy on the intranet (http_proxy=http://10.0.0.3:3128) is the user's choice."""
    script = (
        "from crawler.runner import project_settings;"
        "print(project_settings('a.db').getlist('ARCHIVE_PROXY_URLS'))"
    )
    env = {"PATH": os.environ.get("PATH", ""), "http_proxy": "http://10.0.0.3:3128"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    shown = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert shown.stdout.strip() == "['http://10.0.0.3:3128']", shown.stderr
    guard = NetworkGuard().with_urls(["http://10.0.0.3:3128"])
    assert guard.check_address("10.0.0.3", 3128, "10.0.0.3") is None
