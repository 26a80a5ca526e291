"""The address guard's policy and resolver, with a fake name service (no packet is sent)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver
from zope.interface import implementer

from crawler.addresses import AddressGuardError, AddressPolicy, blocked_class, parse_networks
from crawler.resolver import GuardedResolver


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "private"),  # reserved, and Python counts it private too
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("93.184.216.34", None),
        ("2606:2800:220:1:248:1893:25c8:1946", None),
        ("::ffff:93.184.216.34", None),
    ],
)
def test_blocked_class(address: str, kind: str | None) -> None:
    assert blocked_class(ipaddress.ip_address(address)) == kind


def test_policy_exceptions() -> None:
    policy = AddressPolicy(allowed_networks=parse_networks(["10.1.0.0/16", "fd00::/8"]))
    policy.allow_addresses(["127.0.0.2"])
    assert policy.allows("10.1.2.3")
    assert not policy.allows("10.2.0.1")
    assert policy.allows("fd00::5")
    assert policy.allows("127.0.0.2")
    assert policy.allows("::ffff:127.0.0.2")
    assert policy.refusal("127.0.0.1") == "loopback"
    assert policy.refusal("[::1]") == "loopback"
    assert policy.refusal("example.org") == "not an address"
    assert AddressPolicy(enabled=False).allows("127.0.0.1")
    with pytest.raises(AddressGuardError):
        parse_networks(["not-a-net"])


@implementer(IHostnameResolver)
class FakeNames:
    """A name service answering from a dict, synchronously; counts lookups."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.lookups = 0

    def resolveHostName(
        self,
        receiver: Any,
        name: str,
        portNumber: int = 0,
        addressTypes: object = None,
        semantics: str = "TCP",
    ) -> None:
        self.lookups += 1
        receiver.resolutionBegan(None)
        for text in self.names.get(name, []):
            kind = IPv6Address if ":" in text else IPv4Address
            receiver.addressResolved(kind("TCP", text, portNumber))
        receiver.resolutionComplete()


class Receiver:
    def __init__(self) -> None:
        self.addresses: list[tuple[str, int]] = []
        self.complete = False

    def resolutionBegan(self, resolution: object) -> None:
        pass

    def addressResolved(self, address: IPv4Address | IPv6Address) -> None:
        self.addresses.append((address.host, address.port))

    def resolutionComplete(self) -> None:
        self.complete = True


def _resolve(resolver: GuardedResolver, name: str, port: int = 80) -> list[tuple[str, int]]:
    receiver = Receiver()
    resolver.resolveHostName(receiver, name, port)
    assert receiver.complete
    return receiver.addresses


def test_resolver_hands_over_allowed_addresses_only() -> None:
    names = FakeNames(
        {
            "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
            "mixed.example": ["93.184.216.34", "10.0.0.1"],
            "metadata.example": ["169.254.169.254"],
            "mapped.example": ["::ffff:10.0.0.1"],
            "intranet.example": ["10.1.0.7"],
        }
    )
    policy = AddressPolicy(allowed_networks=parse_networks(["10.1.0.0/16"]))
    resolver = GuardedResolver(reactor=None, cache_size=100, policy=policy, original=names)
    assert _resolve(resolver, "public.example", 8080) == [
        ("93.184.216.34", 8080),
        ("2606:2800:220:1:248:1893:25c8:1946", 8080),
    ]
    assert _resolve(resolver, "mixed.example") == [("93.184.216.34", 80)]
    assert resolver.refused["mixed.example"] == [("10.0.0.1", "private")]
    assert _resolve(resolver, "metadata.example") == []
    assert resolver.refused["metadata.example"] == [("169.254.169.254", "link-local")]
    assert _resolve(resolver, "mapped.example") == []
    assert _resolve(resolver, "intranet.example") == [("10.1.0.7", 80)]
    assert _resolve(resolver, "unknown.example") == []


def test_rebinding_cannot_pass() -> None:
    """A name that answers a public address first and a loopback one later is judged on
    what it resolves to at connection time."""
    names = FakeNames({"rebind.example": ["93.184.216.34"]})
    resolver = GuardedResolver(None, cache_size=0, policy=AddressPolicy(), original=names)
    assert _resolve(resolver, "rebind.example") == [("93.184.216.34", 80)]
    names.names["rebind.example"] = ["127.0.0.1"]
    assert _resolve(resolver, "rebind.example") == []
    assert names.lookups == 2


def test_start_addresses_allowed_later_apply_to_cached_names() -> None:
    names = FakeNames({"local.test": ["127.0.0.1", "::1"]})
    policy = AddressPolicy()
    resolver = GuardedResolver(None, cache_size=10, policy=policy, original=names)
    assert _resolve(resolver, "local.test") == []
    policy.allow_addresses(["127.0.0.1"])
    assert _resolve(resolver, "local.test") == [("127.0.0.1", 80)]
    assert names.lookups == 1  # cached, judged again
