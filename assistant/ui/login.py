"""The staff page's login: who is logged in, and nothing of the staff API before it.

Gradio answers `/gradio_api/info` with 401 before login, but renders its login page (and
`/gradio_api/runs`) with the whole API schema in `window.gradio_api_info`: every endpoint of
the staff page with its parameter names. `HideApiBeforeLogin` empties that schema in any page
served to a client that is not logged in; after login the page is rendered again, whole.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

API_INFO = "gradio_api_info = "
NO_API = '{"named_endpoints": {}, "unnamed_endpoints": {}}'


def logged_in(request: Request) -> bool:
    """Whether the request carries the Gradio login of the app it reached (any login when the
    app has none, as on loopback without a password)."""
    app: Any = request.app
    if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
        return True
    cookie_id = getattr(app, "cookie_id", "")
    token = request.cookies.get(f"access-token-{cookie_id}") or request.cookies.get(
        f"access-token-unsecure-{cookie_id}"
    )
    return bool(token) and token in getattr(app, "tokens", {})


def without_api(page: bytes) -> bytes:
    """`page` with the API schema Gradio embeds (`gradio_api_info = {...}`) made empty."""
    text = page.decode("utf-8", errors="replace")
    at = text.find(API_INFO)
    if at < 0:
        return page
    start = at + len(API_INFO)
    try:  # Gradio writes it as JSON with <, >, & and ' escaped: it ends where the JSON ends
        _, end = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        log.warning("could not read the API schema in a page; the page is refused")
        return b"Deze pagina kan niet worden getoond."
    return (text[:start] + NO_API + text[end:]).encode("utf-8")


class HideApiBeforeLogin:
    """ASGI middleware: an HTML page served to a client that is not logged in carries no API
    schema (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or logged_in(Request(scope)):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def hold_pages(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = MutableHeaders(raw=message["headers"]).get("content-type", "")
                if content_type.startswith("text/html"):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = without_api(b"".join(body))
                headers = MutableHeaders(raw=start["headers"])
                headers["content-length"] = str(len(page))
                await send(start)
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, hold_pages)
