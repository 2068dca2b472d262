"""The chat backends for real, over loopback: a stub OpenAI-compatible (and Ollama) server started
by the test, whole and streamed, a closed port, a server too slow to answer or one that breaks
off mid-stream; and `inkoop ask` with a backend."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from conftest import LETTERS, ROOT
from helpers_llm import CANNED, StubServer, pieces
from helpers_net import free_port

from assistant.llm.backends import (
    ChatMessage,
    ChatModel,
    LlamaCppChatModel,
    LLMConfigError,
    LLMError,
    OllamaChatModel,
    OpenAIChatModel,
    make_chat_model,
    openai_base,
)
from assistant.settings import Settings
from assistant.ui.cli import main
from assistant.ui.cli_args import EXIT_OK, EXIT_USAGE
from assistant.verify.citations import cited_keys, quote_on_page

QUESTION = "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?"
NOTE = "hieronder de passages uit de documenten."


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


def test_openai_backend_streams_server_sent_events(stub: StubServer) -> None:
    model = OpenAIChatModel(stub.url, "stub-model", timeout=5)
    streamed = list(model.stream(MESSAGES))
    assert streamed == pieces(CANNED) and len(streamed) > 5
    _, body, _ = stub.requests[0]
    assert body["stream"] is True and body["messages"][1]["content"] == "Vraag?"


def test_ollama_backend_streams_ndjson(stub: StubServer) -> None:
    streamed = list(OllamaChatModel(stub.url, "qwen2.5:1.5b", timeout=5).stream(MESSAGES))
    assert "".join(streamed) == CANNED and len(streamed) > 5
    assert stub.requests[0][1]["stream"] is True


@pytest.mark.parametrize("model_class", [OpenAIChatModel, OllamaChatModel])
def test_a_stream_that_stalls_is_a_timeout_after_its_first_pieces(
    model_class: type[OpenAIChatModel] | type[OllamaChatModel],
) -> None:
    with StubServer(stall_after=3, stall=2.0) as slow:
        received: list[str] = []
        with pytest.raises(LLMError, match=r"antwoordde niet binnen 0\.3 seconden"):
            received.extend(model_class(slow.url, "m", timeout=0.3).stream(MESSAGES))
    assert received == pieces(CANNED)[:3]


@pytest.mark.parametrize("model_class", [OpenAIChatModel, OllamaChatModel])
def test_a_stream_broken_off_is_an_error_not_a_short_reply(
    model_class: type[OpenAIChatModel] | type[OllamaChatModel],
) -> None:
    with StubServer(cut_after=4) as cut, pytest.raises(LLMError, match="brak het antwoord af"):
        list(model_class(cut.url, "m", timeout=5).stream(MESSAGES))


def test_a_stream_from_a_closed_port_is_unreachable() -> None:
    model = OllamaChatModel(f"http://127.0.0.1:{closed_port()}", "m", timeout=5)
    with pytest.raises(LLMError, match="is niet bereikbaar"):
        list(model.stream(MESSAGES))


def test_a_model_without_its_own_stream_streams_its_whole_reply() -> None:
    class Whole(ChatModel):
        name = "whole"

        def chat(self, messages: Sequence[ChatMessage]) -> str:
            return CANNED

    assert list(Whole().stream(MESSAGES)) == [CANNED]


class FakeLlama:
    """Stands in for `llama_cpp.Llama`: the chunks of `create_chat_completion(stream=True)`."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.fail_after = fail_after

    def create_chat_completion(self, messages: Any, temperature: float, stream: bool) -> Any:
        assert stream and temperature == 0 and messages[1]["content"] == "Vraag?"
        yield {"choices": [{"delta": {"role": "assistant"}}]}
        for n, piece in enumerate(pieces(CANNED)):
            if n == self.fail_after:
                raise RuntimeError("llama_decode returned -3")
            yield {"choices": [{"delta": {"content": piece}}]}
        yield {"choices": [{"delta": {}, "finish_reason": "stop"}]}


def test_llamacpp_streams_its_chunks_and_wraps_its_errors(tmp_path: Path) -> None:
    model = LlamaCppChatModel(tmp_path / "model.gguf")
    model._llama = FakeLlama()
    assert list(model.stream(MESSAGES)) == pieces(CANNED)
    model._llama = FakeLlama(fail_after=2)
    with pytest.raises(LLMError, match=r"model\.gguf\) faalde: llama_decode returned -3"):
        list(model.stream(MESSAGES))


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
    assert "Volgens de documenten" in rest  # the extractive answer (its short answer first)
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
    from assistant.llm.install import default_model_path

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


@pytest.mark.slow
def test_the_installed_local_model_streams_what_it_would_say_whole() -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip '.[llm]')")
    from assistant.llm.install import default_model_path

    path = Path(os.environ.get("INKOOP_LLM_MODEL") or default_model_path(ROOT / "data"))
    if not path.is_file():
        pytest.skip(f"no GGUF model at {path}; run `inkoop model install`")
    model = LlamaCppChatModel(path, context=1024)
    messages = [ChatMessage("user", "Noem drie kleuren van de Nederlandse vlag, kort.")]
    streamed = list(model.stream(messages))
    assert len(streamed) > 3
    assert "".join(streamed) == model.chat(messages)
