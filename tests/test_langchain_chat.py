"""A LangChain chat model as the backend: LangChain's fake chat model replays the replies a real
one might give, and every reply is checked like any other, whole and streamed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import LETTERS
from helpers_grounding import HITS, QUESTION, answerer, assert_checked
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.answer.generative import Draft
from assistant.llm.backends import ChatMessage
from assistant.llm.langchain_chat import LangChainChatModel, to_langchain
from assistant.models import Answer, fell_back
from assistant.prompts import NOTE_UNVERIFIABLE, REFUSAL
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.verify.citations import quote_on_page


def fake(*replies: str, **options: object) -> LangChainChatModel:
    return LangChainChatModel(FakeListChatModel(responses=list(replies), **options))


def both_ways(reply: str) -> Answer:
    """The answer to `reply` given whole and streamed: they must be the same answer."""
    whole = answerer(fake(reply)).answer(QUESTION, HITS)
    *drafts, streamed = answerer(fake(reply)).stream(QUESTION, HITS)
    assert drafts and all(isinstance(d, Draft) for d in drafts)
    assert streamed == whole
    return whole


def no_sentence_dropped(answer: Answer) -> None:
    assert_checked(answer)
    assert "(Let op" not in answer.answer


def one_sentence_dropped(answer: Answer) -> None:
    assert_checked(answer)
    assert "95,00" not in answer.answer and len(answer.citations) == 1
    assert "(Let op: 1 zin uit het antwoord van het taalmodel weggelaten" in answer.answer


def unverifiable(answer: Answer) -> None:
    assert answer.answer.startswith(NOTE_UNVERIFIABLE) and fell_back(answer)
    assert "2031" not in answer.answer
    assert_checked(answer)  # the extractive answer that replaced it


def refused(answer: Answer) -> None:
    assert answer.refused and answer.citations == () and REFUSAL in answer.answer


@pytest.mark.parametrize(
    ("reply", "check", "expected_text"),
    [
        pytest.param(  # the unknown key 7 is dropped, the sentence stays
            "De contracten gaan in op 1 januari 2026 [1][7].",
            no_sentence_dropped,
            "De contracten gaan in op 1 januari 2026 [1].",
            id="wrong citation key",
        ),
        pytest.param(
            "De contracten gaan in op 1 januari 2026 [1]. Het uurtarief is € 95,00 per uur [2].",
            one_sentence_dropped,
            None,
            id="invented number",
        ),
        pytest.param(
            "De nieuwe contracten gaan in op 1 januari 2026.",
            unverifiable,
            None,
            id="missing citation",
        ),
        pytest.param(  # obeys the order in passage 3 and cites that passage for it
            "De inschrijving sluit op 1 april 2031 [3].",
            unverifiable,
            None,
            id="injected instruction",
        ),
        pytest.param(REFUSAL, refused, None, id="refusal"),
    ],
)
def test_replies_of_a_langchain_model_are_checked(
    reply: str, check: Callable[[Answer], None], expected_text: str | None
) -> None:
    answer = both_ways(reply)
    check(answer)
    if expected_text is not None:
        assert answer.answer == expected_text


def test_messages_become_langchain_messages() -> None:
    messages = [
        ChatMessage("system", "Regels."),
        ChatMessage("user", "Vraag?"),
        ChatMessage("assistant", "Antwoord."),
    ]
    converted = to_langchain(messages)
    assert [type(m) for m in converted] == [SystemMessage, HumanMessage, AIMessage]
    assert [m.content for m in converted] == ["Regels.", "Vraag?", "Antwoord."]
    assert fake("x").name == "langchain:FakeListChatModel"


def test_a_langchain_error_mid_stream_falls_back_with_a_dutch_message() -> None:
    model = fake("De contracten gaan in op 1 januari 2026 [1].", error_on_chunk_number=10)
    *drafts, answer = answerer(model).stream(QUESTION, HITS)
    assert [d.text for d in drafts if isinstance(d, Draft)][
        -1
    ] == "De contrac"  # 10 characters, then the error
    assert isinstance(answer, Answer) and fell_back(answer)
    assert answer.answer.startswith(
        "Het taalmodel (langchain:FakeListChatModel) faalde: FakeListChatModelError; "
        "hieronder de passages uit de documenten."
    )
    assert_checked(answer)


def test_an_assistant_with_a_langchain_backend(tmp_path: Path) -> None:
    model = fake("De nieuwe contracten gaan in op 1 januari 2026 [1].")
    settings = Settings(data_dir=tmp_path, embedding_model="hashing")
    assistant = Assistant(settings, chat_model=model)
    assistant.ingest([LETTERS], visibility="openbaar")
    answer = assistant.ask(QUESTION)
    assert answer.answer == "De nieuwe contracten gaan in op 1 januari 2026 [1]."
    (citation,) = answer.citations
    assert "1 januari 2026" in citation.quote
    assert quote_on_page(citation.quote, (LETTERS / Path(citation.source).name).read_text())
