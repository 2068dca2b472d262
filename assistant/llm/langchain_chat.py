"""Any LangChain chat model as our `ChatModel`: the one adapter between its messages and ours.

```python
from langchain_openai import ChatOpenAI
assistant = Assistant(settings, chat_model=LangChainChatModel(ChatOpenAI(model="...")))
```

The reply is checked like any other (`assistant.verify.grounding`); whatever the LangChain model
raises — a provider SDK's timeout, a refused connection — becomes an `LLMError`, so the
answerer falls back to the extractive answer with the message shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.llm.backends import ChatMessage, ChatModel, LLMError

_KINDS = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


def to_langchain(messages: Sequence[ChatMessage]) -> list[BaseMessage]:
    """Our conversation as LangChain messages: system, human, AI."""
    return [_KINDS[m.role](content=m.content) for m in messages]


class LangChainChatModel(ChatModel):
    """A LangChain `BaseChatModel` (ChatOpenAI, ChatOllama, a fake in tests) as the backend."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        named = getattr(model, "model_name", None) or getattr(model, "model", None)
        self.name = f"langchain:{model.get_name()}" + (f":{named}" if named else "")

    def chat(self, messages: Sequence[ChatMessage]) -> str:
        try:
            return str(self.model.invoke(to_langchain(messages)).text)
        except Exception as exc:  # each provider SDK raises its own errors
            raise self._failed(exc) from exc

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        try:
            for chunk in self.model.stream(to_langchain(messages)):
                if piece := str(chunk.text):
                    yield piece
        except Exception as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: Exception) -> LLMError:
        reason = str(exc) or type(exc).__name__
        return LLMError(f"Het taalmodel ({self.name}) faalde: {reason}")
