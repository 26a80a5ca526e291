"""Which IP addresses a crawl may connect to: the address guard's policy, without Scrapy.

A page on the web can link to anything, including the crawling machine itself
(`http://127.0.0.1:…`), its network (`http://10.0.0.1/`) or a cloud metadata service
(`http://169.254.169.254/`). Fetching those would let any site make the crawler read
services that only trust it because of where it stands (server-side request forgery), and
store what they answer in a public archive. So loopback, private, link-local, multicast,
reserved and unspecified addresses are refused, IPv4 and IPv6 alike, an IPv4-mapped IPv6
address (`::ffff:127.0.0.1`) being judged as the IPv4 address it carries.

Two exceptions, because a local site is sometimes what is meant (the demo, the tests, an
intranet): the addresses the crawl's start URLs resolve to, and the networks the operator
lists (`ADDRESS_GUARD_ALLOW`).

`crawler/resolver.py` applies this to every resolved address at connection time (so a name
re-resolving to 127.0.0.1 after a first check — DNS rebinding — cannot pass);
`crawler/middlewares/addressguard.py` applies it to URLs before they are fetched.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressGuardError(ValueError):
    """A setting of the address guard cannot be understood (a bad CIDR network)."""


def parse_address(text: str) -> IPAddress | None:
    """`text` as an IP address (brackets and an IPv6 zone are dropped); None for a name."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return unmapped(address)


def unmapped(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv4-mapped IPv6 address carries; any other address as is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def blocked_class(address: IPAddress) -> str | None:
    """The name of the class that makes `address` refused by default, or None if public."""
    address = unmapped(address)
    # Order matters: 127.0.0.1 is private too, and "loopback" is what a reader expects.
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    return None


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """`ADDRESS_GUARD_ALLOW` as networks; a bare address is a network of one."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError as exc:
            raise AddressGuardError(f"ADDRESS_GUARD_ALLOW: {value!r} is not a network") from exc
    return tuple(networks)


@dataclass
class AddressPolicy:
    """Decides whether a crawl may connect to an address.

    `allowed_addresses` grows once, when the crawl's start URLs are resolved; the rest is
    fixed by the settings.
    """

    enabled: bool = True
    allowed_networks: tuple[IPNetwork, ...] = ()
    allowed_addresses: set[IPAddress] = field(default_factory=set)

    def allow_addresses(self, addresses: Iterable[IPAddress | str]) -> None:
        """Allow these exact addresses (those of the start URLs' hosts)."""
        for address in addresses:
            parsed = parse_address(address) if isinstance(address, str) else unmapped(address)
            if parsed is not None:
                self.allowed_addresses.add(parsed)

    def refusal(self, address: IPAddress | str) -> str | None:
        """Why a connection to `address` is refused ("loopback", …), or None if allowed.

        A text that is not an IP address is refused ("not an address"): the guard judges
        resolved addresses, never names.
        """
        if not self.enabled:
            return None
        parsed = parse_address(address) if isinstance(address, str) else unmapped(address)
        if parsed is None:
            return "not an address"
        kind = blocked_class(parsed)
        if kind is None or parsed in self.allowed_addresses:
            return None
        if any(parsed.version == net.version and parsed in net for net in self.allowed_networks):
            return None
        return kind

    def allows(self, address: IPAddress | str) -> bool:
        return self.refusal(address) is None
