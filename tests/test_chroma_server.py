"""Chroma server mode: INKOOP_CHROMA_URL makes every command use a `chroma run` server."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LETTERS
from helpers_net import free_port, wait_for_port

from assistant.cli import main

INGEST = ["ingest", str(LETTERS), "--json", "--visibility", "openbaar"]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists() and shutil.which("chroma") is None:
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [
            str(chroma if chroma.exists() else "chroma"),
            "run",
            "--path",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not wait_for_port(port, 30, proc):
        proc.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


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
