"""`POST /api/ask` on the provider app: the answer contract of `inkoop ask --json` as plain JSON.

For API clients: one request, one reply, no Gradio queue, session or event stream (through
Gradio's `ask` API a request cost ~100 ms more than its answer: README "Performance"). The
guarantees are those of Gradio's `ask` API: providers' documents only (openbaar), the question
cut to 1,000 characters (`question.read`), a refused question recorded in the NvI inbox with
the client's address for fairness (`ui.chat.answer_json`), sources by public name, never a
folder of the server (`documents.public`). The app's middleware (host guard, body limit) is in
front of it like every route. The answer runs on a thread pool of its own, off the event loop;
the reply says how long it waited for a thread and how long it took (`Server-Timing`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant.documents.public import public_answer
from assistant.prompts import ERROR_MESSAGE
from assistant.ui.chat import answer_json
from assistant.ui.clients import ClientInbox

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)

API_ASK = "/api/ask"

# Answering is mostly Python under one GIL (the embedding and Chroma's Rust part release it):
# on the 2-core box 2, 3 and 4 threads gave the same throughput within its noise (20 x 10 of
# `inkoop bench --load`: 25-34 requests/s each); 4 matches the Gradio queue's `CONCURRENCY`.
ANSWER_THREADS = 4

NOT_A_QUESTION = 'Stuur een JSON-object met een vraag: {"question": "..."}.'


def ask_route(
    assistant: Assistant, inbox: ClientInbox | None = None, threads: int = ANSWER_THREADS
) -> Route:
    """POST /api/ask: `{"question": "..."}` in, the answer contract out (400 for anything that
    is not such an object, 500 with a short Dutch message when answering fails)."""
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="api-ask")

    def answer(question: str, client: str, queued: float) -> tuple[dict[str, Any], float, float]:
        started = time.perf_counter()
        tell = None if inbox is None else (lambda q: inbox(q, client))
        data = public_answer(answer_json(assistant, question, tell), assistant)
        return data, started - queued, time.perf_counter() - started

    async def ask(request: Request) -> JSONResponse:
        question = question_of(await request.body())
        if question is None:
            return JSONResponse({"error": NOT_A_QUESTION}, status_code=400)
        client = request.client.host if request.client else ""
        loop = asyncio.get_running_loop()
        try:
            data, waited, took = await loop.run_in_executor(
                pool, answer, question, client, time.perf_counter()
            )
        except Exception:
            log.exception("answering %r via /api/ask failed", question[:200])
            return JSONResponse({"error": ERROR_MESSAGE}, status_code=500)
        timing = f"wait;dur={waited * 1000:.1f}, answer;dur={took * 1000:.1f}"
        return JSONResponse(data, headers={"Server-Timing": timing, "Cache-Control": "no-store"})

    return Route(API_ASK, ask, methods=["POST"])


def question_of(body: bytes) -> str | None:
    """The question of a request body `{"question": "..."}`; None when it is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("question"), str):
        return None
    return str(payload["question"])
