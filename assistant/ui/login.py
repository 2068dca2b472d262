"""The staff page's login: who is logged in, a back-off on failed logins, and nothing of the
staff API before login.

Gradio's `/login` checks every try at once (about 500 a second against the shared password).
`LoginThrottle` counts each try against the client's address and against the name given:
after `LoginBackoff.free` failures in a row, the next try must wait 1 s, then 2, 4, ... up to
10 minutes; a try that comes too early gets 429 without its password being checked, a
successful login clears both counts. The name is free (it only labels the history), so the
address is the real brake; the name slows guesses spread over many addresses under one name.

Gradio answers `/gradio_api/info` with 401 before login, but renders its login page (and
`/gradio_api/runs`) with the whole API schema in `window.gradio_api_info`: every endpoint of
the staff page with its parameter names. `HideApiBeforeLogin` empties that schema in any page
served to a client that is not logged in; after login the page is rendered again, whole.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

LOGIN_WAIT = (
    "Te veel mislukte pogingen om in te loggen. Probeer het over {seconds} seconden opnieuw."
)

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


@dataclass
class _Failures:
    count: int
    last: float


class LoginBackoff:
    """Failed logins per key (a client address, a name), in memory: after `free` failures in
    a row a key waits `first` seconds before its next try, doubling with each further failure
    up to `longest`; a success clears it, `forget` seconds without a try forget it."""

    def __init__(
        self,
        free: int = 5,
        first: float = 1.0,
        longest: float = 600.0,
        forget: float = 3600.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.first, self.longest = free, first, longest
        self.forget, self.max_keys, self.clock = forget, max_keys, clock
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def delay(self, failures: int) -> float:
        """How long a key with `failures` failures in a row waits before its next try."""
        if failures < self.free:
            return 0.0
        return min(self.first * 2.0 ** (failures - self.free), self.longest)

    def attempt(self, keys: Iterable[str]) -> float:
        """0 when a try may go ahead, counted as a failure until `succeeded`; else the seconds
        left to wait, and the try is not counted."""
        keys = list(keys)
        with self._lock:
            now = self.clock()
            self._prune(now)
            wait = max((self._left(key, now) for key in keys), default=0.0)
            if wait > 0:
                return wait
            for key in keys:
                known = self._failures.pop(key, None)  # re-inserted: the dict stays in try order
                self._failures[key] = _Failures((known.count if known else 0) + 1, now)
            return 0.0

    def succeeded(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _left(self, key: str, now: float) -> float:
        known = self._failures.get(key)
        return max(known.last + self.delay(known.count) - now, 0.0) if known else 0.0

    def _prune(self, now: float) -> None:
        for key in [k for k, f in self._failures.items() if now - f.last > self.forget]:
            del self._failures[key]
        while len(self._failures) >= self.max_keys:  # the key tried longest ago goes first
            del self._failures[next(iter(self._failures))]


def login_keys(client: str, name: str) -> list[str]:
    """What a login try counts against: its client's address and the name given."""
    return [f"client {client}", f"name {' '.join(name.split()).casefold()}"]


class LoginThrottle:
    """ASGI middleware: Gradio's `POST /login` under a `LoginBackoff` (see the module
    docstring)."""

    def __init__(self, app: ASGIApp, backoff: LoginBackoff) -> None:
        self.app = app
        self.backoff = backoff

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not str(scope.get("path", "")).rstrip("/").endswith("/login")
        ):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break

        def replay() -> Receive:
            """`receive` again: the body read above, then what the client sends next."""
            sent = False

            async def again() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            return again

        try:
            name = str((await Request(scope, replay()).form()).get("username") or "")
        except Exception:  # a malformed form: Gradio answers it; it counts as a try
            name = ""
        client = scope.get("client")
        keys = login_keys(str(client[0]) if client else "", name)
        wait = self.backoff.attempt(keys)
        if wait > 0:
            seconds = math.ceil(wait)
            refusal = JSONResponse(
                {"detail": LOGIN_WAIT.format(seconds=seconds)},
                status_code=429,
                headers={"Retry-After": str(seconds)},
            )
            await refusal(scope, replay(), send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                self.backoff.succeeded(keys)
            await send(message)

        await self.app(scope, replay(), watch)
