"""Chroma server mode: INKOOP_CHROMA_URL makes every command use a `chroma run` server."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LETTERS
from helpers_net import running_chroma_server

from assistant.ui.cli import main

INGEST = ["ingest", str(LETTERS), "--json", "--visibility", "openbaar"]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


def test_ingest_and_ask_through_a_chroma_server(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INKOOP_CHROMA_URL", chroma_server)
    monkeypatch.setenv("INKOOP_EMBEDDING_MODEL", "hashing")
    out = io.StringIO()
    assert main([*INGEST, "--data-dir", str(tmp_path)], out=out) == 0
    report = json.loads(out.getvalue())
    assert len(report["added"]) == 2

    out = io.StringIO()
    question = "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?"
    assert main(["ask", question, "--json", "--data-dir", str(tmp_path)], out=out) == 0
    answer = json.loads(out.getvalue())
    assert not answer["refused"]
    assert "februari 2025" in answer["answer"]
    # Nothing was written to the local data dir: the server holds the index.
    assert not (tmp_path / "chroma").exists()

    out = io.StringIO()
    assert main([*INGEST, "--data-dir", str(tmp_path)], out=out) == 0
    assert len(json.loads(out.getvalue())["unchanged"]) == 2
