"""DNS rebinding: the apps answer only to their own host names, and refuse cross-site posts.

A page a staff member opens can point `rebind.example` at 127.0.0.1 and then fetch the
password-less staff page; its requests still say `Host: rebind.example:7861`. The middleware is
tested on a small Starlette app, then on the served staff page and provider chat as
`inkoop serve` builds them (the attack from the security review: read an intern document,
call the Gradio API).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers_app import HOST, running_app, running_staff_page
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.hosts import (
    FOREIGN_HOST,
    FOREIGN_ORIGIN,
    allowed_hosts,
    host_guard,
    host_name,
    origin_host,
)
from ingest.models import INTERN, OPENBAAR

REBIND = "rebind.example:7861"
SECRET = "vertrouwelijk bedrag 7654321 euro"


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:7861", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:7861", "::1"),
        ("[::1]", "::1"),
        ("Rebind.Example:7861", "rebind.example"),
        ("rebind.example:", ""),  # malformed: never an allowed name
        ("127.0.0.1:78x", ""),
        ("[::1]x", ""),
        ("", ""),
    ],
)
def test_host_name_drops_port_brackets_and_case(header: str, name: str) -> None:
    assert host_name(header) == name


def test_origin_host() -> None:
    assert origin_host("http://rebind.example") == "rebind.example"
    assert origin_host("https://[::1]:7861") == "::1"
    assert origin_host("null") == ""
    assert origin_host("http://127.0.0.1/evil") == ""


def test_allowed_hosts_are_loopback_the_bind_name_and_the_configured_ones() -> None:
    loopback = {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts("127.0.0.1") == loopback
    assert allowed_hosts("0.0.0.0") == loopback  # every address names no host
    assert allowed_hosts("::") == loopback
    assert allowed_hosts("192.168.1.5") == loopback | {"192.168.1.5"}
    configured = allowed_hosts("0.0.0.0", " Inkoop.Example.nl, intern.example:443 ,")
    assert configured == loopback | {"inkoop.example.nl", "intern.example"}


def guarded(configured: str = "") -> TestClient:
    """A small app behind the guard, as if bound to 127.0.0.1."""

    async def ok(request: object) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("ok")
        await ws.close()

    app = Starlette(
        routes=[Route("/", ok, methods=["GET", "POST", "DELETE"]), WebSocketRoute("/ws", echo)],
        middleware=[host_guard("127.0.0.1", configured)],
    )
    return TestClient(app, base_url="http://127.0.0.1:7861")


@pytest.mark.parametrize("host", ["127.0.0.1:7861", "localhost:7861", "[::1]:7861", "localhost"])
def test_loopback_hosts_on_any_port_pass(host: str) -> None:
    with guarded() as client:
        assert client.get("/", headers={"Host": host}).text == "ok"
        assert client.post("/", headers={"Host": host}).text == "ok"  # gradio_client: no Origin


@pytest.mark.parametrize("host", [REBIND, "rebind.example", "127.0.0.1.rebind.example", ""])
def test_a_foreign_host_is_refused(host: str) -> None:
    with guarded() as client:
        for method in ("GET", "POST", "DELETE"):
            refused = client.request(method, "/", headers={"Host": host})
            assert (refused.status_code, refused.text) == (400, FOREIGN_HOST)


@pytest.mark.parametrize("origin", ["http://rebind.example", "http://rebind.example:7861", "null"])
def test_a_cross_origin_call_is_refused(origin: str) -> None:
    with guarded() as client:
        for method in ("POST", "DELETE", "GET"):  # a GET with an Origin is a script's fetch
            refused = client.request(method, "/", headers={"Origin": origin})
            assert (refused.status_code, refused.text) == (403, FOREIGN_ORIGIN)
        for own in ("http://127.0.0.1:7861", "http://localhost:5173", "https://[::1]"):
            assert client.post("/", headers={"Origin": own}).status_code == 200


def test_a_configured_host_passes() -> None:
    with guarded("inkoop.example.nl") as client:
        headers = {"Host": "inkoop.example.nl", "Origin": "https://inkoop.example.nl"}
        assert client.post("/", headers=headers).status_code == 200
        assert client.post("/", headers={"Origin": "https://inkoop.example.nl"}).status_code == 200
        assert client.get("/", headers={"Host": REBIND}).status_code == 400


def test_a_websocket_from_a_foreign_host_or_origin_is_refused() -> None:
    with guarded() as client:
        url = "ws://127.0.0.1:7861/ws"
        with client.websocket_connect(url, headers={"Origin": "http://127.0.0.1:7861"}) as ws:
            assert ws.receive_text() == "ok"
        for headers in ({"Host": REBIND}, {"Origin": "http://rebind.example"}):
            with pytest.raises(WebSocketDisconnect), client.websocket_connect(url, headers=headers):
                pass


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """An index with one intern and one openbaar note, allowing the name `inkoop.example.nl`."""
    root = tmp_path_factory.mktemp("hosts")
    for tier, text in ((INTERN, SECRET), (OPENBAAR, "openbare mededeling")):
        folder = root / tier
        folder.mkdir()
        (folder / f"{tier}-notitie.md").write_text(f"# Notitie\n\nHet {text}.\n", encoding="utf-8")
    settings = Settings(
        data_dir=root / "data", embedding_model="hashing", allowed_hosts="inkoop.example.nl"
    )
    a = Assistant(settings)
    for tier in (INTERN, OPENBAAR):
        assert a.ingest([root / tier], visibility=tier).indexed == 1
    return a


def doc_id(assistant: Assistant, tier: str) -> str:
    return next(d.doc_id for d in assistant.documents() if d.metadata["visibility"] == tier)


@pytest.fixture(scope="module")
def staff_url(assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The staff page without a password on loopback, as `make run` serves it."""
    from assistant.nvi.store import NviStore
    from assistant.nvi.workbench import Workbench, store_path

    data = Path(tmp_path_factory.mktemp("staff"))
    bench = Workbench(NviStore(store_path(data)), lambda: assistant)
    with running_staff_page(bench, data, assistant, "") as url:
        yield url.rstrip("/")


