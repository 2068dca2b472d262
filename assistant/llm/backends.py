"""Chat models behind one small Protocol: an OpenAI-compatible endpoint, Ollama, or llama.cpp.

The HTTP backends speak their APIs with httpx (already a dependency) so that no SDK is needed;
llama-cpp-python is optional (`pip install '.[llm]'`) and imported only when it is used; any
LangChain chat model fits through `assistant.llm.langchain_chat`. Each backend can also stream its
reply (OpenAI server-sent events, Ollama NDJSON, llama.cpp `stream=True`). Every failure to
reach or use a model, before or during a stream, is an `LLMError` whose message says, in Dutch,
what happened; the answerer shows it and falls back to the extractive answer.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from ingest.errors import InkoopError

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


class ChatModel(Protocol):
    """Turns a conversation into the model's reply text; raises `LLMError` when it cannot."""

    name: str

    def chat(self, messages: Sequence[ChatMessage]) -> str: ...

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """The reply in pieces as the model writes it; by default all of `chat` at once."""
        yield self.chat(messages)


class LLMError(InkoopError):
    """The language model could not give a reply; the message is Dutch and shown to users."""


class LLMConfigError(LLMError):
    """The backend settings are incomplete or the backend is not installed."""

    exit_code = 2


def _payload_messages(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


class _HTTPChatModel(ChatModel):
    """Shared plumbing of the HTTP backends: a POST or a streamed POST, errors as `LLMError`."""

    name = "http"

    def __init__(self, url: str, timeout: float, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.headers = headers or {}

    def _post(self, payload: dict[str, Any]) -> dict[str, Any]:
        import httpx

        try:
            response = httpx.post(
                self.url, json=payload, headers=self.headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise self._failure(exc, started=False) from exc
        if response.status_code >= 400:
            raise self._status_error(response.status_code, response.text)
        try:
            data = response.json()
        except ValueError as exc:
            raise LLMError(f"Het taalmodel ({self.url}) gaf geen JSON terug") from exc
        if not isinstance(data, dict):
            raise self._unexpected()
        return data

    def _stream_lines(self, payload: dict[str, Any]) -> Iterator[str]:
        """The non-empty lines of a streamed reply, as they arrive."""
        import httpx

        started = False
        try:
            with httpx.stream(
                "POST", self.url, json=payload, headers=self.headers, timeout=self.timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise self._status_error(response.status_code, response.text)
                started = True  # reached: what fails from here on breaks off a reply
                for line in response.iter_lines():
                    if line.strip():
                        yield line
        except httpx.HTTPError as exc:
            raise self._failure(exc, started) from exc

    def _stream_events(self, payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The JSON objects of a streamed reply: NDJSON lines or server-sent `data:` events."""
        for line in self._stream_lines(payload):
            if line.startswith((":", "event:", "id:", "retry:")):  # SSE fields other than data
                continue
            data = line.removeprefix("data:").strip()
            if data == "[DONE]":  # the OpenAI end marker, as Ollama's last line says it
                yield {"done": True}
                return
            try:
                event = json.loads(data)
            except ValueError as exc:
                raise LLMError(f"Het taalmodel ({self.url}) gaf geen JSON terug") from exc
            if not isinstance(event, dict):
                raise self._unexpected()
            if event.get("error"):
                raise LLMError(f"Het taalmodel ({self.url}) gaf een fout: {event['error']}")
            yield event

    def _failure(self, exc: Exception, started: bool) -> LLMError:
        import httpx

        if isinstance(exc, httpx.TimeoutException):
            return LLMError(
                f"Het taalmodel ({self.url}) antwoordde niet binnen {self.timeout:g} seconden"
            )
        if started:
            return LLMError(f"Het taalmodel ({self.url}) brak het antwoord af: {exc}")
        return LLMError(f"Het taalmodel ({self.url}) is niet bereikbaar: {exc}")

    def _status_error(self, status: int, text: str) -> LLMError:
        return LLMError(f"Het taalmodel ({self.url}) gaf een fout: HTTP {status} {text[:200]}")

    def _unexpected(self) -> LLMError:
        return LLMError(f"Het taalmodel ({self.url}) gaf een onverwacht antwoord")

    def _cut_off(self) -> LLMError:
        return LLMError(f"Het taalmodel ({self.url}) brak het antwoord af")


class OpenAIChatModel(_HTTPChatModel):
    """An OpenAI-compatible /v1/chat/completions endpoint (vLLM, llama.cpp server, LM Studio)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        super().__init__(f"{openai_base(base_url)}/chat/completions", timeout, headers)
        self.model = model
        self.name = f"openai:{model}"

    def _payload(self, messages: Sequence[ChatMessage], stream: bool) -> dict[str, Any]:
        payload = {"model": self.model, "messages": _payload_messages(messages), "temperature": 0}
        return {**payload, "stream": True} if stream else payload

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        data = self._post(self._payload(messages, stream=False))
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise self._unexpected() from exc

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """Server-sent events: `data: {"choices": [{"delta": {"content": ...}}]}`, `[DONE]`."""
        finished = False
        for event in self._stream_events(self._payload(messages, stream=True)):
            if event.get("done"):
                return
            try:
                choices = event["choices"]
                choice = choices[0] if choices else {}  # a last usage-only event has none
                piece = (choice.get("delta") or {}).get("content")
                finished = finished or bool(choice.get("finish_reason"))
            except (KeyError, IndexError, TypeError, AttributeError) as exc:
                raise self._unexpected() from exc
            if piece:
                yield str(piece)
        if not finished:
            raise self._cut_off()


class OllamaChatModel(_HTTPChatModel):
    """Ollama's /api/chat."""

    def __init__(self, base_url: str, model: str, timeout: float = 60.0) -> None:
        super().__init__(f"{base_url.rstrip('/')}/api/chat", timeout)
        self.model = model
        self.name = f"ollama:{model}"

    def _payload(self, messages: Sequence[ChatMessage], stream: bool) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": _payload_messages(messages),
            "stream": stream,
            "options": {"temperature": 0},
        }

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        data = self._post(self._payload(messages, stream=False))
        try:
            return str(data["message"]["content"] or "")
        except (KeyError, TypeError) as exc:
            raise self._unexpected() from exc

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """NDJSON: `{"message": {"content": ...}, "done": false}` lines, the last one done."""
        for event in self._stream_events(self._payload(messages, stream=True)):
            try:
                piece = (event.get("message") or {}).get("content")
            except AttributeError as exc:
                raise self._unexpected() from exc
            if piece:
                yield str(piece)
            if event.get("done"):
                return
        raise self._cut_off()


class LlamaCppChatModel(ChatModel):
    """A local GGUF file through llama-cpp-python, loaded on first use."""

    def __init__(self, model_path: Path, context: int = 4096) -> None:
        self.model_path = model_path
        self.context = context
        self.name = f"llamacpp:{model_path.name}"
        self._llama: Any = None
        # One llama.cpp context serves one request at a time; the chat serves several users.
        self._lock = threading.Lock()

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        with self._lock:
            llama = self._loaded()
            try:
                result = llama.create_chat_completion(
                    messages=_payload_messages(messages), temperature=0
                )
                return str(result["choices"][0]["message"]["content"] or "")
            except Exception as exc:  # llama.cpp raises plain exceptions
                raise self._failed(exc) from exc

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        with self._lock:
            llama = self._loaded()
            try:
                for chunk in llama.create_chat_completion(
                    messages=_payload_messages(messages), temperature=0, stream=True
                ):
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield str(piece)
            except Exception as exc:
                raise self._failed(exc) from exc

    def _loaded(self) -> Any:
        if self._llama is None:
            self._llama = _load_llama(self.model_path, self.context)
        return self._llama

    def _failed(self, exc: Exception) -> LLMError:
        return LLMError(f"Het lokale taalmodel ({self.model_path.name}) faalde: {exc}")


def _load_llama(path: Path, context: int) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise LLMConfigError(
            "llama-cpp-python is niet geïnstalleerd: pip install '.[llm]' "
            "(of kies INKOOP_LLM_BACKEND=openai/ollama)"
        ) from exc
    if not path.is_file():
        raise LLMConfigError(
            f"GGUF-model niet gevonden: {path} "
            "(zet INKOOP_LLM_MODEL of draai `inkoop model install`)"
        )
    return Llama(model_path=str(path), n_ctx=context, verbose=False)


def openai_base(url: str) -> str:
    """The API root: a bare `http://host:port` means `http://host:port/v1`."""
    url = url.rstrip("/")
    return url if urlsplit(url).path else f"{url}/v1"


OLLAMA_URL = "http://127.0.0.1:11434"


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The chat model of the settings, or None for `INKOOP_LLM_BACKEND=none`. No I/O here."""
    backend = settings.llm_backend
    if backend == "none":
        return None
    model = settings.llm_model
    if backend == "llamacpp":
        if importlib.util.find_spec("llama_cpp") is None:
            raise LLMConfigError(
                "llama-cpp-python is niet geïnstalleerd: pip install '.[llm]' "
                "(of kies INKOOP_LLM_BACKEND=openai/ollama)"
            )
        if model:
            return LlamaCppChatModel(Path(model))
        from assistant.llm.install import default_model_path

        path = default_model_path(settings.data_dir)
        if not path.is_file():
            raise LLMConfigError(
                f"Geen GGUF-model: draai `inkoop model install` (installeert {path}) "
                "of zet INKOOP_LLM_MODEL op het pad van een GGUF-bestand"
            )
        return LlamaCppChatModel(path)
    if not model:
        raise LLMConfigError(f"INKOOP_LLM_BACKEND={backend} vraagt ook INKOOP_LLM_MODEL")
    if backend == "ollama":
        return OllamaChatModel(settings.llm_base_url or OLLAMA_URL, model, settings.llm_timeout)
    if not settings.llm_base_url:
        raise LLMConfigError("INKOOP_LLM_BACKEND=openai vraagt ook INKOOP_LLM_BASE_URL")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return OpenAIChatModel(settings.llm_base_url, model, key, settings.llm_timeout)
