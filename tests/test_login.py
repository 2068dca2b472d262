"""The staff page's login: nothing of the staff API before it (issue 23, finding 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from helpers_app import running_staff_page

from assistant.nvi.store import NviStore
from assistant.nvi.workbench import Workbench, store_path
from assistant.ui.login import without_api

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