def test_a_rebinding_page_cannot_read_or_call_the_staff_page(
    assistant: Assistant, staff_url: str
) -> None:
    document = f"/dokument/{doc_id(assistant, INTERN)}"
    with httpx.Client(base_url=staff_url, timeout=10) as client:
        assert SECRET in client.get(document).text  # loopback, no password: staff may read
        port = staff_url.rsplit(":", 1)[-1]
        for host in (REBIND, f"rebind.example:{port}"):
            rebound = {"Host": host}
            for path in (document, "/config", "/gradio_api/info"):
                refused = client.get(path, headers=rebound)
                assert (refused.status_code, refused.text) == (400, FOREIGN_HOST), path
            call = client.post("/gradio_api/queue/join", json={}, headers=rebound)
            assert call.status_code == 400
        cross = client.post(
            "/gradio_api/queue/join", json={}, headers={"Origin": "http://rebind.example"}
        )
        assert (cross.status_code, cross.text) == (403, FOREIGN_ORIGIN)
        own = client.post("/gradio_api/queue/join", json={}, headers={"Origin": staff_url})
        assert own.status_code not in (400, 403)  # reaches Gradio (which rejects the body)
        configured = {"Host": "inkoop.example.nl"}
        assert SECRET in client.get(document, headers=configured).text
        # Gradio's CORS would let any origin read a host that is not localhost
        cors_read = client.get(document, headers={**configured, "Origin": "http://rebind.example"})
        assert cors_read.status_code == 403


def test_the_provider_app_answers_only_to_its_own_names(assistant: Assistant) -> None:
    document = f"/dokument/{doc_id(assistant, OPENBAAR)}"
    with running_app(assistant) as url, httpx.Client(base_url=url, timeout=10) as client:
        assert client.get(document).status_code == 200
        assert client.get(document, headers={"Host": f"{HOST}:1"}).status_code == 200
        assert client.get(document, headers={"Host": REBIND}).status_code == 400
        assert client.get("/config", headers={"Host": REBIND}).status_code == 400
        cross = client.post(
            "/gradio_api/run/ask", json={"data": ["x"]}, headers={"Origin": "http://rebind.example"}
        )
        assert cross.status_code == 403
