"""The client's address, as rate limits, login lockout, the login log and the audit trail see it.

Behind a reverse proxy (docs/operations.md's nginx) every connection comes from the proxy, so the client is
named in X-Forwarded-For. That header is only believed when the connection comes from an address listed in
`WANGHUA_TRUSTED_PROXIES`; anyone else could write any address into it and escape a lockout."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def parse_proxies(value: str) -> list[str]:
    """`WANGHUA_TRUSTED_PROXIES`: addresses or CIDR blocks separated by commas or spaces; a wrong entry stops
    the start-up (a typo must not silently trust nobody, or everybody)."""
    entries = [e for e in value.replace(",", " ").split() if e]
    for entry in entries:
        ipaddress.ip_network(entry, strict=False)
    return entries


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR, unless it is a trusted proxy: then the right-most X-Forwarded-For entry that is not itself
    a trusted proxy (entries left of it were written by the client and prove nothing)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    peer = _address(remote or "")
    if peer is None or not networks or not _trusted(peer, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            return remote  # a garbled chain: fall back to what we know, the proxy itself
        if not _trusted(address, networks):
            return str(address)
    return remote
