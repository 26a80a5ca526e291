"""The address guard's downloader middleware: refuse, log and count requests to local addresses.

The policy is `crawler.addresses.AddressPolicy`; the connection-time enforcement is
`crawler.resolver.GuardedResolver`. This middleware adds what the resolver cannot do:

* it knows the crawl's start URLs, and allows the addresses they resolve to (a crawl of a
  site on 127.0.0.1 or an intranet is clearly meant to reach it);
* it checks a URL before it is fetched — its robots.txt included — and names the URL in one
  WARNING line and the `addressguard/blocked` stat, where the resolver can only make the
  connection fail as an unknown host;
* a redirect target comes back through it as a new request, so it is checked the same way.

Switched off by `ADDRESS_GUARD_ENABLED = False`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from crawler import resolver as guarded
from crawler.addresses import AddressPolicy, parse_address

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_GUARDED_SCHEMES = frozenset({"http", "https"})


class AddressRefused(IgnoreRequest):
    """A request the address guard does not let through (a decision, not a fetch error)."""


class AddressGuardMiddleware:
    def __init__(self, crawler: Crawler, policy: AddressPolicy) -> None:
        self.crawler = crawler
        self.policy = policy
        self._start_ready: bool = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        if not crawler.settings.getbool("ADDRESS_GUARD_ENABLED", True):
            raise NotConfigured
        policy = guarded.configure(crawler.settings)
        middleware = cls(crawler, policy)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        if guarded.installed() is None:
            logger.warning(
                "address guard: TWISTED_DNS_RESOLVER is not crawler.resolver.GuardedResolver; "
                "URLs are checked before they are fetched, not at connection time"
            )

    # -- the start URLs' addresses ------------------------------------------------------

    async def _allow_start_addresses(self) -> None:
        """Allow what the start URLs' hosts resolve to (once, before the first request)."""
        self._start_ready = True
        spider = self.crawler.spider
        hosts = {_host(url) for url in getattr(spider, "start_urls", ())}
        for host in sorted(h for h in hosts if h):
            literal = parse_address(host)
            if literal is not None:
                self.policy.allow_addresses([literal])
                continue
            addresses = await self._resolve(host)
            self.policy.allow_addresses(addresses)
        if self.policy.allowed_addresses:
            logger.info(
                "address guard: the start URLs' addresses are allowed: %s",
                ", ".join(sorted(map(str, self.policy.allowed_addresses))),
            )

    async def _resolve(self, host: str) -> list[str]:
        resolver = guarded.installed()
        if resolver is None:
            from twisted.internet import reactor

            resolver = guarded.GuardedResolver(reactor, 0, self.policy)
        found = await maybe_deferred_to_future(resolver.resolve_all(host))
        return [guarded.address_text(address) for address in found]

    # -- requests -----------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        if not self._start_ready:
            await self._allow_start_addresses()
        parsed = urlparse_cached(request)
        if parsed.scheme not in _GUARDED_SCHEMES or not parsed.hostname:
            return
        host = parsed.hostname
        literal = parse_address(host)
        if literal is not None:
            why = self.policy.refusal(literal)
            if why is not None:
                self._refuse(request, str(literal), why)
            return
        addresses = await self._resolve(host)
        refusals = [(address, self.policy.refusal(address)) for address in addresses]
        if refusals and all(why is not None for _, why in refusals):
            address, why = refusals[0]
            self._refuse(request, address, str(why))
        # Otherwise the resolver connects to the allowed addresses only (none at all for a
        # name that does not resolve: an ordinary DNS error).

    def process_exception(self, request: Request, exception: BaseException) -> None:
        """A name that re-resolved to refused addresses after the check (DNS rebinding)."""
        if not isinstance(exception, DNSLookupError):
            return
        resolver = guarded.installed()
        host = urlparse_cached(request).hostname or ""
        refused = resolver.refused.get(host) if resolver is not None else None
        if refused:
            address, why = refused[0]
            self._refuse(request, address, why)

    def _refuse(self, request: Request, address: str, why: str) -> None:
        self.crawler.stats.inc_value("addressguard/blocked")
        logger.warning(
            "address guard: not fetching %s: %s is a %s address (ADDRESS_GUARD_ALLOW allows "
            "networks)",
            request.url[:500],
            address,
            why,
        )
        raise AddressRefused(f"{address} is a {why} address")


def _host(url: Any) -> str | None:
    """The host of a start URL (`start_urls` holds strings)."""
    try:
        return urlsplit(str(url)).hostname
    except ValueError:
        return None
