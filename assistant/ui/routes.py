"""HTTP routes beside Gradio's: documents served by id, no uploads on the provider app, and
only the apps' own host names on both (`ui.hosts`).

Both apps serve an indexed document at `/dokument/<doc_id>` (`documents.DOCUMENT_ROUTE`), only
to an audience that may read it (the provider app: openbaar documents; the staff page: all,
after its login), looked up at request time, so a link never names a folder on the server and
a document published or removed a moment ago is served or refused at once. A file from a ZIP
is served alone (`ingest.archives.member_at`), never the whole package.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.documents.served import DOCUMENT_ROUTE, SERVED_TYPES, document_bytes, readable
from assistant.ui.api import ask_route
from assistant.ui.clients import ClientInbox
from assistant.ui.hosts import host_guard
from assistant.ui.limits import PROVIDER_BODY, STAFF_BODY, STAFF_UPLOAD, bounded
from assistant.ui.login import HideApiBeforeLogin, LoginBackoff, LoginThrottle, logged_in
from index.filters import AANBIEDER

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)


class BlockUploads:
    """ASGI middleware: Gradio's upload route answers 403 (an app without upload component
    must not store what anonymous clients send)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).rstrip("/").lower().endswith(
            "/upload"
        ):
            await PlainTextResponse("Uploaden kan hier niet.", status_code=403)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


def document_route(assistant: Assistant, audience: str, login: bool = False) -> Route:
    """GET /dokument/<doc_id>: the document's bytes, inline, for `audience`."""

    async def serve(request: Request) -> Response:
        if login and not logged_in(request):
            return PlainTextResponse("Niet ingelogd.", status_code=401)
        doc_id = str(request.path_params["doc_id"])
        record = await run_in_threadpool(readable, assistant, doc_id, audience)
        if record is None:
            return PlainTextResponse("Dit document is er niet.", status_code=404)
        try:
            data = await run_in_threadpool(document_bytes, record)
        except (OSError, KeyError, ValueError):
            log.exception("serving %s failed", record.source)
            return PlainTextResponse("Dit document is er niet.", status_code=404)
        name = record.source.rsplit("/", 1)[-1]
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        headers = {
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
        if suffix != ".pdf":  # a browser's PDF viewer does not run in a sandboxed document
            headers["Content-Security-Policy"] = "sandbox"
        return Response(data, media_type=SERVED_TYPES[suffix], headers=headers)

    return Route(DOCUMENT_ROUTE + "{doc_id}", serve, methods=["GET", "HEAD"])


def provider_app_kwargs(
    assistant: Assistant, host: str, inbox: ClientInbox | None = None
) -> dict[str, Any]:
    """FastAPI arguments of the provider app bound to `host`: only its own host names
    (`ui.hosts`), bounded requests (`ui.limits`), documents by id, uploads refused, and
    `POST /api/ask` (`ui.api`; its refused questions go to `inbox`)."""
    return {
        "routes": [document_route(assistant, AANBIEDER), ask_route(assistant, inbox)],
        "middleware": [
            host_guard(host, assistant.settings.allowed_hosts),
            *bounded(PROVIDER_BODY),
            Middleware(BlockUploads),
        ],
    }


def staff_app_kwargs(
    assistant: Assistant | None, audience: str, host: str, backoff: LoginBackoff | None = None
) -> dict[str, Any]:
    """FastAPI arguments of the staff page bound to `host`: only its own host names
    (`ui.hosts`: a rebinding page cannot reach the password-less loopback page), bounded
    requests (`ui.limits`), documents by id, after its login, a back-off on failed logins
    (`backoff`, a fresh one when not given) and nothing of its API before login (`ui.login`)."""
    configured = assistant.settings.allowed_hosts if assistant else ""
    return {
        "routes": [document_route(assistant, audience, login=True)] if assistant else [],
        "middleware": [
            host_guard(host, configured),
            *bounded(STAFF_BODY, STAFF_UPLOAD),
            Middleware(LoginThrottle, backoff=backoff or LoginBackoff()),
            Middleware(HideApiBeforeLogin),
        ],
    }
