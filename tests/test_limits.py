"""Bounded requests (security issue 23, finding 3): a body over the limit is refused before it
is read, and Gradio sessions whose results nobody fetches expire.

The review posted ten 50 MB "questions" to `/gradio_api/call/ask` without fetching the results
and watched the server grow from 1.26 to 1.74 GB, never released. The middleware is tested on a
small Starlette app, then on the served provider app with RSS measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers_app import HOST, running_app, serving
from helpers_net import wait_for
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui import limits
from assistant.ui.limits import PROVIDER_BODY, TOO_LARGE, BodyLimit
from assistant.ui.provider import build_app
from assistant.ui.render import launch_options
from ingest.models import OPENBAAR

MB = 1024 * 1024


def rss_mb() -> float:
    """This process's resident memory (the served app runs in it) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status")


def limited() -> tuple[TestClient, list[int]]:
    """A small app behind a 1 KiB limit (64 KiB on its upload route) that records the size
    of every body it read."""
    read: list[int] = []

    async def echo(request: Request) -> PlainTextResponse:
        read.append(len(await request.body()))
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/ask", echo, methods=["POST"]), Route("/upload", echo, methods=["POST"])]
    )
    return TestClient(BodyLimit(app, limit=1024, upload_limit=64 * 1024)), read


def test_a_body_over_the_limit_is_refused_before_it_is_read() -> None:
    client, read = limited()
    assert client.post("/ask", content=b"x" * 1024).text == "ok"
    refused = client.post("/ask", content=b"x" * 5000)
    assert (refused.status_code, refused.text) == (413, TOO_LARGE)
    assert read == [1024]  # the app never saw the large body


def test_a_chunked_body_is_counted_as_it_arrives() -> None:
    client, read = limited()

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 512

    refused = client.post("/ask", content=chunks())  # no Content-Length: chunked
    assert refused.status_code == 413
    assert read == []


def test_the_upload_route_has_its_own_limit() -> None:
    client, read = limited()
    assert client.post("/upload", content=b"x" * 60_000).text == "ok"
    assert client.post("/upload", content=b"x" * 70_000).status_code == 413
    assert read == [60_000]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("limits")
    (root / "docs").mkdir()
    (root / "docs" / "budget.md").write_text("# Budget\n\nHet budget is 5 euro.\n")
    a = Assistant(Settings(data_dir=root / "data", embedding_model="hashing"))
    assert a.ingest([root / "docs"], visibility=OPENBAAR).indexed == 1
    return a


def test_large_unfetched_api_calls_do_not_grow_the_server(assistant: Assistant) -> None:
    body = b'{"data": ["' + b"x" * (50 * MB) + b'"]}'
    with running_app(assistant) as url, httpx.Client(base_url=url, timeout=60) as client:
        before = rss_mb()
        for _ in range(10):
            try:
                answer = client.post(
                    "/gradio_api/call/ask",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
            except httpx.TransportError:  # the server may close before all 50 MB are sent
                continue
            assert answer.status_code == 413
        grown = rss_mb() - before
    assert grown < 50, f"the server grew {grown:.0f} MiB after ten 50 MB posts"


def test_results_nobody_fetches_expire(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "SWEEP_EVERY_S", 0.0)  # sweep on every request
    app = build_app(assistant)
    question = "x" * (PROVIDER_BODY // 2)  # under the limit, cut to 1,000 characters to answer
    with (
        serving(app, **launch_options(assistant, host=HOST)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        events = []
        for _ in range(20):
            posted = client.post("/gradio_api/call/ask", json={"data": [question]})
            assert posted.status_code == 200
            events.append(posted.json()["event_id"])
        fetched = client.get(f"/gradio_api/call/ask/{events[-1]}")
        assert "event: complete" in fetched.text
        held = app.server_app.state_holder.session_data
        assert len(set(events) & set(held)) >= 19  # a session per call, with its 64 KiB input
        monkeypatch.setattr(limits, "SESSION_IDLE_S", 0)  # as if ten minutes went by
        def swept() -> bool:  # a request sweeps; the last call may still be closing
            client.get("/config")
            return not set(events) & set(held)

        wait_for(swept, "unfetched sessions expired")
        assert not set(events) & set(app._queue.pending_messages_per_session)
