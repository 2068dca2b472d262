"""Which host names the apps answer to: a guard against DNS rebinding and cross-site calls.

A web page a staff member opens can point its own name at 127.0.0.1 (DNS rebinding) and then
read, list and publish what the password-less loopback staff page shows. Its requests still
carry the page's name in `Host`, so both apps answer only to loopback names, the name they are
bound to (unless that is every address) and the names configured in `INKOOP_ALLOWED_HOSTS`, on
any port: anything else gets 400. A request whose `Origin` names another host gets 403: a
foreign page can neither post to the right name (a state-changing call always carries its
Origin) nor read an answer through Gradio's CORS, which grants any origin on a host that is not
localhost (a page opens a document by navigating to it, which sends no Origin).
"""

from __future__ import annotations

import logging

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
EVERY_ADDRESS = ("0.0.0.0", "::", "")  # bind addresses that name no host of their own

FOREIGN_HOST = "Deze hostnaam hoort niet bij deze server."
FOREIGN_ORIGIN = "Een verzoek vanaf een andere website wordt geweigerd."


def allowed_hosts(bound: str, configured: str = "") -> frozenset[str]:
    """The host names an app bound to `bound` answers to: loopback, `bound` itself unless it
    is every address, and `configured` (comma-separated, as in `INKOOP_ALLOWED_HOSTS`)."""
    names = [*configured.split(","), *([] if bound in EVERY_ADDRESS else [bound])]
    return frozenset(LOOPBACK) | {host_name(n) for n in names} - {""}


def host_name(authority: str) -> str:
    """The lower-case host in a `Host` header (or an origin's authority), without port or IPv6
    brackets; "" when it is malformed."""
    value = authority.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        return name if bracket and (not rest or valid_port(rest)) else ""
    name, colon, port = value.partition(":")
    return name if not colon or port.isdigit() else ""


def valid_port(suffix: str) -> bool:
    return suffix.startswith(":") and suffix[1:].isdigit()


def origin_host(origin: str) -> str:
    """The host an `Origin` header names; "" for `null` or anything that is not an origin."""
    _scheme, sep, authority = origin.partition("://")
    return host_name(authority) if sep and "/" not in authority else ""


class TrustedHosts:
    """ASGI middleware: a request (or websocket) whose `Host` is not in `hosts` gets 400, one
    whose `Origin` names a host not in `hosts` gets 403."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            log.warning(
                "refused a request for host %r: add it to INKOOP_ALLOWED_HOSTS if it is ours",
                host[:100],
            )
            await self.refuse(scope, receive, send, 400, FOREIGN_HOST)
            return
        origin = headers.get("origin")
        if origin is not None and origin_host(origin) not in self.hosts:
            log.warning("refused a request from origin %r", origin[:100])
            await self.refuse(scope, receive, send, 403, FOREIGN_ORIGIN)
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def refuse(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
        if scope["type"] == "websocket":  # closing before the handshake refuses it (HTTP 403)
            await send({"type": "websocket.close", "code": 1008})
            return
        await PlainTextResponse(text, status_code=status)(scope, receive, send)


def host_guard(bound: str, configured: str = "") -> Middleware:
    """The `TrustedHosts` middleware of an app bound to `bound` (see `allowed_hosts`)."""
    return Middleware(TrustedHosts, hosts=allowed_hosts(bound, configured))
