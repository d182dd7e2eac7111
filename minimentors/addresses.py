"""Where a request comes from.

Behind the documented TLS proxy every connection reaches Daphne from the proxy's address, and
the visitor's own address is in ``X-Forwarded-For``. Anyone can send that header, so it is
believed only when the connection itself comes from a proxy listed in ``TRUSTED_PROXIES``
(addresses or networks, e.g. ``127.0.0.1,10.0.0.0/8``). Without the setting the header is
ignored and the connection's address is the visitor's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted_proxy(address: str, proxies: Iterable[str] | None = None) -> bool:
    """Whether ``address`` is one of the configured proxies (``TRUSTED_PROXIES``)."""
    entries = tuple(settings.TRUSTED_PROXIES if proxies is None else proxies)
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in _networks(entries))


def client_address(request: HttpRequest) -> str:
    """The visitor's address: the connection's own, unless that is a trusted proxy; then the
    nearest address in ``X-Forwarded-For`` (read from the right) that is not a trusted proxy.
    A malformed entry stops the walk at the last address we could trust. Never empty."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    address = remote
    if not is_trusted_proxy(remote):
        return address or "unknown"
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        parsed = _parse(hop)
        if parsed is None:
            break
        address = str(parsed)
        if not is_trusted_proxy(address):
            break
    return address or "unknown"


def axes_client_address(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: django-axes uses the same rule. Axes stores the address
    in an IP address column (``inet`` on PostgreSQL), so anything that is not an address (no
    connection address at all, a Unix socket) is ``None``."""
    parsed = _parse(client_address(request))
    return str(parsed) if parsed is not None else None
