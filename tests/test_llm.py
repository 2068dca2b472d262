"""The chat backends for real, over loopback: a stub OpenAI-compatible (and Ollama) server started
by the test, a closed port, a server too slow to answer; and `inkoop ask` with a backend."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from helpers_net import free_port

from assistant.citations import cited_keys, quote_on_page
from assistant.cli import EXIT_OK, EXIT_USAGE, main
from assistant.llm import (
    ChatMessage,
    LLMConfigError,
    LLMError,
    OllamaChatModel,
    OpenAIChatModel,
    make_chat_model,
    openai_base,
)
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
LETTERS = ROOT / "corpus" / "raadsinformatiebrieven"
QUESTION = "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?"
CANNED = "De nieuwe contracten voor ambulante jeugdhulp gaan in op 1 januari 2026 [1]."
NOTE = "hieronder de passages uit de documenten."


class StubServer:
    """Speaks /v1/chat/completions and /api/chat; replies with `reply`, after `delay` seconds."""

    def __init__(self, reply: str = CANNED, delay: float = 0.0) -> None:
        self.reply = reply
        self.delay = delay
        self.requests: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append((self.path, body, dict(self.headers)))
                if stub.delay:
                    threading.Event().wait(stub.delay)
                if self.path == "/v1/chat/completions":
                    payload: dict[str, Any] = {
                        "id": "stub",
                        "object": "chat.completion",
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": stub.reply},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                elif self.path == "/api/chat":
                    payload = {"message": {"role": "assistant", "content": stub.reply}}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(payload).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with StubServer() as server:
        yield server


closed_port = free_port  # nothing listens there once its socket is closed


MESSAGES = [ChatMessage("system", "Regels."), ChatMessage("user", "Vraag?")]


# --- the backends -----------------------------------------------------------------------------


def test_openai_compatible_backend_over_loopback(stub: StubServer) -> None:
    model = OpenAIChatModel(stub.url + "/v1", "stub-model", api_key="geheim", timeout=5)
    assert model.chat(MESSAGES) == CANNED
    path, body, headers = stub.requests[0]
    assert path == "/v1/chat/completions"
    assert body["model"] == "stub-model" and body["temperature"] == 0
    assert body["messages"] == [
        {"role": "system", "content": "Regels."},
        {"role": "user", "content": "Vraag?"},
    ]
    assert headers["Authorization"] == "Bearer geheim"


def test_ollama_backend_over_loopback(stub: StubServer) -> None:
    assert OllamaChatModel(stub.url, "qwen2.5:1.5b", timeout=5).chat(MESSAGES) == CANNED
    path, body, _ = stub.requests[0]
    assert path == "/api/chat" and body["stream"] is False and body["model"] == "qwen2.5:1.5b"


def test_connection_refused_is_a_clear_error() -> None:
    model = OpenAIChatModel(f"http://127.0.0.1:{closed_port()}/v1", "m", timeout=5)
    with pytest.raises(LLMError, match="is niet bereikbaar"):
        model.chat(MESSAGES)


def test_a_slow_server_is_a_timeout() -> None:
    with StubServer(delay=2.0) as slow:
        model = OpenAIChatModel(slow.url, "m", timeout=0.2)
        with pytest.raises(LLMError, match=r"antwoordde niet binnen 0\.2 seconden"):
            model.chat(MESSAGES)


def test_base_url_without_a_path_means_v1() -> None:
    assert openai_base("http://127.0.0.1:8080") == "http://127.0.0.1:8080/v1"
    assert openai_base("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080/v1"
    assert openai_base("https://gw.example/openai/v1") == "https://gw.example/openai/v1"


def test_settings_choose_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("INKOOP_"):
            monkeypatch.delenv(name)
    assert make_chat_model(Settings()) is None  # default: none
    monkeypatch.setenv("INKOOP_LLM_BACKEND", "openai")
    monkeypatch.setenv("INKOOP_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("INKOOP_LLM_MODEL", "m")
    monkeypatch.setenv("INKOOP_LLM_API_KEY", "geheim")
    monkeypatch.setenv("INKOOP_LLM_TIMEOUT", "7.5")
    settings = Settings()
    assert "geheim" not in repr(settings)
    model = make_chat_model(settings)
    assert isinstance(model, OpenAIChatModel)
    assert model.timeout == 7.5 and model.headers == {"Authorization": "Bearer geheim"}
    monkeypatch.setenv("INKOOP_LLM_BACKEND", "ollama")
    assert isinstance(make_chat_model(Settings()), OllamaChatModel)
    monkeypatch.delenv("INKOOP_LLM_MODEL")
    with pytest.raises(LLMConfigError, match="INKOOP_LLM_MODEL"):
        make_chat_model(Settings())


def test_llamacpp_without_the_package_is_a_clear_error() -> None:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        with pytest.raises(LLMConfigError, match=r"pip install '\.\[llm\]'"):
            make_chat_model(Settings(llm_backend="llamacpp", llm_model="x.gguf"))
    else:
        pytest.skip("llama-cpp-python is installed")


# --- through `inkoop ask` ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def letters_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    data = tmp_path_factory.mktemp("llm-letters")
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        argv = ["ingest", str(LETTERS), "--data-dir", str(data), "--no-progress"]
        code = main([*argv, "--visibility", "openbaar"], StringIO())
    assert code == EXIT_OK
    yield data


def isolate_env(mp: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("INKOOP_"):
            mp.delenv(name)
    mp.setenv("INKOOP_EMBEDDING_MODEL", "hashing")


def ask(data: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    out = StringIO()
    code = main(["ask", "--json", QUESTION, "--data-dir", str(data), *flags], out)
    return code, json.loads(out.getvalue()) if code == EXIT_OK else {}


def letter_text(source: str) -> str:
    return (LETTERS / Path(source).name).read_text(encoding="utf-8")


def test_ask_with_an_openai_backend_gives_the_checked_generated_answer(
    letters_data: Path, stub: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_env(monkeypatch)
    code, answer = ask(
        letters_data, "--llm-backend", "openai", "--llm-base-url", stub.url, "--llm-model", "m"
    )
    assert code == EXIT_OK
    assert answer["answer"] == CANNED
    assert answer["refused"] is False
    assert cited_keys(answer["answer"]) == [1] and len(answer["citations"]) == 1
    citation = answer["citations"][0]
    assert quote_on_page(citation["quote"], letter_text(citation["source"]))
    assert "1 januari 2026" in citation["quote"]
    prompt = stub.requests[0][1]["messages"][1]["content"]
    assert '<passage nummer="1">' in prompt and QUESTION in prompt


def test_ask_with_env_settings_and_an_unreachable_model_falls_back(
    letters_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolate_env(monkeypatch)
    monkeypatch.setenv("INKOOP_LLM_BACKEND", "openai")
    monkeypatch.setenv("INKOOP_LLM_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("INKOOP_LLM_MODEL", "m")
    code, answer = ask(letters_data)
    assert code == EXIT_OK
    first, _, rest = answer["answer"].partition("\n\n")
    assert "is niet bereikbaar" in first and first.endswith(NOTE)
    assert rest.startswith("Volgens de documenten")  # the extractive answer
    assert answer["refused"] is False and answer["citations"]
    for c in answer["citations"]:
        assert quote_on_page(c["quote"], letter_text(c["source"]))


def test_ask_with_an_incomplete_backend_setting_is_a_usage_error(
    letters_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_env(monkeypatch)
    code, _ = ask(letters_data, "--llm-backend", "openai", "--llm-model", "m")
    assert code == EXIT_USAGE
    assert "INKOOP_LLM_BASE_URL" in capsys.readouterr().err


# --- the real local model (slow) --------------------------------------------------------------


@pytest.mark.slow
def test_ask_with_the_installed_local_model(
    letters_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip '.[llm]')")
    from assistant.model_install import default_model_path

    model = Path(os.environ.get("INKOOP_LLM_MODEL") or default_model_path(ROOT / "data"))
    if not model.is_file():
        pytest.skip(f"no GGUF model at {model}; run `inkoop model install`")
    isolate_env(monkeypatch)
    code, answer = ask(letters_data, "--llm-backend", "llamacpp", "--llm-model", str(model))
    assert code == EXIT_OK
    assert answer["refused"] is False
    assert "2026" in answer["answer"]
    assert answer["citations"]
    for c in answer["citations"]:
        assert quote_on_page(c["quote"], letter_text(c["source"]))
