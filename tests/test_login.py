"""The staff page's login: a back-off on failed logins per client and name (issue 23,
finding 6) and nothing of the staff API before login (finding 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from helpers_app import HOST, running_staff_page, serving

from assistant.nvi.store import NviStore
from assistant.nvi.workbench import Workbench, store_path
from assistant.ui.login import LoginBackoff, login_keys, without_api

PASSWORD = "geheim"


def embedded_api(page: str) -> dict[str, Any]:
    """The API schema a Gradio page carries in `window.gradio_api_info`."""
    found = re.search(r"gradio_api_info = ", page)
    assert found, "the page no longer embeds gradio_api_info: check ui/login.py"
    info, _ = json.JSONDecoder().raw_decode(page, found.end())
    return dict(info)


def bench(tmp_path: Path) -> Workbench:
    return Workbench(NviStore(store_path(tmp_path)), lambda: None)


def test_the_login_page_embeds_none_of_the_staff_api(tmp_path: Path) -> None:
    with (
        running_staff_page(bench(tmp_path), tmp_path, None, PASSWORD) as url,
        httpx.Client(base_url=url, timeout=20) as client,
    ):
        assert client.get("/gradio_api/info").status_code == 401
        # Before: the login page held all of it (30 endpoints with their parameter names).
        for path in ("/", "/gradio_api/runs", "/?page=x"):
            page = client.get(path).text
            assert embedded_api(page) == {"named_endpoints": {}, "unnamed_endpoints": {}}, path
            assert "fill_name" not in page and "parameter_name" not in page, path

        client.post("/login", data={"username": "Anna", "password": PASSWORD})
        after = embedded_api(client.get("/").text)  # logged in: the page is whole again
        assert len(after["named_endpoints"]) >= 20 and "/fill_name" in after["named_endpoints"]
        assert (
            after["named_endpoints"].keys()
            == client.get("/gradio_api/info").json()["named_endpoints"].keys()
        )


def test_the_schema_is_cut_where_its_json_ends() -> None:
    tricky = {"named_endpoints": {"/x": {"label": "a }; b \\u003c/script\\u003e"}}}
    page = f"<script>window.gradio_api_info = {json.dumps(tricky)};</script><p>rest</p>"
    assert without_api(page.encode()).decode() == (
        '<script>window.gradio_api_info = {"named_endpoints": {}, "unnamed_endpoints": {}};'
        "</script><p>rest</p>"
    )
    assert without_api(b"<p>no schema</p>") == b"<p>no schema</p>"
    assert b'named_endpoints": {"/x' not in without_api(b"gradio_api_info = {broken")


class StoppedClock:
    """A clock that moves only when the test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_logins_back_off_per_key_and_a_success_clears_them() -> None:
    clock = StoppedClock()
    backoff = LoginBackoff(free=3, first=1.0, longest=8.0, forget=60.0, clock=clock)
    anna = login_keys("10.0.0.1", "Anna")
    assert [backoff.attempt(anna) for _ in range(3)] == [0.0, 0.0, 0.0]  # free tries
    assert backoff.attempt(anna) == 1.0  # the 4th waits; a refused try is not counted
    assert backoff.attempt(login_keys("10.0.0.1", "Bob")) == 1.0  # the same client
    assert backoff.attempt(login_keys("10.0.0.2", " ANNA ")) == 1.0  # the same name
    assert backoff.attempt(login_keys("10.0.0.2", "Bob")) == 0.0  # another client and name
    waits = []
    for _ in range(6):
        clock.now += backoff.attempt(anna) or 0.0
        assert backoff.attempt(anna) == 0.0
        waits.append(backoff.attempt(anna))
    assert waits == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0]  # doubling up to `longest`
    clock.now += 8.0
    assert backoff.attempt(anna) == 0.0
    backoff.succeeded(anna)  # the right password: both counts cleared
    assert [backoff.attempt(anna) for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 61.0  # an hour (here a minute) without a try forgets the failures
    assert [backoff.attempt(anna) for _ in range(3)] == [0.0, 0.0, 0.0]


def test_the_backoff_holds_a_bounded_number_of_keys() -> None:
    backoff = LoginBackoff(free=1, max_keys=10, clock=StoppedClock())
    for i in range(100):
        backoff.attempt([f"client 10.0.0.{i}"])
    assert backoff.attempt(["client 10.0.0.99"]) > 0  # the latest are kept
    assert backoff.attempt(["client 10.0.0.0"]) == 0.0  # the oldest gave way


def test_the_staff_login_backs_off_after_five_failures(tmp_path: Path) -> None:
    from assistant.ui.staff_launch import staff_auth, staff_page

    clock = StoppedClock()
    app, options = staff_page(
        bench(tmp_path), tmp_path, None, host=HOST, backoff=LoginBackoff(clock=clock)
    )
    with (
        serving(app, auth=staff_auth(HOST, PASSWORD), **options) as url,
        httpx.Client(base_url=url, timeout=20) as client,
    ):

        def log_in(name: str, password: str) -> httpx.Response:
            return client.post("/login", data={"username": name, "password": password})

        # Before: every try was checked (~500 a second). Now five, then a back-off, whatever
        # the name; a try during it is refused unchecked, the right password too.
        tries = [log_in(f"naam{i}", "fout") for i in range(50)]
        assert [r.status_code for r in tries] == [400] * 5 + [429] * 45
        assert tries[5].headers["Retry-After"] == "1"
        assert "Te veel mislukte pogingen" in tries[5].json()["detail"]
        assert log_in("Anna", PASSWORD).status_code == 429
        clock.now += 1.0
        assert log_in("Anna", PASSWORD).status_code == 200  # after the wait: in, and cleared
        assert [log_in("Anna", "fout").status_code for _ in range(6)] == [400] * 5 + [429]
