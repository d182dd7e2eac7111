"""Which pages may open our websockets: our own origin, compared whole.

An origin is a scheme, a host and a port. Channels' ``AllowedHostsOriginValidator`` compares
only the host against ``ALLOWED_HOSTS``, so a page on ``http://localhost:9999`` (any other
program on the machine) could open a socket with a child's cookie. Here a socket's Origin must
be either

- the site's own origin: the scheme it was reached by (``wss`` or, behind the proxy, the
  ``SECURE_PROXY_SSL_HEADER`` says https), the ``Host`` header (whose host must be in
  ``ALLOWED_HOSTS``) and its port; or
- one of ``CSRF_TRUSTED_ORIGINS`` (the public origin behind a proxy), port included.

Anything else is denied at the handshake (HTTP 403), before any member is looked up.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def parse_origin(value: str) -> Origin | None:
    """``(scheme, host, port)`` of an http(s) origin, ports filled in; None if malformed."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host or parts.path not in ("", "/"):
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def _trusted(origin: Origin) -> bool:
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        pattern = parse_origin(entry.replace("://*.", "://wildcard."))
        if pattern is None:
            continue
        scheme, host, port = pattern
        if (scheme, port) != origin[:1] + origin[2:]:
            continue
        if "://*." in entry:
            suffix = host.removeprefix("wildcard")
            if origin[1].endswith(suffix):
                return True
        elif host == origin[1]:
            return True
    return False


def _own_origin(headers: dict[bytes, bytes], scheme: str) -> Origin | None:
    host = headers.get(b"host", b"").decode("latin-1")
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    secure = scheme == "wss"
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        secure = secure or headers.get(header, b"").decode("latin-1") == value
    own = parse_origin(f"{'https' if secure else 'http'}://{host}") if host else None
    if own is None or not validate_host(own[1], settings.ALLOWED_HOSTS):
        return None
    return own


def websocket_origin_allowed(scope: dict[str, Any]) -> bool:
    """Whether the socket's Origin is the site's own origin or a trusted one (see above)."""
    headers = dict(scope.get("headers", []))
    origin = parse_origin(headers.get(b"origin", b"").decode("latin-1"))
    if origin is None:
        return False
    return _trusted(origin) or origin == _own_origin(headers, scope.get("scheme", "ws"))


class SameOriginValidator:
    """ASGI middleware for websockets: deny a socket whose Origin is not ours."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if not websocket_origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
