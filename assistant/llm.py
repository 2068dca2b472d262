"""Chat models behind one small Protocol: an OpenAI-compatible endpoint, Ollama, or llama.cpp.

The HTTP backends speak their APIs with httpx (already a dependency) so that no SDK is needed;
llama-cpp-python is optional (`pip install '.[llm]'`) and imported only when it is used.
Every failure to reach or use a model is an `LLMError` whose message says, in Dutch, what
happened; the answerer shows it and falls back to the extractive answer.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

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


class LLMError(Exception):
    """The language model could not give a reply; the message is Dutch and shown to users."""


class LLMConfigError(LLMError):
    """The backend settings are incomplete or the backend is not installed."""


def _payload_messages(messages: Sequence[ChatMessage]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


class _HTTPChatModel:
    """Shared plumbing of the HTTP backends: one POST, errors turned into `LLMError`."""

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
        except httpx.TimeoutException as exc:
            raise LLMError(
                f"Het taalmodel ({self.url}) antwoordde niet binnen {self.timeout:g} seconden"
            ) from exc
        except httpx.HTTPError as exc:  # connection refused, DNS, protocol errors
            raise LLMError(f"Het taalmodel ({self.url}) is niet bereikbaar: {exc}") from exc
        if response.status_code >= 400:
            raise LLMError(
                f"Het taalmodel ({self.url}) gaf een fout: HTTP {response.status_code} "
                f"{response.text[:200]}"
            )
        try:
            data = response.json()
        except ValueError as exc:
            raise LLMError(f"Het taalmodel ({self.url}) gaf geen JSON terug") from exc
        if not isinstance(data, dict):
            raise LLMError(f"Het taalmodel ({self.url}) gaf een onverwacht antwoord")
        return data


class OpenAIChatModel(_HTTPChatModel):
    """An OpenAI-compatible /v1/chat/completions endpoint (vLLM, llama.cpp server, LM Studio)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        super().__init__(f"{openai_base(base_url)}/chat/completions", timeout, headers)
        self.model = model
        self.name = f"openai:{model}"

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        data = self._post(
            {"model": self.model, "messages": _payload_messages(messages), "temperature": 0}
        )
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"Het taalmodel ({self.url}) gaf een onverwacht antwoord") from exc


class OllamaChatModel(_HTTPChatModel):
    """Ollama's /api/chat (not streamed)."""

    def __init__(self, base_url: str, model: str, timeout: float = 60.0) -> None:
        super().__init__(f"{base_url.rstrip('/')}/api/chat", timeout)
        self.model = model
        self.name = f"ollama:{model}"

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        data = self._post(
            {
                "model": self.model,
                "messages": _payload_messages(messages),
                "stream": False,
                "options": {"temperature": 0},
            }
        )
        try:
            return str(data["message"]["content"] or "")
        except (KeyError, TypeError) as exc:
            raise LLMError(f"Het taalmodel ({self.url}) gaf een onverwacht antwoord") from exc


class LlamaCppChatModel:
    """A local GGUF file through llama-cpp-python, loaded on first use."""

    def __init__(self, model_path: Path, context: int = 4096) -> None:
        self.model_path = model_path
        self.context = context
        self.name = f"llamacpp:{model_path.name}"
        self._llama: Any = None

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        if self._llama is None:
            self._llama = _load_llama(self.model_path, self.context)
        try:
            result = self._llama.create_chat_completion(
                messages=_payload_messages(messages), temperature=0
            )
            return str(result["choices"][0]["message"]["content"] or "")
        except Exception as exc:  # llama.cpp raises plain exceptions
            raise LLMError(f"Het lokale taalmodel ({self.model_path.name}) faalde: {exc}") from exc


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
        from assistant.model_install import default_model_path

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
