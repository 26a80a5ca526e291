"""The crawl's DNS resolver: the address guard at connection time (`TWISTED_DNS_RESOLVER`).

Checking a URL's host before the request is sent is not enough: a name can resolve to a
public address when checked and to 127.0.0.1 a moment later when the connection is made (DNS
rebinding). Twisted's `HostnameEndpoint` connects to exactly the addresses its resolver
hands it, so this resolver hands it only the addresses `crawler.addresses.AddressPolicy`
allows: whatever a name resolves to, a refused address is never connected to. A name with
no allowed address fails as an unknown host (Twisted's `DNSLookupError`); the refused
addresses are kept in `refused` for the downloader middleware to name in its log line.

IPv4 and IPv6 (`getaddrinfo` through the reactor's own resolver, as Scrapy's
`CachingHostnameResolver`), with the resolved addresses cached per name
(`DNSCACHE_ENABLED`, `DNSCACHE_SIZE`) and judged again on every use, so the start URLs'
addresses, allowed once they are known, apply to names resolved before. Like Scrapy's
`CachingHostnameResolver`, it has no timeout of its own (`DNS_TIMEOUT` is not applied; the
system resolver's timeouts are).

One resolver serves the process (Twisted has one reactor), so the policy is the module's
`POLICY`, configured from the settings by `from_crawler` and extended with the start
addresses by the middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attr
from scrapy.utils.datatypes import LocalCache
from twisted.internet import defer
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer, provider

from crawler.addresses import AddressPolicy, parse_networks

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

# The policy of this process's crawl (see the module docstring).
POLICY = AddressPolicy()
_installed: GuardedResolver | None = None


def configure(settings: BaseSettings) -> AddressPolicy:
    """Set `POLICY` from `ADDRESS_GUARD_ENABLED` and `ADDRESS_GUARD_ALLOW`."""
    POLICY.enabled = settings.getbool("ADDRESS_GUARD_ENABLED", True)
    POLICY.allowed_networks = parse_networks(settings.getlist("ADDRESS_GUARD_ALLOW"))
    return POLICY


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:  # pragma: no cover - never asked by HostnameEndpoint
        raise NotImplementedError


@provider(IResolutionReceiver)
class _Collector:
    """Receives the unfiltered addresses of one name from the wrapped resolver."""

    def __init__(self) -> None:
        self.addresses: list[IAddress] = []
        self.done: Deferred[list[IAddress]] = defer.Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address)

    def resolutionComplete(self) -> None:
        self.done.callback(self.addresses)


@implementer(IHostnameResolver)
class GuardedResolver:
    """Resolves names like the reactor does, then drops every address the policy refuses."""

    def __init__(
        self,
        reactor: Any,
        cache_size: int,
        policy: AddressPolicy = POLICY,
        original: IHostnameResolver | None = None,
    ) -> None:
        self.reactor = reactor
        self.original: IHostnameResolver = original or reactor.nameResolver
        self.policy = policy
        self.cache: LocalCache[str, list[IAddress]] = LocalCache(cache_size)
        self.cache_size = cache_size
        self.refused: LocalCache[str, list[tuple[str, str]]] = LocalCache(10_000)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        # `crawler` is Scrapy's CrawlerProcess here: only its settings are read.
        settings = crawler.settings
        size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, size, configure(settings))

    def install_on_reactor(self) -> None:
        global _installed
        self.reactor.installNameResolver(self)
        _installed = self

    # -- resolving ----------------------------------------------------------------------

    def resolve_all(self, name: str) -> Deferred[list[IAddress]]:
        """Every address `name` resolves to, refused ones included (cached, port 0)."""
        if self.cache_size and name in self.cache:
            return defer.succeed(self.cache[name])
        collector = _Collector()
        self.original.resolveHostName(collector, name, 0)

        def remember(addresses: list[IAddress]) -> list[IAddress]:
            if addresses and self.cache_size:
                self.cache[name] = addresses
            return addresses

        return collector.done.addCallback(remember)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IHostResolution:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)

        def deliver(addresses: list[IAddress]) -> None:
            refused = []
            for address in addresses:
                if addressTypes and not isinstance(address, tuple(addressTypes)):
                    continue
                host = getattr(address, "host", "")
                why = self.policy.refusal(host)
                if why is not None:
                    refused.append((host, why))
                    continue
                resolutionReceiver.addressResolved(attr.evolve(address, port=portNumber))
            if refused:
                self.refused[hostName] = refused
                logger.debug("address guard: %s -> refused %s", hostName, refused)
            resolutionReceiver.resolutionComplete()

        def failed(failure: Any) -> None:
            logger.debug("could not resolve %s: %s", hostName, failure.value)
            resolutionReceiver.resolutionComplete()

        self.resolve_all(hostName).addCallbacks(deliver, failed)
        return resolution


def installed() -> GuardedResolver | None:
    """The resolver of this process, when `TWISTED_DNS_RESOLVER` names it."""
    return _installed


def address_text(address: IAddress) -> str:
    """The host of a resolved address (`IPv4Address`/`IPv6Address`), as text."""
    if isinstance(address, IPv4Address | IPv6Address):
        return address.host
    return str(getattr(address, "host", address))
