"""The network guard in the crawl: no connection into the network the archive runs in.

Two parts, both built on ``archive.netguard.NetworkGuard`` (which decides, without I/O):

- ``GuardedResolver`` (``TWISTED_DNS_RESOLVER``) is Scrapy's caching host-name resolver with
  a check: Twisted's ``HostnameEndpoint``, which every HTTP(S) download goes through, asks it
  for the addresses of each host, IP literals included, with the port; it hands on only
  addresses the guard allows, and none at all when any address of a name is internal (so a
  name cannot mix a public address with ``169.254.169.254``). The connection is made to the
  addresses it handed on, so there is no window between check and connect for DNS rebinding.
- ``NetworkGuardMiddleware`` (a downloader middleware, before robots.txt) refuses a request,
  redirects included, before any connection or robots.txt fetch, when its host is an internal
  IP literal or a name that resolves to an internal address; the refusal becomes a capture
  with ``Outcome.REFUSED`` and a reason such as ``refused: link-local address
  169.254.169.254``.

The user-named hosts (each spider's ``named_urls``) are allowed, each on its port.
``ARCHIVE_ALLOW_PRIVATE`` (``--allow-private``) turns the guard off.
"""

import logging
from collections.abc import Iterable, Sequence
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingHostnameResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from archive.netguard import NetworkGuard, parse_ip_literal, url_origin

logger = logging.getLogger(__name__)

ALLOW_SETTING = "ARCHIVE_ALLOW_PRIVATE"
UNGUARDED = (
    "the network guard needs TWISTED_DNS_RESOLVER=crawler.netguard.GuardedResolver"
    f" (or {ALLOW_SETTING}=1 to crawl internal addresses)"
)


class Refused(IgnoreRequest):
    """A request the guard refused before any connection; ``reason`` names the address."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@implementer(IResolutionReceiver)
class _CheckedReceiver:
    """Collects every address of one lookup and hands them on only if all are allowed."""

    def __init__(self, receiver: Any, resolver: "GuardedResolver", host: str, port: int):
        self.receiver, self.resolver, self.host, self.port = receiver, resolver, host, port
        self.addresses: list[IAddress] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        reason = self.resolver.refusal(self.host, self.port, self.addresses)
        if reason is None:
            for address in self.addresses:
                self.receiver.addressResolved(address)
        else:
            logger.info("Refused %s:%s: %s", self.host, self.port, reason)
        self.receiver.resolutionComplete()


@implementer(IResolutionReceiver)
class _Waiter:
    """A receiver that only says when a lookup is complete."""

    def __init__(self) -> None:
        self.done: Deferred[None] = Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        pass

    def resolutionComplete(self) -> None:
        if not self.done.called:  # not after a timeout
            self.done.callback(None)


class GuardedResolver(CachingHostnameResolver):
    """Scrapy's caching resolver (IPv4 and IPv6), handing on only allowed addresses."""

    def __init__(
        self, reactor: Any, cache_size: int, *, enabled: bool = True, timeout: float = 60.0
    ) -> None:
        super().__init__(reactor, cache_size)
        self.guard = NetworkGuard(enabled=enabled)
        self.timeout = timeout  # seconds the middleware waits for a lookup (DNS_TIMEOUT)
        # The reason of the last refusal for each (host, port), for the middleware's capture.
        self.refusals: dict[tuple[str, int], str] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        # ``crawler`` is the CrawlerProcess here (Scrapy builds resolvers from it): only its
        # settings are read.
        settings = crawler.settings
        size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        enabled = not settings.getbool(ALLOW_SETTING)
        return cls(reactor, size, enabled=enabled, timeout=settings.getfloat("DNS_TIMEOUT"))

    def name_urls(self, urls: Iterable[str]) -> None:
        """Allow the hosts (each on its port) of these user-named URLs."""
        self.guard = self.guard.with_urls(urls)

    def refusal(self, host: str, port: int, addresses: Sequence[IAddress]) -> str | None:
        """Why ``host`` may not be reached on ``port`` at these addresses, or None."""
        if port == 0 and any(named == host.lower() for named, _ in self.guard.named):
            return None  # a lookup without a port (reactor.resolve) of a named host
        for address in addresses:
            reason = self.guard.check_address(host, port, getattr(address, "host", ""))
            if reason is not None:
                self.refusals[(host.lower(), port)] = reason
                return reason
        return None

    def resolveHostName(  # Twisted's names: camelCase
        self,
        resolutionReceiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        checked = _CheckedReceiver(resolutionReceiver, self, hostName, portNumber)
        receiver: Any = checked  # provides IResolutionReceiver (zope, unseen by mypy)
        super().resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)
        return checked  # type: ignore[return-value]  # as Scrapy's returns its receiver

    async def check(self, host: str, port: int) -> str | None:
        """Look ``host`` up (through the cache) and say why it is refused, or None. A name
        that does not resolve in time is left to the download, which reports the DNS failure
        (and whose own lookup, through this resolver, is checked all the same)."""
        waiter = _Waiter()
        self.refusals.pop((host.lower(), port), None)
        clock: Any = self.reactor  # a reactor provides IReactorTime (zope, unseen by mypy)
        waiter.done.addTimeout(self.timeout, clock)
        self.resolveHostName(waiter, host, port)
        try:
            await maybe_deferred_to_future(waiter.done)
        except defer.TimeoutError:
            return None
        return self.refusals.get((host.lower(), port))


def installed_resolver() -> GuardedResolver | None:
    """The reactor's host-name resolver, when it is ours."""
    from twisted.internet import reactor

    resolver = getattr(reactor, "nameResolver", None)
    return resolver if isinstance(resolver, GuardedResolver) else None


def name_urls(urls: Iterable[str]) -> None:
    """Allow these user-named URLs' hosts in the running crawl (distributed seeds)."""
    if (resolver := installed_resolver()) is not None:
        resolver.name_urls(urls)


class NetworkGuardMiddleware:
    """Refuses requests to internal addresses before robots.txt or any connection."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.enabled = not crawler.settings.getbool(ALLOW_SETTING)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        if not self.enabled:
            logger.info("Network guard off (%s): internal addresses are reachable", ALLOW_SETTING)
        else:
            name_urls(getattr(spider, "named_urls", ()))
            name_urls(self.crawler.settings.getlist("ARCHIVE_PROXY_URLS"))

    async def process_request(self, request: Request) -> None:
        if not self.enabled or not request.url.lower().startswith(("http://", "https://")):
            return  # data: and file: open no connection
        resolver = installed_resolver()
        if resolver is None:  # fail closed: without our resolver no name is checked
            raise Refused(f"refused: {UNGUARDED}")
        reason = await url_refusal(resolver, request.url)
        if reason is not None:
            if request.meta.get("redirect_urls"):
                reason += f" (redirect to {request.url})"
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("archive/refused")
            raise Refused(reason)


async def url_refusal(resolver: GuardedResolver, url: str) -> str | None:
    """Why ``url`` is refused: an internal IP literal, or a name with an internal address."""
    host, port = url_origin(url)
    if resolver.guard.is_named(host, port):
        return None
    if parse_ip_literal(host) is not None:
        return resolver.guard.check_url(url)
    return await resolver.check(host, port)
