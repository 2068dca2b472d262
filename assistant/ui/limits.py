"""Bounded requests: a body-size limit in front of both apps, and Gradio sessions that expire.

Without a limit a client could post a 50 MB "question" to `/gradio_api/call/ask` and never
fetch the result: Gradio keeps every API call's inputs in the session state it makes for that
call (up to 10,000 sessions), so ten such posts held ~500 MB for good. Now a body over the
app's limit is refused with 413 before it is read (by its `Content-Length`, or by counting a
chunked body as it arrives: Starlette's `RequestBodyLimitMiddleware`), and a session that has
been idle for `SESSION_IDLE_S` and has no open browser tab is dropped with its unfetched
results. Gradio has no setting for that expiry (only a session count, `state_session_capacity`,
which we lower too), so `SessionExpiry` sweeps its session store at most once a minute, on a
request.
"""

from __future__ import annotations

import datetime
import logging
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

# A question is at most 1,000 characters, but the chat sends its whole conversation with every
# message: 128 KiB holds about fifty answered questions.
PROVIDER_BODY = 128 * 1024
# The staff page's forms (an answer, a table of questions) are small; files go to its upload
# route, which takes the files of one upload together: five at the 200 MB each that
# `staff_launch.MAX_UPLOAD` allows.
STAFF_BODY = 16 * 1024 * 1024
STAFF_UPLOAD = 5 * 200 * 1024 * 1024

SESSION_IDLE_S = 600  # an API session (or a closed tab) unused this long is dropped
SESSION_CAPACITY = 1000  # Gradio keeps this many sessions at most (its default: 10,000)
SWEEP_EVERY_S = 60.0

TOO_LARGE = "Dit verzoek is te groot."


class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes (`upload_limit` on an upload route)
    gets 413; by its `Content-Length` before anything is read, else when the count passes it."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = limit if upload_limit is None else upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = str(scope.get("path", "")).rstrip("/").lower().endswith("/upload")
        limit = self.upload_limit if upload else self.limit
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            log.warning("refused a request body of %s bytes (limit %d)", declared, limit)
            refusal = PlainTextResponse(TOO_LARGE, status_code=413, headers={"Connection": "close"})
            await refusal(scope, receive, send)
            return
        await RequestBodyLimitMiddleware(self.app, limit)(scope, receive, send)


class SessionExpiry:
    """ASGI middleware: keeps Gradio's session store bounded. At most `SESSION_CAPACITY`
    sessions, and on a request (at most every `SWEEP_EVERY_S`) every session idle for
    `SESSION_IDLE_S` is dropped with its pending results, unless a browser tab holds it open (its
    heartbeat request is still running) or one of its calls is still queued or running."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.open_tabs: dict[str, int] = {}
        self.last_sweep = float("-inf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        if now - self.last_sweep >= SWEEP_EVERY_S:
            self.last_sweep = now
            try:
                sweep(scope.get("app"), SESSION_IDLE_S, set(self.open_tabs))
            except Exception:  # a changed Gradio must not take the app down; it is logged
                log.exception("could not expire idle Gradio sessions")
        path = str(scope.get("path", ""))
        if "/heartbeat/" not in path:
            await self.app(scope, receive, send)
            return
        session = path.rstrip("/").rsplit("/", 1)[-1]
        self.open_tabs[session] = self.open_tabs.get(session, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open_tabs[session] -= 1
            if not self.open_tabs[session]:
                del self.open_tabs[session]


def sweep(app: Any, idle_s: float, open_tabs: set[str]) -> int:
    """Drop the Gradio sessions of `app` unused for `idle_s` seconds that no open tab and no
    queued or running call holds; caps the session store at `SESSION_CAPACITY`. Returns how
    many were dropped."""
    holder = getattr(app, "state_holder", None)
    blocks = app.get_blocks() if holder is not None else None
    queue = getattr(blocks, "_queue", None)
    if holder is None or queue is None:
        return 0
    holder.capacity = min(holder.capacity, SESSION_CAPACITY)
    queue.pending_messages_per_session.max_size = SESSION_CAPACITY
    live = {event.session_hash for event in list(queue.event_ids_to_events.values())}
    cutoff = datetime.datetime.now() - datetime.timedelta(seconds=idle_s)
    idle = [
        session
        for session, used in list(holder.time_last_used.items())
        if used <= cutoff and session not in live and session not in open_tabs
    ]
    with holder.lock:
        for session in idle:
            holder.session_data.pop(session, None)
            holder.time_last_used.pop(session, None)
            queue.pending_messages_per_session.pop(session, None)
            queue.pending_event_ids_session.pop(session, None)
    if idle:
        log.info("dropped %d idle Gradio sessions", len(idle))
    return len(idle)


def bounded(limit: int, upload_limit: int | None = None) -> list[Middleware]:
    """The middleware that bounds an app's requests: its body limit and session expiry."""
    return [
        Middleware(BodyLimit, limit=limit, upload_limit=upload_limit),
        Middleware(SessionExpiry),
    ]
