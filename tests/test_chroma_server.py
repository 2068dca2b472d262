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


def test_two_serve_workers_answer_from_one_chroma_server(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The multi-worker recipe (README): one ingest into the Chroma server, two `inkoop serve`
    workers on one data dir (the NvI store), each with its own Gradio folder; both answer, and
    a refusal at either lands in the one inbox."""
    import contextlib
    import os
    import subprocess
    import sys

    from conftest import ROOT
    from helpers_net import free_port, wait_for_port

    from assistant.measure.loadtest import run_load
    from assistant.nvi.store import NviStore
    from assistant.nvi.workbench import store_path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("INKOOP_", "GRADIO_"))}
    env |= {"INKOOP_CHROMA_URL": chroma_server, "INKOOP_EMBEDDING_MODEL": "hashing"}
    monkeypatch.setenv("INKOOP_CHROMA_URL", chroma_server)
    monkeypatch.setenv("INKOOP_EMBEDDING_MODEL", "hashing")
    data = tmp_path / "data"
    assert main([*INGEST, "--data-dir", str(data)], out=io.StringIO()) == 0
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        for n, port in enumerate(ports):
            worker_env = {**env, "GRADIO_TEMP_DIR": str(tmp_path / f"gradio-{n}")}
            argv = [sys.executable, "-m", "assistant.ui.cli", "serve", "--data-dir", str(data)]
            proc = subprocess.Popen(
                [*argv, "--port", str(port)], cwd=ROOT, env=worker_env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            stack.callback(proc.wait, 30)
            stack.callback(proc.terminate)
            assert wait_for_port(port, 120, proc), f"worker {n} did not start"
        urls = [f"http://127.0.0.1:{port}/" for port in ports]
        question = "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?"
        report = run_load(urls, sessions=4, requests_per_session=2, questions=[question])
        assert report.errors == 0, report.error_messages()
        assert all(r.answer and "februari 2025" in r.answer["answer"] for r in report.results)
        for n, url in enumerate(urls):
            refused = run_load(url, 1, 1, [f"Wat is de hoofdstad van land {n}?"], warmup=False)
            assert refused.results[0].answer and refused.results[0].answer["refused"]
    inbox = {c.question for c in NviStore(store_path(data)).candidates()}
    assert {"Wat is de hoofdstad van land 0?", "Wat is de hoofdstad van land 1?"} <= inbox
