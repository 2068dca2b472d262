"""Many sessions at once against a real `inkoop serve` (hashing embedder, the repo's corpus/):
no request fails and every answer keeps the JSON contract. Speed is `inkoop bench --load`'s
business; nothing here looks at the clock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from conftest import ROOT
from helpers_net import free_port, wait_for_port
from test_cli import isolate_env

from assistant.measure.bench import DEFAULT_QUESTIONS
from assistant.measure.loadtest import check_answer, run_load
from assistant.ui.cli import main
from assistant.ui.cli_args import EXIT_FAIL, EXIT_OK

QUESTION = "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?"
ODD = ("", "???!!!", "🙂", "<script>alert(1)</script>", "vraag " * 4000)  # test_chat_input.py


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("load") / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INKOOP_")}
    env["INKOOP_EMBEDDING_MODEL"] = "hashing"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant.ui.cli", "serve", "--data-dir", str(data),
         "--port", str(port), "--ingest", str(ROOT / "corpus"), "--visibility", "openbaar"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if not wait_for_port(port, 120, server):
            pytest.fail(f"serve did not start (exit code {server.poll()})")
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_twenty_sessions_at_once_all_get_well_formed_answers(url: str) -> None:
    questions = [QUESTION, *DEFAULT_QUESTIONS[1:], *ODD]
    report = run_load(url, sessions=20, requests_per_session=3, questions=questions)

    assert report.requests == 60
    assert report.errors == 0, report.error_messages()
    assert {r.session for r in report.results} == set(range(20))
    assert {r.question for r in report.results} == set(questions)  # every one was asked
    for r in report.results:
        assert r.answer is not None and check_answer(r.answer) == ""
        if r.question == QUESTION:
            assert not r.answer["refused"] and "1 januari 2026" in r.answer["answer"]
        if r.question in ODD[:3]:
            assert r.answer["refused"]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "Volgens de documenten: ...",
        {"question": "q", "answer": "", "refused": True, "citations": []},
        {"question": "q", "answer": "a", "refused": "nee", "citations": []},
        {"question": "q", "answer": "a", "refused": True, "citations": [{"source": "x"}]},
        {"question": "q", "answer": "a", "refused": False, "citations": [{"source": "x.txt"}]},
        {"question": "q", "answer": "a", "refused": False, "citations": None},
    ],
)
def test_a_reply_off_the_contract_counts_as_an_error(payload: object) -> None:
    assert check_answer(payload)


def test_bench_load_against_a_running_app_prints_latencies(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_env(monkeypatch)
    out = StringIO()
    code = main(["bench", "--load", "--url", url, "--sessions", "3", "--requests", "2"], out=out)
    assert code == EXIT_OK, out.getvalue()
    text = out.getvalue()
    assert "errors                0 of 6" in text
    assert "latency p50" in text and "latency p95" in text and "requests/s" in text


def test_bench_load_starts_its_own_server_and_reports_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_env(monkeypatch)  # the server it starts inherits the hashing embedder
    out = StringIO()
    argv = ["bench", "--load", "--sessions", "2", "--requests", "1", "--data-dir", str(tmp_path)]
    assert main(argv, out=out) == EXIT_OK, out.getvalue() + capsys.readouterr().err
    assert "load: 2 session(s) x 1 request(s) on http://127.0.0.1:" in out.getvalue()
    assert "errors                0 of 2" in out.getvalue()

    closed = f"http://127.0.0.1:{free_port()}/"
    out = StringIO()
    argv = ["bench", "--load", "--url", closed, "--sessions", "1", "--requests", "1"]
    assert main(argv, out=out) == EXIT_FAIL
    assert "errors                1 of 1" in out.getvalue()
    assert "could not connect" in out.getvalue()
