"""Whatever is typed into the chat or `inkoop ask --json` — nothing, punctuation, emoji, other
languages and scripts, markup, SQL, 20,000 characters — gets a clear Dutch answer or refusal:
never a stack trace or the generic error, always well-formed JSON, markup escaped on screen,
and an overlong question cut to `MAX_QUESTION_CHARS` with a note. (Empty input in the chat is
in test_app.py.) Real Chroma, hashing embedder.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from conftest import LETTERS
from test_cli import isolate_env, run

from assistant.prompts import (
    ERROR_MESSAGE,
    PASSAGES_HEADING,
    PASSAGES_LEAD,
    REFUSAL,
    REFUSED_SOURCES,
)
from assistant.question import MAX_QUESTION_CHARS
from assistant.question import shorten as shorten_question
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.ui.chat import respond
from assistant.ui.cli_args import EXIT_OK
from assistant.ui.render import servable_files
from assistant.verify.citations import quote_on_page

QUESTION = "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?"
MARKUP = "<script>alert(1)</script>"
# A published document that itself holds markup and SQL, so answers can quote them.
INVOERVELDEN = f"""# Invoervelden van het aanbestedingsplatform

Het veld omschrijving van de inschrijving mag geen code bevatten, zoals {MARKUP} of <b>vet</b>.
Invoer als ' OR 1=1 -- in het veld omschrijving wordt door het aanbestedingsplatform geweigerd.
"""
LONG = f"{QUESTION} " + "De achtergrond van mijn vraag is als volgt. " * 460  # > 20,000 chars
INPUTS = {
    "empty": "",
    "whitespace": " \n\t ",
    "punctuation": "???!!!",
    "emoji": "🙂🚀📄",
    "english": "When do the new contracts for youth care start?",
    "arabic": "متى تبدأ العقود الجديدة للرعاية الشبابية؟",
    "chinese": "青少年护理的新合同什么时候开始？",
    "markup": MARKUP,
    "sql": "' OR 1=1 --",
    "markup-question": f"Mag het veld omschrijving {MARKUP} bevatten?",
    "20000-chars": LONG[:20_000],
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chat-input")
    docs = root / "docs"
    docs.mkdir()
    (docs / "invoervelden.md").write_text(INVOERVELDEN, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        for path in (LETTERS, docs):
            code, out = run("ingest", path, "--data-dir", root / "data", "--visibility", "openbaar")
            assert code == EXIT_OK, out
    return root / "data"


@pytest.fixture(scope="module")
def assistant(data: Path) -> Assistant:
    return Assistant(Settings(data_dir=data, embedding_model="hashing"))


def assert_clear_dutch(answer: str, refused: bool) -> None:
    """A refusal in its own words, or an extractive answer: quotes under a Dutch lead-in."""
    if refused:  # nothing relevant, or where to read, labelled as no answer (issue 20)
        assert answer.startswith((REFUSAL, PASSAGES_LEAD))
    else:
        assert answer.startswith("Volgens de documenten")
    assert "Traceback" not in answer and ERROR_MESSAGE not in answer


@pytest.mark.parametrize("text", INPUTS.values(), ids=INPUTS.keys())
def test_cli_ask_json_answers_any_input_clearly(
    data: Path, text: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate_env(monkeypatch)
    code, out = run("ask", text, "--json", "--data-dir", data)
    err = capsys.readouterr().err
    assert code == EXIT_OK, err
    assert "Traceback" not in err and not err.strip()
    (line,) = out.splitlines()
    payload = json.loads(line)
    assert set(payload) == {"question", "answer", "refused", "outcome", "citations", "passages"}
    assert isinstance(payload["refused"], bool)
    assert_clear_dutch(payload["answer"], payload["refused"])
    assert payload["question"] == shorten_question(text)[0]


@pytest.mark.parametrize("text", INPUTS.values(), ids=INPUTS.keys())
def test_the_chat_answers_any_input_clearly_and_escaped(
    assistant: Assistant, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    files = servable_files(assistant)
    with caplog.at_level(logging.ERROR):
        box, history, sources = respond(assistant, files, text, [])
    assert not caplog.records, caplog.text  # no failure hidden behind a friendly message
    assert box == ""
    bot = history[-1]
    assert bot["role"] == "assistant" and bot["content"] != ERROR_MESSAGE
    assert "<script>" not in bot["content"] and "<b>" not in bot["content"]
    assert "<script>" not in sources and "<b>vet" not in sources
    if not text.strip():
        return  # the hint to type a question (test_app.py)
    assert history[0] == {"role": "user", "content": text.strip()}
    if bot["content"].startswith(REFUSAL):
        assert sources == REFUSED_SOURCES
    elif bot["content"].startswith(PASSAGES_LEAD):  # where to read, under its own heading
        assert PASSAGES_HEADING in sources and 'data-testid="plek"' in sources
        assert 'data-testid="bron"' not in sources and "<mark>" in sources
    else:
        assert bot["content"].startswith("Volgens de documenten")
        assert 'data-testid="bron"' in sources


def test_markup_in_a_quoted_document_is_shown_escaped(assistant: Assistant) -> None:
    question = INPUTS["markup-question"]
    answer = assistant.ask(question)
    assert not answer.refused, answer
    assert any(MARKUP in c.quote for c in answer.citations)  # the quote is verbatim ...
    for c in answer.citations:
        assert quote_on_page(c.quote, assistant.index.page_text(c.doc_id, c.page))
    _, history, sources = respond(assistant, servable_files(assistant), question, [])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in history[-1]["content"]  # ... and inert
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sources
    assert "<script>" not in history[-1]["content"] + sources


def test_a_20000_character_question_is_cut_with_a_note(assistant: Assistant) -> None:
    text = INPUTS["20000-chars"]
    answer = assistant.ask(text)
    assert len(answer.question) <= MAX_QUESTION_CHARS
    assert text.startswith(answer.question)
    assert answer.answer.endswith(
        "(Let op: uw vraag telde 20.000 tekens; alleen de eerste 1.000 zijn gebruikt. "
        "Stel een kortere vraag voor een beter antwoord.)"
    )
    assert_clear_dutch(answer.answer, answer.refused)
    short = assistant.ask(QUESTION)  # the limit leaves ordinary questions alone
    assert short.question == QUESTION and "Let op" not in short.answer
    assert "1 januari 2026" in short.answer
